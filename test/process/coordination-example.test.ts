// cluster-examples/coordination/: the worker pool run as real processes, as its README runs it —
// three embedded workers (each a member of the cluster), and workers connected to a cluster of
// agents: one killed with SIGKILL while it leads and holds a job's lock, one paused with SIGSTOP
// while it holds a job's lock until another worker has done that job. Every job must end recorded
// exactly once, by a worker holding the job's lock; leadership must pass to a larger token; the
// paused worker's late write must be refused by its stale fencing token.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/index.js';
import { freePorts, ProcessCluster, REPO, requireBuild, waitFor, withTimeout } from './process-cluster.js';

const WORKER = join(REPO, 'cluster-examples/coordination/worker.ts');
const JOBS = 12;
const TTL_MS = 3000;
/** Generous for a loaded 2-core machine: agents, workers and tsx start-up. */
const RUN_MS = 120_000;

interface WorkerEvent {
  readonly event: string;
  readonly worker: string;
  readonly job?: string;
  readonly token?: number;
  readonly jobs?: number;
}

class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private readonly child: ChildProcess;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--jobs', String(JOBS), '--ttl-ms', String(TTL_MS), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') this.events.push(JSON.parse(line) as WorkerEvent);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((ok) => this.child.once('exit', (code, signal) => ok({ code, signal })));
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** A job this worker is working on under its lock (checked `todo`), not recorded yet. */
  heldJob(): WorkerEvent | undefined {
    const working = this.events.filter((e) => e.event === 'working');
    const last = working[working.length - 1];
    return last !== undefined && !this.events.some((e) => e.event === 'job' && e.token === last.token) ? last : undefined;
  }

  async succeeded(what: string): Promise<void> {
    const { code, signal } = await withTimeout(this.exited, RUN_MS, `${what} to finish`);
    assert.equal(code, 0, `${what} exited ${code ?? signal}: ${this.stderr}`);
  }

  describe(): string {
    return `events: ${JSON.stringify(this.events)}\nstderr: ${this.stderr}`;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** waitFor, and on a timeout every worker's events and stderr in the error: the record of what they did instead. */
async function waitForWorkers<T>(what: string, workers: readonly WorkerProcess[], check: () => T): Promise<NonNullable<T>> {
  try {
    return await waitFor(what, check, RUN_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${workers.map((w) => w.describe()).join('\n')}`);
  }
}

/** Every job recorded once in the events, and every job's value in the store says who did it with which token. */
function checkJobs(events: readonly WorkerEvent[], stored: ReadonlyMap<string, string>): void {
  const jobs = events.filter((e) => e.event === 'job');
  const keys = jobs.map((e) => e.job!);
  assert.equal(new Set(keys).size, keys.length, `a job recorded twice: ${keys.sort().join(' ')}`);
  assert.equal(stored.size, JOBS, 'every job was published');
  for (const [key, value] of stored) {
    const m = /^done by (\S+) with token (\d+)$/.exec(value);
    assert.ok(m, `${key} is not done: ${value}`);
    const e = jobs.find((j) => j.job === key);
    // A worker killed between its write and its print leaves no event; otherwise they agree.
    if (e !== undefined) assert.deepEqual([e.worker, e.token], [m[1], Number(m[2])], `${key}: store and events agree`);
  }
  checkFenced(events);
  const tokens = jobs.map((e) => e.token!);
  assert.equal(new Set(tokens).size, tokens.length, 'every grant has its own token');
  assert.equal(events.filter((e) => e.event === 'published').length, 1, 'the jobs were published once');
}

/**
 * A refused write (a worker lost its lock while working: its session ended) leaves the job to a
 * later grant of the same lock: the job is recorded under a larger token.
 */
function checkFenced(events: readonly WorkerEvent[]): void {
  for (const f of events.filter((e) => e.event === 'fenced')) {
    const recorded = events.find((e) => e.event === 'job' && e.job === f.job);
    if (recorded !== undefined)
      assert.ok(recorded.token! > f.token!, `${f.job}: recorded with ${recorded.token} after a write with ${f.token} was refused`);
  }
}

async function storedJobs(endpoints: string | readonly string[], pool: string): Promise<Map<string, string>> {
  const client = connect(endpoints, { timeoutMs: 10_000 });
  try {
    return new Map((await client.kv.list(`${pool}/jobs/`)).kvs.map((kv) => [kv.key, kv.value]));
  } finally {
    client.close();
  }
}

describe('cluster-examples/coordination: the worker pool', { concurrency: false }, () => {
  const started: WorkerProcess[] = [];
  let cluster: ProcessCluster | undefined;
  after(async () => {
    for (const w of started) w.stop();
    await cluster?.close();
  });

  test('embedded: three workers, each running a member, do every job exactly once', { timeout: RUN_MS + 30_000 }, async () => {
    requireBuild();
    const ports = await freePorts(3);
    const peers = ports.map((p, i) => `w${i + 1}=127.0.0.1:${p}`).join(',');
    const workers = [1, 2, 3].map((i) => new WorkerProcess(['--embed', `w${i}`, '--peers', peers]));
    started.push(...workers);
    for (const [i, w] of workers.entries()) await w.succeeded(`embedded worker w${i + 1}`);
    // The members are gone with their workers: the events are the record. Nothing was killed, so
    // every write that was applied was also printed.
    const all = workers.flatMap((w) => w.events);
    const expected = Array.from({ length: JOBS }, (_, i) => `pool/jobs/${String(i + 1).padStart(3, '0')}`);
    const recorded = all.filter((e) => e.event === 'job');
    assert.deepEqual(recorded.map((e) => e.job).sort(), expected, 'every job recorded exactly once');
    assert.equal(new Set(recorded.map((e) => e.token)).size, JOBS, 'every grant has its own token');
    assert.equal(all.filter((e) => e.event === 'published').length, 1, 'the jobs were published once');
    checkFenced(all);
    assert.ok(
      all.some((e) => e.event === 'leader'),
      'a leader was elected',
    );
  });

  test(
    'network: a leader killed with SIGKILL while holding a job is succeeded with a larger token',
    { timeout: RUN_MS + 60_000 },
    async () => {
      cluster ??= await ProcessCluster.start({ size: 3 });
      const endpoints = cluster.endpoints();
      // Long enough pretend work that the kill lands while the job's lock is held, before its write.
      const workers = ['a', 'b', 'c'].map(
        (name) => new WorkerProcess(['--connect', endpoints, '--name', name, '--pool', 'kill', '--work-ms', '1000']),
      );
      started.push(...workers);
      const first = await waitForWorkers('a leader', workers, () => workers.flatMap((w) => w.events).find((e) => e.event === 'leader'));
      const leader = workers.find((w) => w.events.includes(first))!;
      const held = await waitForWorkers('the leader to hold a job', workers, () => leader.heldJob());
      leader.signal('SIGKILL');
      const survivors = workers.filter((w) => w !== leader);
      for (const w of survivors) await w.succeeded(`worker ${w.events[0]?.worker ?? '?'}`);
      const events = workers.flatMap((w) => w.events);
      const stored = await storedJobs(endpoints, 'kill');
      checkJobs(events, stored);
      assert.doesNotMatch(stored.get(held.job!)!, new RegExp(`^done by ${first.worker} `), 'the killed leader did not record its held job');
      const next = events.filter((e) => e.event === 'leader' && e.worker !== first.worker);
      assert.ok(next.length > 0, 'another worker was elected after the leader died');
      for (const e of next) assert.ok(e.token! > first.token!, `the next leader's token ${e.token} > the dead leader's ${first.token}`);
    },
  );

  test(
    'network: a holder paused past its TTL writes late and is fenced; the job is recorded once',
    { timeout: RUN_MS + 60_000 },
    async () => {
      cluster ??= await ProcessCluster.start({ size: 3 });
      const endpoints = cluster.endpoints();
      const workers = ['p', 'q'].map(
        (name) => new WorkerProcess(['--connect', endpoints, '--name', name, '--pool', 'pause', '--work-ms', '1000']),
      );
      started.push(...workers);
      // Pause whichever worker first holds a job's lock, before its write.
      const [paused, held] = await waitForWorkers('a worker to hold a job', workers, () =>
        workers.map((w) => [w, w.heldJob()] as const).find(([, e]) => e !== undefined),
      );
      paused.signal('SIGSTOP');
      const other = workers.find((w) => w !== paused)!;
      // Its session expires on the leader's clock; the other worker gets the lock and does the job.
      await waitForWorkers('the other worker to record the paused job', workers, () =>
        other.events.some((e) => e.event === 'job' && e.job === held!.job),
      );
      paused.signal('SIGCONT');
      for (const w of workers) await w.succeeded(`worker ${w.events[0]?.worker ?? '?'}`);
      const events = workers.flatMap((w) => w.events);
      assert.ok(
        paused.events.some((e) => e.event === 'fenced' && e.job === held!.job && e.token === held!.token),
        `the paused worker's late write was refused: ${JSON.stringify(paused.events)}`,
      );
      assert.ok(
        paused.events.some((e) => e.event === 'session-lost'),
        'the paused worker saw its session end and opened another',
      );
      const stored = await storedJobs(endpoints, 'pause');
      checkJobs(events, stored);
      assert.match(stored.get(held!.job!)!, new RegExp(`^done by ${other.events[0].worker} `), "the job is the other worker's");
    },
  );
});
