// `npm run bench:floor` — what @grpc/grpc-js and a Node timer cost on this machine with nothing
// of palisade around them, so the KV and idle figures of `bench:kv` can be read against a floor:
//   1. idle: a Node process that only runs a 10 ms interval (palisade's default tick), and a
//      grpc-js server that answers one 60-byte stream message every 50 ms (one heartbeat and its
//      answer at the default heartbeat), with and without that interval; the same echo over a
//      plain TCP socket and over node:http2 without grpc-js (what is Node's, what is grpc-js's);
//      CPU per process;
//   2. unary: one client calling a grpc-js unary echo method in a loop (what a put costs the
//      client and the node it talks to, without Raft, disk or state machine);
//   3. stream round trip: one message on a bidi stream and its echo, in a loop (one replication
//      round trip between two nodes, without Raft or disk).
// Every process is separate (server and client), on 127.0.0.1; CPU from /proc/PID/stat.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './processes.js';
import { cpuMs } from './proc-stats.js';
import { percentile } from './stats.js';
import { checkFlags } from './bench-flags.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const GRPC = join(ROOT, 'node_modules', '@grpc', 'grpc-js', 'build', 'src', 'index.js');
checkFlags('grpc-floor.ts', { switches: ['--quick'] });
const quick = process.argv.includes('--quick');
const IDLE_MS = quick ? 5000 : 20_000;
const LOAD_MS = quick ? 3000 : 10_000;
const log = (s: string) => process.stderr.write(`[floor] ${s}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const METHODS = `{
  Echo: { path: '/floor.Floor/Echo', requestStream: false, responseStream: false, requestSerialize: (b) => b, requestDeserialize: (b) => b, responseSerialize: (b) => b, responseDeserialize: (b) => b },
  Stream: { path: '/floor.Floor/Stream', requestStream: true, responseStream: true, requestSerialize: (b) => b, requestDeserialize: (b) => b, responseSerialize: (b) => b, responseDeserialize: (b) => b },
}`;

const SERVER = (port: number, tick: boolean) => `
import * as grpc from ${JSON.stringify(GRPC)};
const s = new grpc.Server();
s.addService(${METHODS}, {
  Echo: (call, cb) => cb(null, call.request),
  Stream: (call) => call.on('data', (b) => call.write(b)),
});
s.bindAsync('127.0.0.1:${port}', grpc.ServerCredentials.createInsecure(), (err) => { if (err) throw err; console.log('ready'); });
${tick ? 'setInterval(() => {}, 10);' : ''}`;

const CLIENT = (port: number, mode: 'heartbeat' | 'unary' | 'stream', ms: number) => `
import * as grpc from ${JSON.stringify(GRPC)};
const C = grpc.makeGenericClientConstructor(${METHODS});
const c = new C('127.0.0.1:${port}', grpc.credentials.createInsecure());
const payload = Buffer.alloc(${mode === 'unary' ? 100 : 60});
const lat = [];
if (${JSON.stringify(mode)} === 'heartbeat') {
  const call = c.Stream();
  call.on('data', () => {});
  setInterval(() => call.write(payload), 50);
} else if (${JSON.stringify(mode)} === 'unary') {
  const once = () => new Promise((ok, ko) => c.Echo(payload, (e) => (e ? ko(e) : ok())));
  for (let i = 0; i < 300; i++) await once();
  const cpu0 = process.cpuUsage(); const end = performance.now() + ${ms};
  while (performance.now() < end) { const t = performance.now(); await once(); lat.push(performance.now() - t); }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ lat, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n', () => process.exit(0));
} else {
  const call = c.Stream();
  let next;
  call.on('data', () => next());
  const once = () => new Promise((ok) => { next = ok; call.write(payload); });
  for (let i = 0; i < 300; i++) await once();
  const cpu0 = process.cpuUsage(); const end = performance.now() + ${ms};
  while (performance.now() < end) { const t = performance.now(); await once(); lat.push(performance.now() - t); }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ lat, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n', () => process.exit(0));
}`;

// The same 60-byte echo every 50 ms without grpc-js: a plain TCP socket, and a node:http2 stream.
const NET_SERVER = (port: number) => `
import net from 'node:net';
net.createServer((s) => s.on('data', (d) => s.write(d))).listen(${port}, '127.0.0.1', () => console.log('ready'));`;
const NET_CLIENT = (port: number) => `
import net from 'node:net';
const s = net.connect(${port}, '127.0.0.1');
s.on('data', () => {});
const b = Buffer.alloc(60);
setInterval(() => s.write(b), 50);`;
const H2_SERVER = (port: number) => `
import http2 from 'node:http2';
const srv = http2.createServer();
srv.on('stream', (st) => { st.respond({ ':status': 200 }); st.on('data', (d) => st.write(d)); });
srv.listen(${port}, '127.0.0.1', () => console.log('ready'));`;
const H2_CLIENT = (port: number) => `
import http2 from 'node:http2';
const c = http2.connect('http://127.0.0.1:${port}');
const st = c.request({ ':method': 'POST', ':path': '/echo' });
st.on('data', () => {});
const b = Buffer.alloc(60);
setInterval(() => st.write(b), 50);`;

const children = new Set<ChildProcess>();
function node(source: string): ChildProcess {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((ok, ko) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) ok(buf.slice(0, i));
    });
    child.once('exit', (code) => ko(new Error(`child exited with ${code} before answering`)));
  });
}
async function cpuPercentOver(pids: number[], ms: number): Promise<number[]> {
  const before = pids.map(cpuMs);
  await sleep(ms);
  return pids.map((p, i) => ((cpuMs(p) - before[i]) / ms) * 100);
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

interface LoopResult {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly clientCpuMsPerCall: number;
  readonly serverCpuMsPerCall: number;
}

async function loop(mode: 'unary' | 'stream'): Promise<LoopResult> {
  const port = await freePort();
  const server = node(SERVER(port, false));
  await firstLine(server);
  const serverBefore = cpuMs(server.pid!);
  const client = node(CLIENT(port, mode, LOAD_MS));
  const out = JSON.parse(await firstLine(client)) as { lat: number[]; cpuMs: number };
  // The warm-up is on the server's bill too: a small overestimate of its cost per call.
  const serverCpu = cpuMs(server.pid!) - serverBefore;
  await stop(client);
  await stop(server);
  const sorted = [...out.lat].sort((a, b) => a - b);
  const calls = sorted.length;
  return {
    perSecond: calls / (LOAD_MS / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    clientCpuMsPerCall: out.cpuMs / calls,
    serverCpuMsPerCall: serverCpu / (calls + 300),
  };
}

async function main(): Promise<void> {
  const started = new Date();
  log(`idle: a bare 10 ms interval, ${IDLE_MS / 1000} s`);
  const bare = node('setInterval(() => {}, 10); console.log("ready");');
  await firstLine(bare);
  await sleep(1000);
  const [bareCpu] = await cpuPercentOver([bare.pid!], IDLE_MS);
  await stop(bare);

  const echo = async (
    serverSource: (port: number) => string,
    clientSource: (port: number) => string,
  ): Promise<{ server: number; client: number }> => {
    const port = await freePort();
    const server = node(serverSource(port));
    await firstLine(server);
    const client = node(clientSource(port));
    await sleep(2000);
    const [s, c] = await cpuPercentOver([server.pid!, client.pid!], IDLE_MS);
    await stop(client);
    await stop(server);
    return { server: s, client: c };
  };
  const heartbeat = (tick: boolean) =>
    echo(
      (port) => SERVER(port, tick),
      (port) => CLIENT(port, 'heartbeat', 0),
    );
  log('idle: one 60-byte stream message each way every 50 ms');
  const hb = await heartbeat(false);
  log('idle: the same plus a 10 ms interval in the server');
  const hbTick = await heartbeat(true);
  log('idle: the same echo over a plain TCP socket');
  const tcp = await echo(NET_SERVER, NET_CLIENT);
  log('idle: the same echo over node:http2, without grpc-js');
  const h2 = await echo(H2_SERVER, H2_CLIENT);
  log(`unary echo loop, ${LOAD_MS / 1000} s`);
  const unary = await loop('unary');
  log(`stream round-trip loop, ${LOAD_MS / 1000} s`);
  const stream = await loop('stream');

  const result = {
    benchmark: 'grpc-floor',
    date: started.toISOString(),
    command: `npm run bench:floor${quick ? ' -- --quick' : ''}`,
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', kernel: release(), node: process.version },
    idlePercentOfACore: {
      bareInterval10ms: bareCpu,
      grpcHeartbeat50msServer: hb.server,
      grpcHeartbeat50msClient: hb.client,
      grpcHeartbeat50msPlusInterval10msServer: hbTick.server,
      tcpEcho50msServer: tcp.server,
      tcpEcho50msClient: tcp.client,
      http2Echo50msServer: h2.server,
      http2Echo50msClient: h2.client,
    },
    unary,
    streamRoundTrip: stream,
  };
  const f = (n: number) => n.toFixed(2);
  process.stdout.write(
    [
      '| measurement | value |',
      '| --- | ---: |',
      `| idle: bare 10 ms interval (% of a core) | ${f(bareCpu)} |`,
      `| idle: grpc-js stream echo every 50 ms, server (% of a core) | ${f(hb.server)} |`,
      `| idle: grpc-js stream echo every 50 ms, client (% of a core) | ${f(hb.client)} |`,
      `| idle: grpc-js stream echo every 50 ms + 10 ms interval, server (% of a core) | ${f(hbTick.server)} |`,
      `| idle: plain TCP echo every 50 ms, server / client (% of a core) | ${f(tcp.server)} / ${f(tcp.client)} |`,
      `| idle: node:http2 stream echo every 50 ms, server / client (% of a core) | ${f(h2.server)} / ${f(h2.client)} |`,
      `| unary echo, 1 client: calls/s | ${unary.perSecond.toFixed(0)} |`,
      `| unary echo: p50 / p99 ms | ${f(unary.p50Ms)} / ${f(unary.p99Ms)} |`,
      `| unary echo: CPU ms per call, client / server | ${f(unary.clientCpuMsPerCall)} / ${f(unary.serverCpuMsPerCall)} |`,
      `| stream round trip, 1 at a time: per s | ${stream.perSecond.toFixed(0)} |`,
      `| stream round trip: p50 / p99 ms | ${f(stream.p50Ms)} / ${f(stream.p99Ms)} |`,
      `| stream round trip: CPU ms per round trip, client / server | ${f(stream.clientCpuMsPerCall)} / ${f(stream.serverCpuMsPerCall)} |`,
    ].join('\n') + '\n',
  );
  if (!quick) {
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `grpc-floor-${started.toISOString().slice(0, 19).replace(/[T:]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`result: ${file}`);
  }
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGKILL');
}
