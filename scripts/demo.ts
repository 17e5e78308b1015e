// `npm run demo`: a local 3-node palisade cluster on loopback with a live failover.
// Starts three real agents with the example hooks (cluster-examples/hooks: they print), shows
// the status table, kills the ACTIVE node with SIGKILL, measures how long until another node
// serves /primary (and what its hooks printed), restarts the old node, shows it rejoin as a
// replica, and cleans up. Progress goes to stdout; agent logs (JSON lines) to data/demo/*.log.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { connect } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const DATA = join(ROOT, 'data', 'demo');
const HOOKS = join(ROOT, 'cluster-examples', 'hooks');
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
      [
        CLI, 'agent', '--id', id, '--listen', grpc[id], '--http', http[id], '--data-dir', join(DATA, id),
        '--peers', peers, '--cluster', 'demo',
        '--on-promote', join(HOOKS, 'promote'), '--on-demote', join(HOOKS, 'demote'), '--on-fence', join(HOOKS, 'fence'),
        '--hook-timeout-ms', '2000',
      ],
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
  /** The node whose HTTP /primary answers 200, if any (the active node). */
  const activeOf = async (ids: readonly Id[]): Promise<Id | undefined> => {
    for (const id of ids) {
      try {
        const r = await fetch(`http://${http[id]}/primary`, { signal: AbortSignal.timeout(200) });
        if (r.status === 200) return id;
      } catch {
        /* down or not answering */
      }
    }
    return undefined;
  };
  /** What the hooks printed on one node since the last call (from its JSON log). */
  const logOffsets = new Map<Id, number>();
  const hookOutput = (id: Id): string[] => {
    let text = '';
    try {
      text = readFileSync(join(DATA, `${id}.log`), 'utf8');
    } catch {
      return [];
    }
    const from = logOffsets.get(id) ?? 0;
    logOffsets.set(id, text.length);
    const lines: string[] = [];
    for (const line of text.slice(from).split('\n')) {
      try {
        const rec = JSON.parse(line) as { stream?: string; hook?: string; msg?: string };
        if (rec.hook && rec.stream === 'stdout' && rec.msg) lines.push(`  [${id} hook] ${rec.msg}`);
      } catch {
        /* not a JSON line */
      }
    }
    return lines;
  };
  const showHooks = (): void => {
    for (const id of IDS) for (const l of hookOutput(id)) console.log(l);
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
    const active = await waitFor('an active node (/primary 200)', 15_000, () => activeOf(IDS));
    console.log(`active node: ${active} (its /primary answers 200; the others answer 503)`);
    showHooks();
    statusTable(endpoints);

    step('Writing a few keys (replicated through the Raft log)');
    for (const [k, v] of [['config/mode', 'primary-replica'], ['config/owner', 'demo'], ['counter', '1']] as const) {
      await client.kv.put(k, v);
      console.log(`put ${k} = ${v}`);
    }

    step(`Killing the active node ${active} with SIGKILL`);
    const survivors = IDS.filter((id) => id !== active);
    const killedAt = performance.now();
    procs.get(active)!.kill('SIGKILL');
    const newActive = await waitFor('a new active node', 15_000, () => activeOf(survivors), 2);
    const failoverMs = performance.now() - killedAt;
    console.log(`new active node: ${newActive} — /primary answered 200 ${failoverMs.toFixed(0)} ms after the kill`);
    console.log(`(fencing mode hook: the new active ran the fence hook against ${active} before its promote hook)`);
    showHooks();
    const survivorClient = connect(survivors.map((id) => grpc[id]), { timeoutMs: 2000 });
    await survivorClient.kv.put('counter', '2');
    statusTable(survivors.map((id) => grpc[id]).join(','));

    step(`Restarting ${active}: it demotes at start-up, rejoins as a replica and catches up from the log`);
    startAgent(active);
    const restarted = connect(grpc[active], { timeoutMs: 500 });
    await waitFor(`${active} to catch up`, 15_000, async () => {
      const v = await restarted.kv.get('counter', { serializable: true });
      return v.kv?.value === '2' ? true : undefined;
    });
    await waitFor(`${active} to serve /replica`, 15_000, async () => {
      const r = await fetch(`http://${http[active]}/replica`, { signal: AbortSignal.timeout(200) });
      return r.status === 200 ? true : undefined;
    });
    console.log(`${active} is back as a replica (its /replica answers 200) and has applied counter = 2`);
    showHooks();
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
