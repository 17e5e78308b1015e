// A real HAProxy for the load-balancer tests and the failover benchmark: started in the foreground
// on a rendered config, its log lines stamped on arrival and parsed into server state changes
// ("Server primary/n2 is UP"), plus the two things in front of and behind it — a stand-in for the
// database on each node that answers with the node's id, and a client that opens connections
// through a frontend one after the other and records who answered.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export const HAPROXY_BIN = process.env.PALISADE_HAPROXY ?? '/usr/sbin/haproxy';

const nowNs = (): bigint => process.hrtime.bigint();

/** Why HAProxy cannot be used here (undefined when it can). */
export function haproxySkipReason(): string | undefined {
  if (!existsSync(HAPROXY_BIN))
    return `HAProxy is not installed (${HAPROXY_BIN} missing; apt-get install haproxy, or set PALISADE_HAPROXY)`;
  const r = spawnSync(HAPROXY_BIN, ['-v'], { encoding: 'utf8', timeout: 5000 });
  const v = /HAProxy version (\d+)\.(\d+)/.exec(r.stdout ?? '');
  if (v === null) return `${HAPROXY_BIN} -v did not print a version: ${r.stderr ?? ''}`;
  if (Number(v[1]) < 2 || (Number(v[1]) === 2 && Number(v[2]) < 4))
    return `HAProxy ${v[1]}.${v[2]} is too old: the timing rule assumes 2.4+ check scheduling`;
  return undefined;
}

export interface ServerStateChange {
  readonly atNs: bigint;
  readonly backend: string;
  readonly server: string;
  readonly up: boolean;
  /** HAProxy's reason, e.g. "Layer7 timeout" or "Layer4 connection problem". */
  readonly reason: string;
}

export class HaproxyProcess {
  readonly changes: ServerStateChange[] = [];
  private readonly lines: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  /** Validates the config (`haproxy -c`: a clear error on a bad one), then runs it in the foreground. */
  static start(configText: string, dir: string): HaproxyProcess {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, configText);
    const check = spawnSync(HAPROXY_BIN, ['-c', '-f', file], { encoding: 'utf8', timeout: 10_000 });
    if (check.status !== 0) throw new Error(`haproxy -c rejected the rendered config ${file}:\n${check.stdout}${check.stderr}`);
    const child = spawn(HAPROXY_BIN, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const exited = new Promise<void>((ok) => child.once('exit', () => (running.delete(child), ok())));
    const p = new HaproxyProcess(child, exited);
    // State changes are logged once by the proxy (stdout) and warned once on stderr: take stdout.
    p.follow(child.stdout, true);
    p.follow(child.stderr, false);
    return p;
  }

  private follow(stream: NodeJS.ReadableStream, parse: boolean): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const at = nowNs();
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        const m = parse ? /Server (\S+)\/(\S+) is (UP|DOWN)\b/.exec(line) : null;
        if (m !== null)
          this.changes.push({ atNs: at, backend: m[1], server: m[2], up: m[3] === 'UP', reason: /reason: ([^,]+)/.exec(line)?.[1] ?? '' });
      }
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines HAProxy printed, for failure messages. */
  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  async close(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** A TCP service on `host` (any free port) that writes `id\n` to every connection and closes it. */
/** `port` 0 picks a free one; a given port restarts a stopped stand-in where HAProxy expects it. */
export async function startStandIn(host: string, id: string, port = 0): Promise<{ address: string; close: () => Promise<void> }> {
  const server: Server = createServer((sock) => {
    sock.on('error', () => undefined);
    sock.end(`${id}\n`);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const bound = (server.address() as { port: number }).port;
  return {
    address: `${host}:${bound}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export interface ConnectionRecord {
  /** CLOCK_MONOTONIC ns: connect() called, and the answer (or failure) complete. */
  readonly sentNs: bigint;
  readonly doneNs: bigint;
  /** The node id that answered; '' when nobody did (HAProxy had no server, or the connection failed). */
  readonly node: string;
}

/** One connection through HAProxy: who answered. */
export function openOnce(host: string, port: number, timeoutMs = 1000): Promise<ConnectionRecord> {
  const sentNs = nowNs();
  return new Promise((ok) => {
    let data = '';
    let settled = false;
    const sock = connect({ host, port });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      ok({ sentNs, doneNs: nowNs(), node: data.trim() });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (s: string) => (data += s));
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', finish);
  });
}

/**
 * Opens connections through one frontend one after another (the next right after the previous
 * one answered, `gapMs` later) into `records` until stop() or `maxMs` have passed.
 */
export class ConnectionProbe {
  readonly records: ConnectionRecord[] = [];
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly gapMs = 2,
  ) {}

  start(maxMs: number): void {
    if (this.running) return;
    this.running = true;
    const end = performance.now() + maxMs;
    this.loop = (async () => {
      while (this.running && performance.now() < end) {
        this.records.push(await openOnce(this.host, this.port));
        await new Promise((r) => setTimeout(r, this.gapMs));
      }
      this.running = false;
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  answered(): ConnectionRecord[] {
    return this.records.filter((r) => r.node !== '');
  }
}

/** The answering nodes in order with consecutive repeats folded: [n1, n2] is one switch, [n1, n2, n1] alternation. */
export function runsOf(records: readonly ConnectionRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) if (r.node !== '' && out[out.length - 1] !== r.node) out.push(r.node);
  return out;
}
