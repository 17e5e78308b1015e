// The node's counters and the Ready loop's latency histogram, rendered as Prometheus text by
// the HTTP endpoint. Plain numbers updated on the hot path (no allocation per update).

/** Upper bounds (seconds) of the Ready loop duration buckets: 50 µs .. 1 s. */
const READY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;

export class Histogram {
  readonly counts = new Array<number>(READY_BUCKETS.length).fill(0);
  count = 0;
  sum = 0;

  constructor(readonly bounds: readonly number[] = READY_BUCKETS) {}

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < this.bounds.length; i++) {
      if (seconds <= this.bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

export class NodeMetrics {
  leaderChanges = 0;
  /** Writes the core took (a queued write once it leaves the queue); never one it refused. */
  proposals = 0;
  /** Writes whose writer heard a refusal or a timeout (a timed-out write was proposed too). */
  proposalsFailed = 0;
  readIndexReads = 0;
  readIndexFailed = 0;
  readies = 0;
  appliedEntries = 0;
  snapshotsTaken = 0;
  snapshotsRestored = 0;
  /** Peer messages dropped because their sender was removed from the cluster. */
  droppedFromRemoved = 0;
  readonly readyDuration = new Histogram();
  readonly persistDuration = new Histogram();
}

/** A gauge or counter line set for the text exposition format. */
export interface MetricSample {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
}

function labelText(labels: Readonly<Record<string, string>> | undefined, extra?: string): string {
  const parts = Object.entries(labels ?? {}).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  if (extra) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Prometheus text format 0.0.4. Samples sharing a name must be adjacent. */
export function renderPrometheus(
  samples: readonly MetricSample[],
  histograms: readonly { name: string; help: string; h: Histogram }[],
): string {
  const lines: string[] = [];
  let last = '';
  for (const s of samples) {
    if (s.name !== last) {
      lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
      last = s.name;
    }
    lines.push(`${s.name}${labelText(s.labels)} ${s.value}`);
  }
  for (const { name, help, h } of histograms) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    let cumulative = 0;
    h.bounds.forEach((b, i) => {
      cumulative += h.counts[i];
      lines.push(`${name}_bucket{le="${b}"} ${cumulative}`);
    });
    lines.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
  }
  return `${lines.join('\n')}\n`;
}
