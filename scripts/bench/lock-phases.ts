// The two measurements of bench:locks against a running cluster: a throughput phase (a forked
// worker's contenders in closed loops on one name) and the "holder dies" series (a forked holder
// killed with SIGKILL while a waiter is queued; the time to the waiter's grant).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchMember } from './cluster.js';
import type { ContenderOptions, HolderMessage, LockWorkerMessage, LockWorkerSpec } from './lock-spec.js';
import { openContenders } from './lockers.js';
import { CpuWindow } from './proc-stats.js';
import { ProcessGroup, waitFor } from './processes.js';
import { summarize, type LatencySummary } from './stats.js';

const WORKER = join(import.meta.dirname, 'lock-worker.ts');
const HOLDER = join(import.meta.dirname, 'lock-holder.ts');
/** Bound on one phase beyond its measuring time (start-up, 64 sessions, warm-up, stragglers). */
const PHASE_SLACK_MS = 90_000;

export interface ThroughputResult {
  readonly contenders: number;
  readonly cycles: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  readonly seconds: number;
  /** Acquire + release cycles per second, all contenders together (grants per second). */
  readonly cyclesPerSecond: number;
  readonly acquire: LatencySummary;
  readonly release: LatencySummary;
  readonly clientCpuPercent: number;
  /** member id → server CPU during the window, % of a core. */
  readonly serverCpuPercent: Readonly<Record<string, number>>;
}

type Result = Extract<LockWorkerMessage, { type: 'result' }>;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function forkTracked(group: ProcessGroup, script: string, arg: unknown): ChildProcess {
  const child = fork(script, [JSON.stringify(arg)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  group.track(child);
  return child;
}

export async function runThroughput(group: ProcessGroup, spec: LockWorkerSpec, servers: readonly BenchMember[]): Promise<ThroughputResult> {
  const child = forkTracked(group, WORKER, spec);
  try {
    let onReady!: () => void;
    const ready = new Promise<void>((r) => (onReady = r));
    const result = new Promise<Result>((resolve, reject) => {
      child.on('message', (m: LockWorkerMessage) => {
        if (m.type === 'ready') onReady();
        else if (m.type === 'result') resolve(m);
        else reject(new Error(`lock worker failed: ${m.error}`));
      });
      child.once('exit', (code) => reject(new Error(`lock worker exited with ${code} before reporting`)));
    });
    const phase = (async () => {
      await Promise.race([ready, result]);
      const cpu = new CpuWindow(servers.map((m) => m.pid));
      child.send({ type: 'go' });
      const r = await result;
      return { r, serverCpu: cpu.percent() };
    })();
    const { r, serverCpu } = await withTimeout(phase, spec.measureMs + PHASE_SLACK_MS, `lock phase ${spec.kind} × ${spec.contenders}`);
    const seconds = r.elapsedMs / 1000;
    return {
      contenders: spec.contenders,
      cycles: r.acquireMs.length,
      errors: r.errors,
      firstErrors: r.firstErrors,
      seconds: Math.round(seconds * 100) / 100,
      cyclesPerSecond: Math.round((r.acquireMs.length / seconds) * 10) / 10,
      acquire: summarize(r.acquireMs),
      release: summarize(r.releaseMs),
      clientCpuPercent: r.clientCpuPercent,
      serverCpuPercent: Object.fromEntries(servers.map((m) => [m.id, serverCpu.get(m.pid)!])),
    };
  } finally {
    await ProcessGroup.stop(child, 2000);
  }
}

async function startHolder(group: ProcessGroup, opts: ContenderOptions): Promise<ChildProcess> {
  const child = forkTracked(group, HOLDER, opts);
  const held = new Promise<void>((resolve, reject) => {
    child.on('message', (m: HolderMessage) => (m.type === 'held' ? resolve() : reject(new Error(`lock holder failed: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before holding`)));
  });
  await withTimeout(held, 30_000, 'the lock holder taking the lock');
  return child;
}

/**
 * `reps` times: a forked holder takes the name; a waiter (in this process, its own session)
 * queues behind it — confirmed by the cluster's state, not assumed — then the holder gets
 * SIGKILL. The sample is the time from just before kill(2) to the waiter's grant.
 */
export async function runHolderDeath(group: ProcessGroup, opts: ContenderOptions, reps: number): Promise<number[]> {
  const waiter = await openContenders(opts, 1);
  const samples: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const holder = await startHolder(group, opts);
      let grantedAt = 0;
      const granted = waiter.contenders[0].acquire().then(() => (grantedAt = performance.now()));
      granted.catch(() => {}); // awaited below; a rejection before then must not go unhandled
      await waitFor('the waiter queued behind the holder', 10_000, async () => ((await waiter.participants()) >= 2 ? true : undefined));
      const exited = new Promise<void>((r) => holder.once('exit', () => r()));
      const killedAt = performance.now();
      holder.kill('SIGKILL');
      await withTimeout(granted, opts.ttlMs * 3 + 10_000, 'the grant after the holder died');
      samples.push(Math.round((grantedAt - killedAt) * 10) / 10);
      await exited;
      await waiter.contenders[0].release();
    }
  } finally {
    await waiter.close();
  }
  return samples;
}
