// `npm run demo`: a local 3-node palisade cluster on loopback with a live failover.
// Starts three real agents, shows the status table, writes some keys, kills the leader with
// SIGKILL, measures how long until a new leader commits a write, restarts the old node, shows
// it rejoin as a follower, and cleans up. Progress goes to stdout; agent logs to data/demo/*.log.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { connect } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const DATA = join(ROOT, 'data', 'demo');
const IDS = ['n1', 'n2', 'n3'] as const;
type Id = (typeof IDS)[number];

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s: string) => console.log(`\n${bold('==>')} ${s}`);

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/** Poll `check` every `everyMs` until it returns a value, or fail after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 10): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function main(): Promise<void> {
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const grpc: Record<Id, string> = { n1: '', n2: '', n3: '' };
  const http: Record<Id, string> = { n1: '', n2: '', n3: '' };
  for (const id of IDS) {
    grpc[id] = `127.0.0.1:${await freePort()}`;
    http[id] = `127.0.0.1:${await freePort()}`;
  }
  const peers = IDS.map((id) => `${id}=${grpc[id]}`).join(',');
  const endpoints = IDS.map((id) => grpc[id]).join(',');
  const procs = new Map<Id, ChildProcess>();

  const startAgent = (id: Id): void => {
    const log = createWriteStream(join(DATA, `${id}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      [CLI, 'agent', '--id', id, '--listen', grpc[id], '--http', http[id], '--data-dir', join(DATA, id), '--peers', peers, '--cluster', 'demo'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    procs.set(id, child);
  };
  const cleanup = (): void => {
    for (const p of procs.values()) if (p.exitCode === null) p.kill('SIGKILL');
  };
  process.on('exit', cleanup);

  const client = connect(endpoints, { timeoutMs: 1000 });
  const statusTable = (eps: string): void => {
    const r = spawnSync(process.execPath, [CLI, 'status', '--endpoints', eps], { encoding: 'utf8' });
    process.stdout.write(r.stdout || r.stderr);
  };
  const leaderOf = async (eps: string[]): Promise<string | undefined> => {
    for (const ep of eps) {
      const c = connect(ep, { timeoutMs: 200 });
      try {
        const s = await c.status();
        if (s.leader) return s.leader;
      } catch {
        /* next endpoint */
      } finally {
        c.close();
      }
    }
    return undefined;
  };

  try {
    step(`Starting a 3-node cluster on loopback (data and logs in ${DATA})`);
    for (const id of IDS) startAgent(id);
    const leader = (await waitFor('a leader', 15_000, () => leaderOf(IDS.map((id) => grpc[id])))) as Id;
    console.log(`leader elected: ${leader}`);
    statusTable(endpoints);

    step('Writing a few keys (replicated through the Raft log)');
    for (const [k, v] of [['config/mode', 'primary-replica'], ['config/owner', 'demo'], ['counter', '1']] as const) {
      await client.kv.put(k, v);
      console.log(`put ${k} = ${v}`);
    }

    step(`Killing the leader ${leader} with SIGKILL`);
    const survivors = IDS.filter((id) => id !== leader);
    const killedAt = performance.now();
    procs.get(leader)!.kill('SIGKILL');
    const newLeader = await waitFor('a new leader', 10_000, async () => {
      const l = await leaderOf(survivors.map((id) => grpc[id]));
      return l !== undefined && l !== leader ? l : undefined;
    });
    const electedMs = performance.now() - killedAt;
    const survivorClient = connect(survivors.map((id) => grpc[id]), { timeoutMs: 500 });
    await waitFor('a committed write on the new leader', 10_000, async () => {
      await survivorClient.kv.put('counter', '2');
      return true;
    });
    const writeMs = performance.now() - killedAt;
    console.log(`new leader: ${newLeader} — elected ${electedMs.toFixed(0)} ms after the kill, first write committed after ${writeMs.toFixed(0)} ms`);
    statusTable(survivors.map((id) => grpc[id]).join(','));

    step(`Restarting ${leader}: it rejoins as a follower and catches up from the log`);
    startAgent(leader);
    const restarted = connect(grpc[leader], { timeoutMs: 500 });
    await waitFor(`${leader} to catch up`, 15_000, async () => {
      const v = await restarted.kv.get('counter', { serializable: true });
      return v.kv?.value === '2' ? true : undefined;
    });
    console.log(`${leader} is back and has applied counter = 2`);
    statusTable(endpoints);
    restarted.close();
    survivorClient.close();
    client.close();
  } finally {
    step('Stopping the cluster');
    for (const p of procs.values()) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(
      [...procs.values()].map(
        (p) =>
          new Promise<void>((res) => {
            if (p.exitCode !== null) return res();
            const t = setTimeout(() => {
              p.kill('SIGKILL');
              res();
            }, 5000);
            p.once('exit', () => {
              clearTimeout(t);
              res();
            });
          }),
      ),
    );
    console.log('done');
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  console.error(`agent logs are in ${DATA}`);
  process.exit(1);
});
