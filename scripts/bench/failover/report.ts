// The failover result file's shape, the goal checks and the table printed at the end of a run.
import { summarize, type LatencySummary } from '../stats.js';

export interface Series {
  /** The configuration, e.g. "palisade defaults (heartbeat 50 ms, ...)". */
  readonly config: string;
  /** What was timed, e.g. "kill -9 → promote hook start". */
  readonly measure: string;
  readonly samplesMs: readonly number[];
  readonly summary: LatencySummary;
}

export const Measure = {
  Promote: '(a) kill -9 → new promote hook start',
  Primary: '(b) kill -9 → /primary 200 on a survivor',
  Vip: '(c) crash → VIP answers the client again',
  Haproxy: '(d) kill -9 → first connection through HAProxy served by the new active',
  HaproxyPrimary: '(b) on the HAProxy runs',
  VipPromote: '(a) on the VIP runs',
  Switchover: 'switchover RPC → new promote hook start',
  SwitchoverRpc: 'switchover RPC duration',
  EtcdLeader: 'kill -9 leader → survivor reports a new leader',
  KeepalivedCrash: '(c) crash of the master → VIP answers from a backup',
  KeepalivedGraceful: 'SIGTERM of the master → VIP answers from a backup',
  Health: '(e) service down → new promote hook start (keepalived: notify_master), detection included',
} as const;

export function series(config: string, measure: string, samplesMs: readonly number[]): Series {
  return { config, measure, samplesMs: samplesMs.map((x) => Math.round(x * 1000) / 1000), summary: summarize(samplesMs) };
}

export interface Goal {
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | null;
}

export interface FailoverResult {
  readonly benchmark: 'failover';
  readonly date: string;
  readonly command: string;
  readonly quick: boolean;
  /** This checkout's commit, and the `--baseline` build's when there was one. */
  readonly commit: string;
  readonly baselineCommit?: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly method: Readonly<Record<string, string>>;
  readonly series: readonly Series[];
  readonly goals: readonly Goal[];
  readonly skipped: readonly string[];
  readonly notes: readonly string[];
}

const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '–');

export function renderTable(all: readonly Series[]): string {
  const rows = [
    '| configuration | measurement | n | min | median | p90 | p99 | max |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of all) {
    const m = s.summary;
    rows.push(
      `| ${s.config} | ${s.measure} | ${m.count} | ${f(m.minMs)} | ${f(m.p50Ms)} | ${f(m.p90Ms)} | ${f(m.p99Ms)} | ${f(m.maxMs)} |`,
    );
  }
  return rows.join('\n');
}

export function renderGoals(goals: readonly Goal[]): string {
  return goals.map((g) => `- ${g.goal}: ${g.value} — ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}`).join('\n');
}

export function checkGoals(all: readonly Series[], defaults: string, tuned: string, etcdTuned: string): Goal[] {
  const find = (config: string, measure: string) => all.find((s) => s.config === config && s.measure === measure)?.summary;
  const a = find(defaults, Measure.Promote);
  const sw = find(defaults, Measure.Switchover);
  const at = find(tuned, Measure.Promote);
  const et = find(etcdTuned, Measure.EtcdLeader);
  const goal = (goal: string, value: number | undefined, limit: number, unit = 'ms'): Goal =>
    value === undefined ? { goal, value: 'n/a', met: null } : { goal, value: `${f(value)} ${unit}`, met: value < limit };
  const ratio = at !== undefined && et !== undefined ? at.p50Ms / et.p50Ms : undefined;
  return [
    goal('defaults: median (a) < 400 ms', a?.p50Ms, 400),
    goal('defaults: p99 (a) < 800 ms', a?.p99Ms, 800),
    goal('defaults: switchover median < 100 ms', sw?.p50Ms, 100),
    ratio === undefined
      ? { goal: 'tuned: median (a) ≤ 1.2× etcd tuned median', value: 'n/a', met: null }
      : {
          goal: 'tuned: median (a) ≤ 1.2× etcd tuned median',
          value: `${f(at!.p50Ms)} / ${f(et!.p50Ms)} ms = ${ratio.toFixed(2)}×`,
          met: ratio <= 1.2,
        },
  ];
}

/** Issue 18's goal: the HAProxy path (d) no slower than the VIP path (c) and keepalived at 0.1 s adverts, by median. */
export function haproxyGoals(all: readonly Series[], haproxy: string, vip: string, keepalived: string): Goal[] {
  const find = (config: string, measure: string) => all.find((s) => s.config === config && s.measure === measure)?.summary;
  const d = find(haproxy, Measure.Haproxy);
  const vs = (goal: string, other: LatencySummary | undefined): Goal =>
    d === undefined || other === undefined
      ? { goal, value: 'n/a', met: null }
      : { goal, value: `${f(d.p50Ms)} / ${f(other.p50Ms)} ms`, met: d.p50Ms <= other.p50Ms };
  return [
    vs('defaults: median (d) HAProxy ≤ median (c) VIP', find(vip, Measure.Vip)),
    vs('defaults: median (d) HAProxy ≤ keepalived advert_int 0.1 crash median', find(keepalived, Measure.KeepalivedCrash)),
  ];
}

/** Issue 15's goal: a health failover no slower than keepalived's track_script at the same check settings, and never two holders. */
export function healthGoals(all: readonly Series[], palisade: string, keepalived: string, overlaps: number | undefined): Goal[] {
  const find = (config: string) => all.find((s) => s.config === config && s.measure === Measure.Health)?.summary;
  const [p, k] = [find(palisade), find(keepalived)];
  return [
    p === undefined || k === undefined
      ? { goal: 'health: median (e) palisade ≤ keepalived track_script', value: 'n/a', met: null }
      : {
          goal: 'health: median (e) palisade ≤ keepalived track_script',
          value: `${f(p.p50Ms)} / ${f(k.p50Ms)} ms`,
          met: p.p50Ms <= k.p50Ms,
        },
    overlaps === undefined
      ? { goal: 'health: the new active never starts promoting before the old one demotes', value: 'n/a', met: null }
      : {
          goal: 'health: the new active never starts promoting before the old one demotes',
          value: `${overlaps} overlaps`,
          met: overlaps === 0,
        },
  ];
}
