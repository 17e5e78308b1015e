// bench:locks' result file and the tables printed at the end: per kind, medians across rounds with
// their range; ratios palisade / etcd computed within each round (the machine's load drifts
// between rounds), then their median and range; the two goals of issue 17.
import { LockKind } from './lock-spec.js';
import type { ThroughputResult } from './lock-phases.js';
import { percentile, summarize } from './stats.js';

export interface KindRound {
  readonly kind: LockKind;
  readonly uncontended?: ThroughputResult;
  readonly contended?: ThroughputResult;
  /** Holder SIGKILL → the queued waiter's grant, ms. */
  readonly deathMs?: readonly number[];
  /** Per throughput phase: the leader before and after it. */
  readonly leaders?: Readonly<Record<string, readonly [string, string]>>;
}

export interface LocksResult {
  readonly benchmark: 'locks';
  readonly date: string;
  readonly command: string;
  readonly commit: string;
  readonly etcdVersion: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly settings: {
    readonly ttlMs: number;
    readonly sessionTtlMs: number;
    readonly contended: number;
    readonly kinds: readonly LockKind[];
  } & Readonly<Record<string, unknown>>;
  readonly rounds: readonly {
    readonly order: readonly string[];
    /** 1-minute load average before and after the round. */
    readonly loadAverage: readonly number[];
    readonly kinds: readonly KindRound[];
  }[];
}

/** Like-for-like pairs: the same recipe on both sides (one session per contender, or per campaign). */
export const PAIRS: readonly (readonly [LockKind, LockKind])[] = [
  [LockKind.PalisadeLock, LockKind.EtcdMutex],
  [LockKind.PalisadeElection, LockKind.Etcd3Election],
];

const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const fmt = (x: number) => (Number.isNaN(x) ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** "median (min–max)" of one value across rounds; one round: just the value. */
function spread(xs: readonly number[]): string {
  if (xs.length === 0) return '—';
  if (xs.length === 1) return fmt(xs[0]);
  return `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
}

function perRound(result: LocksResult, kind: LockKind): KindRound[] {
  return result.rounds.flatMap((r) => r.kinds.filter((k) => k.kind === kind));
}

function kindTable(result: LocksResult): string[] {
  const lines = [
    `| kind | 1 contender: grants/s | acquire p50 ms | release p50 ms | ${result.settings.contended} contenders: grants/s | wait p50 / p99 ms | holder SIGKILL → next grant, ms: median (min–max), n |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const kind of result.settings.kinds) {
    const rs = perRound(result, kind);
    if (rs.length === 0) continue;
    const u = rs.flatMap((r) => (r.uncontended ? [r.uncontended] : []));
    const c = rs.flatMap((r) => (r.contended ? [r.contended] : []));
    const death = rs.flatMap((r) => r.deathMs ?? []);
    const d = summarize(death);
    lines.push(
      `| ${kind} | ${spread(u.map((x) => x.cyclesPerSecond))} | ${spread(u.map((x) => x.acquire.p50Ms))} | ` +
        `${spread(u.map((x) => x.release.p50Ms))} | ${spread(c.map((x) => x.cyclesPerSecond))} | ` +
        `${c.length === 0 ? '—' : `${fmt(median(c.map((x) => x.acquire.p50Ms)))} / ${fmt(median(c.map((x) => x.acquire.p99Ms)))}`} | ` +
        `${death.length === 0 ? '—' : `${fmt(d.p50Ms)} (${fmt(d.minMs)}–${fmt(d.maxMs)}), ${death.length}`} |`,
    );
  }
  return lines;
}

/** Per round palisade / etcd, for one measure of a pair. */
function ratios(result: LocksResult, [p, e]: readonly [LockKind, LockKind], measure: (k: KindRound) => number | undefined): number[] {
  return result.rounds.flatMap((r) => {
    const a = r.kinds.find((k) => k.kind === p);
    const b = r.kinds.find((k) => k.kind === e);
    const x = a && measure(a);
    const y = b && measure(b);
    return x !== undefined && y !== undefined && y > 0 ? [Math.round((x / y) * 100) / 100] : [];
  });
}

export function renderLocks(result: LocksResult): string {
  const ttl = result.settings.ttlMs;
  const lines = [
    `bench:locks ${result.date} commit ${result.commit}, etcd ${result.etcdVersion}, ${result.rounds.length} round(s), holder-death TTL ${ttl} ms (throughput phases: sessions of ${result.settings.sessionTtlMs} ms)`,
    `load average per round (before → after): ${result.rounds.map((r) => r.loadAverage.map((l) => l.toFixed(1)).join(' → ')).join('; ')}`,
    '',
    ...kindTable(result),
    '',
    '| palisade / etcd (per round; median (min–max)) | 1 contender grants/s | 64 contenders grants/s | next grant after SIGKILL (median) |',
    '| --- | ---: | ---: | ---: |',
  ];
  const deathMedian = (k: KindRound) => (k.deathMs && k.deathMs.length > 0 ? median(k.deathMs) : undefined);
  for (const pair of PAIRS) {
    const u = ratios(result, pair, (k) => k.uncontended?.cyclesPerSecond);
    const c = ratios(result, pair, (k) => k.contended?.cyclesPerSecond);
    const d = ratios(result, pair, deathMedian);
    if (u.length + c.length + d.length === 0) continue;
    lines.push(`| ${pair[0]} / ${pair[1]} | ${spread(u)} | ${spread(c)} | ${spread(d)} |`);
  }
  const moved = result.rounds.flatMap((r, i) =>
    r.kinds.flatMap((k) =>
      Object.entries(k.leaders ?? {})
        .filter(([, [before, after]]) => before !== after)
        .map(([phase, [before, after]]) => `round ${i + 1} ${k.kind} ${phase}: ${before} → ${after}`),
    ),
  );
  lines.push('', moved.length === 0 ? 'the leader stayed put through every throughput phase' : `leader moved: ${moved.join('; ')}`);
  lines.push('', 'goals (issue 17):');
  for (const pair of PAIRS) {
    const u = ratios(result, pair, (k) => k.uncontended?.cyclesPerSecond);
    const c = ratios(result, pair, (k) => k.contended?.cyclesPerSecond);
    if (u.length > 0) lines.push(`- ${pair[0]} grants/s ≥ ${pair[1]}: 1 contender ${fmt(median(u))}×, 64 contenders ${fmt(median(c))}×`);
  }
  for (const kind of [LockKind.PalisadeLock, LockKind.PalisadeElection]) {
    const rs = perRound(result, kind);
    const death = rs.flatMap((r) => r.deathMs ?? []);
    if (death.length === 0) continue;
    const rtts = rs.flatMap((r) => (r.uncontended ? [r.uncontended.acquire.p50Ms] : []));
    const d = summarize(death);
    if (rtts.length === 0) {
      lines.push(`- ${kind} next grant: median ${fmt(d.p50Ms)}, max ${fmt(d.maxMs)} ms — not judged (no uncontended phase: no round trip)`);
      continue;
    }
    const rtt = median(rtts);
    const bound = ttl + rtt;
    lines.push(
      `- ${kind} next grant ≤ TTL + one round trip (${ttl} + ${fmt(rtt)} = ${fmt(bound)} ms): median ${fmt(d.p50Ms)}, ` +
        `max ${fmt(d.maxMs)} ms — ${d.maxMs <= bound ? 'met by every sample' : d.p50Ms <= bound ? 'met by the median, not by every sample' : 'not met'}`,
    );
  }
  return lines.join('\n');
}
