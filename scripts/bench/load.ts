// Runs one load phase: forks the workers, waits until all are warmed up, starts them together,
// and gathers their latencies plus the CPU the servers and the clients used meanwhile.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchMember } from './cluster.js';
import type { WorkerMessage, WorkerSpec } from './load-spec.js';
import { CpuWindow, voluntarySwitches } from './proc-stats.js';
import { ProcessGroup } from './processes.js';
import { summarize, type LatencySummary } from './stats.js';

const WORKER = join(import.meta.dirname, 'load-worker.ts');
/** Bound on one phase beyond its own measuring time (start-up, warm-up, stragglers). */
const PHASE_SLACK_MS = 90_000;

export interface LoadResult {
  readonly clientProcesses: number;
  readonly concurrency: number;
  readonly puts: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  readonly seconds: number;
  readonly putsPerSecond: number;
  readonly latency: LatencySummary;
  /** Each client process's own CPU during the window, % of a core. */
  readonly clientCpuPercent: readonly number[];
  /** member id → server CPU during the window, % of a core. */
  readonly serverCpuPercent: Readonly<Record<string, number>>;
  /** member id → voluntary context switches per put during the window: main thread, all threads. */
  readonly serverSwitchesPerPut: Readonly<Record<string, { readonly main: number; readonly all: number }>>;
  /** The measured window on the monotonic clock V8's profiler also uses (µs), to cut a profile. */
  readonly windowUs: { readonly start: number; readonly end: number };
}

/** CLOCK_MONOTONIC in µs: libuv's hrtime and V8's TimeTicks (profile timestamps) both read it. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

type Result = Extract<WorkerMessage, { type: 'result' }>;

function startWorker(group: ProcessGroup, spec: WorkerSpec): { child: ChildProcess; ready: Promise<void>; result: Promise<Result> } {
  const child = fork(WORKER, [JSON.stringify(spec)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  group.track(child);
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const result = new Promise<Result>((resolve, reject) => {
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'result') resolve(m);
      else reject(new Error(`load worker failed: ${m.error}`));
    });
    child.once('exit', (code) => reject(new Error(`load worker exited with ${code} before reporting`)));
  });
  // A worker dying before 'ready' must fail the phase, not hang it.
  return { child, ready: Promise.race([ready, result.then(() => {})]), result };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * afterWarmup: called once every worker has warmed up, just before the measured window opens
 * (e.g. to read the servers' own counters, so that warm-up puts do not count).
 */
export async function runLoad(
  group: ProcessGroup,
  specs: readonly WorkerSpec[],
  servers: readonly BenchMember[],
  afterWarmup?: () => Promise<void>,
): Promise<LoadResult> {
  const measureMs = specs[0].measure.kind === 'duration' ? specs[0].measure.ms : 60_000;
  const workers = specs.map((s) => startWorker(group, s));
  try {
    const phase = (async () => {
      await Promise.all(workers.map((w) => w.ready));
      await afterWarmup?.();
      const cpu = new CpuWindow(servers.map((m) => m.pid));
      const switchesBefore = servers.map((m) => voluntarySwitches(m.pid));
      const start = monotonicUs();
      for (const w of workers) w.child.send({ type: 'go' });
      const results = await Promise.all(workers.map((w) => w.result));
      const serverCpu = cpu.percent();
      const switches = servers.map((m, i) => {
        const now = voluntarySwitches(m.pid);
        return { main: now.main - switchesBefore[i].main, all: now.all - switchesBefore[i].all };
      });
      return { results, serverCpu, switches, windowUs: { start, end: monotonicUs() } };
    })();
    const { results, serverCpu, switches, windowUs } = await withTimeout(phase, measureMs + PHASE_SLACK_MS, 'load phase');
    const latencies = results.flatMap((r) => r.latenciesMs);
    const perPut = (n: number) => Math.round((n / Math.max(1, latencies.length)) * 100) / 100;
    const seconds = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
    return {
      clientProcesses: specs.length,
      concurrency: specs.reduce((a, s) => a + s.concurrency, 0),
      puts: latencies.length,
      errors: results.reduce((a, r) => a + r.errors, 0),
      firstErrors: results.flatMap((r) => r.firstErrors).slice(0, 5),
      seconds: Math.round(seconds * 100) / 100,
      // Each worker's rate over its own window, summed (the windows start together).
      putsPerSecond: Math.round(results.reduce((a, r) => a + r.latenciesMs.length / (r.elapsedMs / 1000), 0)),
      latency: summarize(latencies),
      clientCpuPercent: results.map((r) => r.clientCpuPercent),
      serverCpuPercent: Object.fromEntries(servers.map((m) => [m.id, serverCpu.get(m.pid)!])),
      serverSwitchesPerPut: Object.fromEntries(
        servers.map((m, i) => [m.id, { main: perPut(switches[i].main), all: perPut(switches[i].all) }]),
      ),
      windowUs,
    };
  } finally {
    await Promise.all(workers.map((w) => ProcessGroup.stop(w.child, 2000)));
  }
}
