// bench:scale's result file, its two tables and the goal checks (issue 20, "Scale").
import { percentile } from '../stats.js';
import type { DataRun } from './data-run.js';
import type { SizeRun } from './sizes.js';

export interface Goal {
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | null;
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
export const median = (xs: readonly number[]): number => percentile(sorted(xs), 0.5);
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
/** median (min–max) */
const spread = (xs: readonly number[], f = f0) =>
  xs.length === 0 ? '–' : xs.length === 1 ? f(xs[0]) : `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderSizes(runs: readonly SizeRun[]): string {
  const base = (system: string) => runs.find((r) => r.system === system && r.size === 3);
  const rows = runs.map((r) => {
    const b = base(r.system);
    const ratio = b === undefined ? '–' : `${(median(r.failoverMs) / median(b.failoverMs)).toFixed(2)}×`;
    return [
      r.system,
      String(r.size),
      `${spread(r.failoverMs)} n=${r.failoverMs.length}`,
      ratio,
      `${r.commit.p50Ms.toFixed(2)} / ${r.commit.p99Ms.toFixed(2)}${r.commitErrors > 0 ? ` (${r.commitErrors} errors)` : ''}`,
      f1(r.idleLeaderPercent),
      spread(r.idleFollowerPercent, f1),
    ];
  });
  return table(
    [
      'system',
      'members',
      'failover ms, median (min–max)',
      'failover vs 3 members',
      'commit ms p50 / p99',
      'idle CPU % leader',
      'idle CPU % followers',
    ],
    rows,
  );
}

export function renderData(runs: readonly DataRun[]): string {
  const rows = runs.map((r) => [
    r.system,
    String(r.keys),
    String(r.fill.putsPerSecond),
    (r.snapshotBytes / 2 ** 20).toFixed(1),
    `${spread(r.restartMs)} n=${r.restartMs.length}`,
    spread(r.restartStartedMs),
    `${spread(r.catchUpMs)} n=${r.catchUpMs.length}`,
  ]);
  return table(
    [
      'system',
      'keys',
      'fill puts/s',
      'snapshot MiB',
      'restart → linearizable read, ms',
      "restart → 'node started', ms",
      'new member catch-up, ms',
    ],
    rows,
  );
}

export function checkGoals(sizes: readonly SizeRun[], data: readonly DataRun[]): Goal[] {
  const pal = (n: number) => sizes.find((r) => r.system === 'palisade' && r.size === n);
  const [three, five] = [pal(3), pal(5)];
  const failover: Goal =
    three === undefined || five === undefined
      ? { goal: 'failover, 5 members: median ≤ 1.2× 3 members', value: 'n/a', met: null }
      : (() => {
          const ratio = median(five.failoverMs) / median(three.failoverMs);
          return {
            goal: 'failover, 5 members: median ≤ 1.2× 3 members',
            value: `${f0(median(five.failoverMs))} / ${f0(median(three.failoverMs))} ms = ${ratio.toFixed(2)}×`,
            met: ratio <= 1.2,
          };
        })();
  const million = data.find((r) => r.system === 'palisade' && r.keys >= 1_000_000);
  const restart: Goal =
    million === undefined || million.restartMs.length === 0
      ? { goal: 'restart with 10^6 keys < 5 s (every restart)', value: 'n/a (not run)', met: null }
      : {
          goal: 'restart with 10^6 keys < 5 s (every restart)',
          value: `max ${f0(Math.max(...million.restartMs))} ms`,
          met: Math.max(...million.restartMs) < 5000,
        };
  return [failover, restart];
}

export function renderGoals(goals: readonly Goal[]): string {
  return goals.map((g) => `- ${g.goal}: ${g.value} — ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}`).join('\n');
}
