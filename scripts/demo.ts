// `npm run demo`: a local 3-node palisade cluster on loopback with a live failover.
// Starts three real agents with the example hooks (cluster-examples/hooks: they print), shows
// the status table, kills the ACTIVE node with SIGKILL, measures how long until another node
// serves /primary (and what its hooks printed), restarts the old node, shows it rejoin as a
// replica, and cleans up. Progress goes to stdout; agent logs (JSON lines) to data/demo/*.log.
//
// `npm run demo -- --tls`: the same with mutual TLS — a CA, node certificates and an admin
// user's certificate made as `palisade certs` makes them (the system's openssl), node
// certificates on the peer ports, each agent's client API on a port of its own, and the demo's
// clients and CLI calls as the admin user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { caPaths, initCa, issueNode, issueUser, nodePaths, userPaths } from '../src/cli/pki.js';
import { connect, type ClientTls } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const DATA = join(ROOT, 'data', 'demo');
const HOOKS = join(ROOT, 'cluster-examples', 'hooks');
const IDS = ['n1', 'n2', 'n3'] as const;
type Id = (typeof IDS)[number];
const PKI = join(DATA, 'pki');
const DEMO_USER = 'demo-admin';

function parseArgs(argv: readonly string[]): { tls: boolean } {
  let tls = false;
  for (const a of argv) {
    if (a === '--tls') tls = true;
    else {
      console.error(`demo: unknown argument "${a}" — usage: npm run demo [-- --tls]`);
      process.exit(2);
    }
  }
  return { tls };
}
const OPTS = parseArgs(process.argv.slice(2));
// grpc-js gives the TLS server name as the IP address dialled, which Node warns about (DEP0123);
// the certificates carry the loopback addresses, so the warning says nothing here.
process.removeAllListeners('warning');
process.on('warning', (w: Error & { code?: string }) => {
  if (w.code !== 'DEP0123') console.error(`${w.name}: ${w.message}`);
});

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

/** A CA, a certificate per node and an admin user's, in PKI; the user's as client settings. */
async function makePki(): Promise<ClientTls> {
  await initCa(PKI);
  for (const id of IDS) await issueNode(PKI, id);
  const user = await issueUser(PKI, DEMO_USER, 'admin');
  return { caFile: caPaths(PKI).cert, certFile: user.cert, keyFile: user.key };
}

async function main(): Promise<void> {
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const tls = OPTS.tls ? await makePki() : undefined;
  // peer: Raft; client: the client API (with TLS a port of its own, else the peer port).
  const peer: Record<Id, string> = { n1: '', n2: '', n3: '' };
  const grpc: Record<Id, string> = { n1: '', n2: '', n3: '' };
  const http: Record<Id, string> = { n1: '', n2: '', n3: '' };
  for (const id of IDS) {
    peer[id] = `127.0.0.1:${await freePort()}`;
    grpc[id] = tls !== undefined ? `127.0.0.1:${await freePort()}` : peer[id];
    http[id] = `127.0.0.1:${await freePort()}`;
  }
  const peers = IDS.map((id) => `${id}=${peer[id]}`).join(',');
  const endpoints = IDS.map((id) => grpc[id]).join(',');
  const procs = new Map<Id, ChildProcess>();
  const tlsArgs = (id: Id): string[] => {
    if (tls === undefined) return [];
    const node = nodePaths(PKI, id);
    return ['--client-listen', grpc[id], '--tls-ca', tls.caFile, '--tls-cert', node.cert, '--tls-key', node.key];
  };
  const clientOpts = (timeoutMs: number) => ({ timeoutMs, ...(tls !== undefined ? { tls } : {}) });
  const cliCreds = tls !== undefined ? ['--cacert', tls.caFile, '--cert', tls.certFile!, '--key', tls.keyFile!] : [];

  const startAgent = (id: Id): void => {
    const log = createWriteStream(join(DATA, `${id}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      [
        CLI,
        'agent',
        '--id',
        id,
        '--listen',
        peer[id],
        '--http',
        http[id],
        '--data-dir',
        join(DATA, id),
        '--peers',
        peers,
        '--cluster',
        'demo',
        ...tlsArgs(id),
        '--on-promote',
        join(HOOKS, 'promote'),
        '--on-demote',
        join(HOOKS, 'demote'),
        '--on-fence',
        join(HOOKS, 'fence'),
        '--hook-timeout-ms',
        '2000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    procs.set(id, child);
  };
  const cleanup = (): void => {
    for (const p of procs.values()) if (p.exitCode === null) p.kill('SIGKILL');
  };
  process.on('exit', cleanup);

  const client = connect(endpoints, clientOpts(1000));
  const statusTable = (eps: string): void => {
    // --no-deprecation: grpc-js names the TLS server by its IP address, which Node warns about.
    const r = spawnSync(process.execPath, ['--no-deprecation', CLI, 'status', '--endpoints', eps, ...cliCreds], { encoding: 'utf8' });
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
      const c = connect(ep, clientOpts(200));
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
    if (tls !== undefined) {
      step(`Mutual TLS: CA, node and user certificates in ${PKI} (palisade certs init / issue does the same)`);
      console.log(`nodes: CN=<id>, OU=node; the demo's clients: CN=${DEMO_USER}, OU=admin (${userPaths(PKI, DEMO_USER).cert})`);
      console.log(`peer ports ${IDS.map((id) => peer[id]).join(', ')}: members only; client ports ${endpoints}: users`);
    }
    step(`Starting a 3-node cluster on loopback${tls !== undefined ? ' with mutual TLS' : ''} (data and logs in ${DATA})`);
    for (const id of IDS) startAgent(id);
    const leader = (await waitFor('a leader', 15_000, () => leaderOf(IDS.map((id) => grpc[id])))) as Id;
    console.log(`leader elected: ${leader}`);
    const active = await waitFor('an active node (/primary 200)', 15_000, () => activeOf(IDS));
    console.log(`active node: ${active} (its /primary answers 200; the others answer 503)`);
    showHooks();
    statusTable(endpoints);

    step('Writing a few keys (replicated through the Raft log)');
    for (const [k, v] of [
      ['config/mode', 'primary-replica'],
      ['config/owner', 'demo'],
      ['counter', '1'],
    ] as const) {
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
    const survivorClient = connect(
      survivors.map((id) => grpc[id]),
      clientOpts(2000),
    );
    await survivorClient.kv.put('counter', '2');
    statusTable(survivors.map((id) => grpc[id]).join(','));

    step(`Restarting ${active}: it demotes at start-up, rejoins as a replica and catches up from the log`);
    startAgent(active);
    const restarted = connect(grpc[active], clientOpts(500));
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
