// A worker of a pool that coordinates through palisade (docs/coordination.md): every worker opens
// a session; one is elected leader and publishes the jobs; all of them take jobs one lock at a
// time and record each result with a write the store refuses unless the job's lock is still held
// with that grant's fencing token. Run several, over the network or each embedding a node:
//
//   node --import tsx cluster-examples/coordination/worker.ts --connect 127.0.0.1:7101,127.0.0.1:7102 --name a
//   node --import tsx cluster-examples/coordination/worker.ts --embed w1 --peers w1=127.0.0.1:7301,w2=...,w3=...
//
// It prints one JSON line per event (`leader`, `published`, `locked`, `working`, `job`, `fenced`,
// `session-lost`, `done`) and exits 0 once no job is left. README.md in this folder has the whole walk-through.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SessionLostError, StaleFencingTokenError, connect, startNode, type Grant, type PalisadeClient, type PalisadeNode, type Session } from 'palisade';

const { values: args } = parseArgs({
  options: {
    pool: { type: 'string', default: 'pool' },
    connect: { type: 'string' },
    embed: { type: 'string' },
    peers: { type: 'string' },
    'data-dir': { type: 'string' },
    name: { type: 'string' },
    jobs: { type: 'string', default: '20' },
    'ttl-ms': { type: 'string', default: '3000' },
    'work-ms': { type: 'string', default: '20' },
  },
});
const jobCount = Number(args.jobs);
const ttlMs = Number(args['ttl-ms']);
const workMs = Number(args['work-ms']);
if ((args.connect === undefined) === (args.embed === undefined)) throw new Error('give either --connect ENDPOINTS or --embed ID --peers ...');
if (!(jobCount >= 1 && ttlMs >= 1000 && workMs >= 0)) throw new Error('--jobs ≥ 1, --ttl-ms ≥ 1000, --work-ms ≥ 0');
const name = args.name ?? args.embed ?? `worker-${process.pid}`;
// Every key and name of this pool lives under --pool, so several pools can share a cluster.
const ELECTION = `${args.pool}/leader`;
const JOBS = `${args.pool}/jobs/`;
const PUBLISHED = `${args.pool}/published`;
const FINISHED = `${args.pool}/finished/`;
const lockOf = (jobKey: string) => `${args.pool}/lock/${jobKey.slice(JOBS.length)}`;
/** How long a worker waits for a job's lock before it leaves that job to its holder and tries another. */
const LOCK_WAIT_MS = 500;

const say = (event: string, fields: Record<string, unknown> = {}) => console.log(JSON.stringify({ event, worker: name, ...fields }));

/** --embed: this process runs a member of the cluster (all workers' --peers alike) and talks to it. */
interface Embedded {
  readonly node: PalisadeNode;
  readonly poolSize: number;
  /** The data dir to delete at the end: one this process made for itself. */
  readonly tempDir: string | undefined;
}

async function openClient(): Promise<{ client: PalisadeClient; embedded?: Embedded }> {
  if (args.connect !== undefined) return { client: connect(args.connect.split(','), { timeoutMs: 10_000 }) };
  const id = args.embed!;
  const peers = Object.fromEntries((args.peers ?? '').split(',').map((p) => p.split('=') as [string, string]));
  if (peers[id] === undefined) throw new Error(`--peers must name ${id}`);
  const tempDir = args['data-dir'] === undefined ? mkdtempSync(join(tmpdir(), `palisade-pool-${id}-`)) : undefined;
  const node = await startNode({ id, listen: peers[id], dataDir: args['data-dir'] ?? tempDir!, peers, logLevel: 'warn' });
  const client = connect(node.address, { timeoutMs: 10_000 });
  return { client, embedded: { node, poolSize: Object.keys(peers).length, tempDir } };
}

/** Campaigns until elected; the leader publishes the jobs once, each write fenced by its token. */
async function lead(client: PalisadeClient, session: Session): Promise<void> {
  const leadership = await session.campaign(ELECTION, name);
  say('leader', { token: leadership.token });
  const fence = { ifToken: { name: ELECTION, token: leadership.token } };
  if ((await client.kv.get(PUBLISHED)).kv !== undefined) return;
  for (let i = 1; i <= jobCount; i++) {
    // cas at revision 0: only if absent — a leader before us may have published some already.
    await client.kv.cas(`${JOBS}${String(i).padStart(3, '0')}`, 0, 'todo', fence);
  }
  await client.kv.put(PUBLISHED, String(jobCount), fence);
  say('published', { jobs: jobCount, token: leadership.token });
}

/** Resolves once `count` distinct keys under `prefix` have been put (from revision 1: none is missed). */
async function waitForKeys(client: PalisadeClient, prefix: string, count: number): Promise<void> {
  const seen = new Set<string>();
  const watcher = client.kv.watch(prefix, { fromRevision: 1 });
  try {
    for await (const e of watcher) {
      if (e.type === 'put') seen.add(e.kv.key);
      if (seen.size >= count) return;
    }
  } finally {
    watcher.cancel();
  }
}

/**
 * A job's lock, or undefined when another worker has held it for LOCK_WAIT_MS (it is working on
 * that job): waiting behind it would only find the job done, and every worker would then trail
 * the same one from job to job.
 */
async function tryLock(session: Session, lockName: string): Promise<Grant | undefined> {
  try {
    return await session.lock(lockName, { signal: AbortSignal.timeout(LOCK_WAIT_MS) });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'TimeoutError') return undefined;
    throw err;
  }
}

/** Takes each job still `todo` under its lock, until none is left or the session is over. */
async function work(client: PalisadeClient, session: Session): Promise<number> {
  let done = 0;
  for (;;) {
    const todo = (await client.kv.list(JOBS)).kvs.filter((kv) => kv.value === 'todo');
    if (todo.length === 0) return done;
    // Workers start at different jobs, so that they seldom wait for each other.
    const start = Math.floor(Math.random() * todo.length);
    for (const { key } of [...todo.slice(start), ...todo.slice(0, start)]) {
      if (!session.valid) return done;
      const lockName = lockOf(key);
      const lock = await tryLock(session, lockName);
      if (lock === undefined) continue;
      say('locked', { job: key, token: lock.token });
      try {
        if ((await client.kv.get(key)).kv?.value !== 'todo') continue; // another worker did it while we waited
        say('working', { job: key, token: lock.token });
        await delay(workMs); // stands for the job's real work
        // Refused if this grant is over (released, or the session expired while we worked).
        await client.kv.put(key, `done by ${name} with token ${lock.token}`, { ifToken: { name: lockName, token: lock.token } });
        say('job', { job: key, token: lock.token });
        done++;
      } catch (err) {
        if (!(err instanceof StaleFencingTokenError)) throw err;
        say('fenced', { job: key, token: lock.token });
      } finally {
        await lock.release();
      }
    }
  }
}

/**
 * A new session. The client gives up (SessionLostError) when three creates in a row were answered
 * too late to count on (a cluster still electing its first leader, a loaded machine): try again.
 */
async function openSession(client: PalisadeClient): Promise<Session> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.session({ ttlMs, owner: name });
    } catch (err) {
      if (!(err instanceof SessionLostError) || attempt === 5) throw err;
      say('session-lost', { while: 'creating' });
    }
  }
}

/** A session, campaigning in the background; a session that ends under us is replaced. */
async function runWorker(client: PalisadeClient): Promise<Session> {
  let jobs = 0;
  for (;;) {
    const session = await openSession(client);
    void lead(client, session).catch((err: unknown) => session.valid && say('error', { where: 'lead', error: String(err) }));
    await waitForKeys(client, PUBLISHED, 1);
    try {
      jobs += await work(client, session);
    } catch (err) {
      if (session.valid) throw err;
    }
    if (session.valid) {
      say('done', { jobs });
      return session;
    }
    // Paused or cut off past the TTL: everything it held is gone. Start again with a new session.
    say('session-lost', { session: session.id });
  }
}

const { client, embedded } = await openClient();
try {
  const session = await runWorker(client);
  await session.close(); // resigns if leading, releases everything, ends the session
  if (embedded !== undefined) {
    // Keep this member up until every worker is done, so that the others keep a quorum.
    await client.kv.put(`${FINISHED}${name}`, 'yes');
    await waitForKeys(client, FINISHED, embedded.poolSize);
  }
} finally {
  client.close();
  await embedded?.node.stop();
  if (embedded?.tempDir !== undefined) rmSync(embedded.tempDir, { recursive: true, force: true });
}
