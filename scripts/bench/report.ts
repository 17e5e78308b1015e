// The result file's shape and the side-by-side table printed at the end of a run.
import type { LoadResult } from './load.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { System } from './cluster.js';
import type { PerPut } from './server-metrics.js';

export interface IdleResult {
  readonly seconds: number;
  /**
   * member id → { cpu % of a core over the window, RSS MiB at its end, and for palisade the V8
   * heap in use then (live objects plus garbage not yet collected), from its /metrics }
   */
  readonly members: Readonly<
    Record<
      string,
      {
        readonly cpuPercent: number;
        readonly rssMiB: number;
        readonly heapUsedMiB?: number;
        readonly restingRssMiB?: number;
        /** The lowest private RSS (RssAnon) over the same watch. */
        readonly restingRssAnonMiB?: number;
      }
    >
  >;
  /** How long after the CPU window RSS was watched for `restingRssMiB` (the lowest reading). */
  readonly restSeconds?: number;
}

export interface SystemResult {
  readonly system: System;
  readonly version: string;
  readonly leader: string;
  /** member id → RSS right after start-up, before any load. */
  readonly rssAtStartMiB: Readonly<Record<string, number>>;
  /** member id → private RSS (RssAnon) right after start-up. */
  readonly rssAnonAtStartMiB?: Readonly<Record<string, number>>;
  /** One client in the first seconds after start, before the warm-up (Node's JIT still compiling). */
  readonly sequentialCold?: LoadResult;
  /** One client after the warm-up: the steady state the goals are about. */
  readonly sequential: LoadResult;
  readonly concurrent: LoadResult;
  readonly concurrentTwoProcesses: LoadResult;
  readonly idle: IdleResult;
  /** palisade only: phase → member → Ready-loop cost per put, from the node's /metrics. */
  readonly serverCosts?: Readonly<Record<string, Readonly<Record<string, PerPut>>>>;
}

export interface BenchResult {
  readonly benchmark: 'kv';
  readonly date: string;
  readonly command: string;
  readonly machine: {
    readonly nproc: number;
    readonly cpu: string;
    readonly memGiB: number;
    readonly kernel: string;
    readonly node: string;
  };
  readonly commit: string;
  readonly settings: Readonly<Record<string, number | string>>;
  readonly palisade: SystemResult;
  readonly etcd: SystemResult;
  /** `--baseline DIR`: another checkout's build, measured in the same run. */
  readonly baseline?: SystemResult;
  readonly baselineCommit?: string;
  readonly profile?: { readonly member: string; readonly run: LoadResult; readonly summary: ProfileSummary };
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const max = (r: Readonly<Record<string, { cpuPercent: number; rssMiB: number }>>, k: 'cpuPercent' | 'rssMiB') =>
  Math.max(...Object.values(r).map((m) => m[k]));

export function renderTable(r: BenchResult): string {
  const rows: [string, number, number, number][] = [];
  const both = (label: string, f: (s: SystemResult) => number, digits = 2) => rows.push([label, f(r.palisade), f(r.etcd), digits]);
  both('1 client: puts/s', (s) => s.sequential.putsPerSecond, 0);
  both('1 client: p50 ms', (s) => s.sequential.latency.p50Ms);
  both('1 client: p90 ms', (s) => s.sequential.latency.p90Ms);
  both('1 client: p99 ms', (s) => s.sequential.latency.p99Ms);
  both('1 client: min ms', (s) => s.sequential.latency.minMs);
  both('1 client: max ms', (s) => s.sequential.latency.maxMs);
  // Wake-ups per put, the busiest node: every thread of the process (etcd's Go threads included).
  const switches = (l: LoadResult) => Math.max(...Object.values(l.serverSwitchesPerPut ?? {}).map((x) => x.all));
  both('1 client: thread sleeps/put, max node', (s) => switches(s.sequential));
  // CPU time per put: the three members together, and the client process (at one client the four
  // processes share the machine's cores, so both count).
  const cpuMsPerPut = (l: LoadResult, pct: number) => (pct * 10) / l.putsPerSecond;
  const membersCpu = (l: LoadResult) =>
    cpuMsPerPut(
      l,
      Object.values(l.serverCpuPercent).reduce((a, b) => a + b, 0),
    );
  both('1 client: CPU ms/put, 3 members', (s) => membersCpu(s.sequential));
  both('1 client: CPU ms/put, client', (s) => cpuMsPerPut(s.sequential, s.sequential.clientCpuPercent[0]));
  both('1 client, cold (first puts after start): puts/s', (s) => s.sequentialCold?.putsPerSecond ?? NaN, 0);
  both('1 client, cold: p50 ms', (s) => s.sequentialCold?.latency.p50Ms ?? NaN);
  both('1 client, cold: CPU ms/put, 3 members', (s) => (s.sequentialCold ? membersCpu(s.sequentialCold) : NaN));
  both('64 in-flight, 1 proc: puts/s', (s) => s.concurrent.putsPerSecond, 0);
  both('64 in-flight, 1 proc: p50 ms', (s) => s.concurrent.latency.p50Ms);
  both('64 in-flight, 1 proc: p99 ms', (s) => s.concurrent.latency.p99Ms);
  both('64 in-flight, 1 proc: client CPU %', (s) => s.concurrent.clientCpuPercent[0], 0);
  both('64 in-flight, 1 proc: leader CPU %', (s) => s.concurrent.serverCpuPercent[s.leader], 0);
  both('64 in-flight, 1 proc: thread sleeps/put, max node', (s) => switches(s.concurrent));
  both('64 in-flight, 2 procs: puts/s', (s) => s.concurrentTwoProcesses.putsPerSecond, 0);
  both('64 in-flight, 2 procs: p50 ms', (s) => s.concurrentTwoProcesses.latency.p50Ms);
  both('64 in-flight, 2 procs: p99 ms', (s) => s.concurrentTwoProcesses.latency.p99Ms);
  both('idle after load: max CPU %/node', (s) => max(s.idle.members, 'cpuPercent'));
  both('after start: max RSS MiB/node', (s) => Math.max(...Object.values(s.rssAtStartMiB)), 1);
  both('idle after load: max RSS MiB/node', (s) => max(s.idle.members, 'rssMiB'), 1);
  both('idle after load: max V8 heap used MiB/node', (s) => Math.max(...Object.values(s.idle.members).map((m) => m.heapUsedMiB ?? NaN)), 1);
  both('at rest after load: max RSS MiB/node', (s) => Math.max(...Object.values(s.idle.members).map((m) => m.restingRssMiB ?? NaN)), 1);
  both('after start: max private RSS (RssAnon) MiB/node', (s) => Math.max(...Object.values(s.rssAnonAtStartMiB ?? { none: NaN })), 1);
  both(
    'at rest after load: max private RSS MiB/node',
    (s) => Math.max(...Object.values(s.idle.members).map((m) => m.restingRssAnonMiB ?? NaN)),
    1,
  );
  const width = Math.max(...rows.map((x) => x[0].length));
  const head = `${'metric'.padEnd(width)}  ${'palisade'.padStart(10)}  ${'etcd'.padStart(10)}  ${'pal/etcd'.padStart(8)}`;
  const lines = rows.map(
    ([label, p, e, d]) => `${label.padEnd(width)}  ${fmt(p, d).padStart(10)}  ${fmt(e, d).padStart(10)}  ${fmt(p / e).padStart(8)}`,
  );
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

export function renderServerCosts(s: SystemResult): string {
  if (s.serverCosts === undefined) return '';
  const lines = [`${s.system} Ready loop per put (leader ${s.leader}), from /metrics:`];
  for (const [phase, members] of Object.entries(s.serverCosts)) {
    const load = (s as unknown as Record<string, LoadResult | undefined>)[phase];
    for (const [id, c] of Object.entries(members)) {
      const sw = load?.serverSwitchesPerPut?.[id];
      lines.push(
        `  ${phase.padEnd(22)} ${id}${id === s.leader ? '*' : ' '} readies/put ${c.readiesPerPut.toFixed(2)}  persists/put ${c.persistsPerPut.toFixed(2)}  ` +
          `mean persist ${c.meanPersistMs.toFixed(2)} ms  loop busy ${c.readyLoopBusyPercent.toFixed(0)}%  persist busy ${c.persistBusyPercent.toFixed(0)}%` +
          `  snapshots ${c.snapshots}` +
          (sw ? `  sleeps/put main ${sw.main.toFixed(2)} all ${sw.all.toFixed(2)}` : ''),
      );
    }
  }
  return lines.join('\n');
}

export function renderProfile(p: NonNullable<BenchResult['profile']>): string {
  const s = p.summary;
  const lines = [
    `leader ${p.member} under --cpu-prof, 64 in-flight: ${p.run.putsPerSecond} puts/s; profile busy ${s.busyMs} ms of ${s.totalMs} ms`,
    'self time by area:',
    ...s.byArea.map((a) => `  ${a.percent.toFixed(1).padStart(5)}%  ${a.name}`),
    'top self-time functions:',
    ...s.topFunctions.map((f) => `  ${f.percent.toFixed(1).padStart(5)}%  ${f.name}`),
  ];
  return lines.join('\n');
}
