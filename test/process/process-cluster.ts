// A cluster of real `palisade agent` processes on loopback, for the process tests: free ports,
// a temp dir holding each node's data dir and log file, signals (kill -9, SIGSTOP, SIGCONT,
// SIGTERM), restarts, the CLI as a child process, and bounded condition waits — never a sleep
// used as synchronization. Everything it starts is killed, and the temp dir removed, by close()
// (and, as a last resort, when the test process exits). PALISADE_TEST_KEEP=1 keeps the dir.
// With `tls`, the agents run with mutual TLS (certificates from src/cli/pki.ts, as `palisade
// certs` makes them) and a client port of their own; the helpers' clients and CLI credentials
// follow, as an admin user.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { caPaths, initCa, issueNode, issueUser, nodePaths, userPaths } from '../../src/cli/pki.js';
import { connect } from '../../src/client/index.js';
import type { ClientTls, NodeStatusReport, PalisadeClient } from '../../src/client/index.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'dist/src/cli/main.js');

/** Fails fast with the fix when the build the processes run is missing. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing — run \`npm run build\` first (npm test does)`);
}

export async function freePorts(n: number): Promise<number[]> {
  // All held open at once so the n ports are distinct.
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((ok, fail) => {
          const s = createServer();
          s.once('error', fail);
          s.listen(0, '127.0.0.1', () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

/**
 * Fresh agents to agree on a leader. On a shared 2-core machine under load an agent may take
 * seconds just to start listening, and its ticks run late, so the first election comes late.
 */
const STARTUP_LEADER_TIMEOUT_MS = 30_000;

/** Polls `check` until it returns a truthy value; throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      const why = last instanceof Error ? last.message : last === undefined ? '' : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why ? ` (last error: ${why})` : ''}`);
    }
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/src/cli/main.js ...args` to completion (killed after `timeoutMs`). */
export function runCli(args: readonly string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.once('error', fail);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      ok({ code, signal, stdout, stderr });
    });
  });
}

// Children of this test process, killed on exit even when a test forgets (or crashes).
const live = new Set<ChildProcess>();
function killLive(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.once('exit', killLive);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killLive();
    process.kill(process.pid, sig); // the default action now: exit as the signal intended
  });
}

export interface ClusterOptions {
  readonly size: number;
  readonly cluster?: string;
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  readonly snapshotEntries?: number;
  /** Ids beyond the founding members that tests may add later (ports are reserved for them). */
  readonly spareIds?: readonly string[];
  /** Reserve an HTTP port per node and pass `--http` (see AgentProcess.httpAddress). */
  readonly http?: boolean;
  /** More agent flags per node, appended to the defaults (e.g. hooks, --priority). */
  readonly extraArgs?: (id: string) => readonly string[];
  /** Called after each spawn (e.g. to publish the pid for a fence hook). */
  readonly onSpawn?: (node: AgentProcess) => void;
  /**
   * Replaces a founding member's whole argument list (e.g. `agent --config FILE` for an example's
   * YAML rendered with this cluster's addresses); extraArgs is then not added.
   */
  readonly argsFor?: (cluster: ProcessCluster, id: string) => readonly string[];
  /**
   * Mutual TLS: a CA and node certificates in the temp dir, --tls-ca/--tls-cert/--tls-key and
   * --client-listen on every agent; clients and cliCredentials() use an admin user's certificate.
   */
  readonly tls?: boolean;
}

type Extras = 'spareIds' | 'http' | 'extraArgs' | 'onSpawn' | 'argsFor' | 'tls';

/** The admin user the helpers act as on a TLS cluster. */
const TLS_USER = 'test-admin';

export interface AgentProcess {
  readonly id: string;
  /** The peer (Raft) address. */
  readonly address: string;
  /** Where clients call: the --client-listen address with TLS, else the peer address. */
  readonly clientAddress: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** host:port of the HTTP endpoints (/primary, /status, ...) when the cluster was started with `http`. */
  readonly httpAddress: string | undefined;
  /** The current process, undefined while the node is down. */
  child: ChildProcess | undefined;
  /** Settles with the exit of the current process. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
}

/** Observations of who leads each term, from every node's own status over time. */
export interface LeaderObservation {
  readonly node: string;
  readonly term: number;
  /** The leader the node names ("" for none). */
  readonly leader: string;
  readonly at: number;
}

export class ProcessCluster {
  readonly nodes = new Map<string, AgentProcess>();
  readonly observations: LeaderObservation[] = [];
  private readonly clients = new Map<string, PalisadeClient>();
  private observing = false;
  private observers: Promise<void>[] = [];

  private constructor(
    readonly root: string,
    readonly opts: Required<Omit<ClusterOptions, Extras>>,
    readonly founders: readonly string[],
    private readonly extras: Pick<ClusterOptions, 'extraArgs' | 'onSpawn' | 'argsFor'> = {},
    /** The PKI directory when the cluster runs with TLS. */
    readonly pki: string | undefined = undefined,
  ) {}

  /** Starts `size` founding members (n1..nN) and waits until they agree on a leader. */
  static async start(options: ClusterOptions): Promise<ProcessCluster> {
    requireBuild();
    const opts = {
      size: options.size,
      cluster: options.cluster ?? 'palisade',
      heartbeatMs: options.heartbeatMs ?? 50,
      electionTimeoutMs: options.electionTimeoutMs ?? 300,
      snapshotEntries: options.snapshotEntries ?? 10_000,
    };
    const founders = Array.from({ length: opts.size }, (_, i) => `n${i + 1}`);
    const ids = [...founders, ...(options.spareIds ?? [])];
    const portsPerNode = 1 + (options.http === true ? 1 : 0) + (options.tls === true ? 1 : 0);
    const ports = await freePorts(portsPerNode * ids.length);
    const root = mkdtempSync(join(tmpdir(), 'palisade-proc-'));
    const pki = options.tls === true ? join(root, 'pki') : undefined;
    const extras = {
      ...(options.extraArgs !== undefined ? { extraArgs: options.extraArgs } : {}),
      ...(options.onSpawn !== undefined ? { onSpawn: options.onSpawn } : {}),
      ...(options.argsFor !== undefined ? { argsFor: options.argsFor } : {}),
    };
    const c = new ProcessCluster(root, opts, founders, extras, pki);
    const nextPort = (() => {
      let k = 0;
      return () => `127.0.0.1:${ports[k++]}`;
    })();
    ids.forEach((id) => {
      const address = nextPort();
      c.nodes.set(id, {
        id,
        address,
        clientAddress: options.tls === true ? nextPort() : address,
        httpAddress: options.http === true ? nextPort() : undefined,
        dataDir: join(root, id),
        logFile: join(root, `${id}.log`),
        child: undefined,
        exited: undefined,
      });
    });
    try {
      if (pki !== undefined) {
        await initCa(pki);
        for (const id of ids) await issueNode(pki, id);
        await issueUser(pki, TLS_USER, 'admin');
      }
      for (const id of founders) c.start(id);
      await c.waitForLeader(undefined, STARTUP_LEADER_TIMEOUT_MS);
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  node(id: string): AgentProcess {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id} in this cluster`);
    return n;
  }

  get peersFlag(): string {
    return this.founders.map((id) => `${id}=${this.node(id).address}`).join(',');
  }

  /** The agent flags every node shares. */
  commonArgs(): string[] {
    return [
      '--cluster',
      this.opts.cluster,
      '--heartbeat-ms',
      String(this.opts.heartbeatMs),
      '--election-timeout-ms',
      String(this.opts.electionTimeoutMs),
      '--snapshot-entries',
      String(this.opts.snapshotEntries),
    ];
  }

  /** The flags a founding member (or, with `join`, a node added later) is started with. */
  agentArgs(id: string, how: { join?: string } = {}): string[] {
    if (how.join === undefined && this.extras.argsFor !== undefined) return [...this.extras.argsFor(this, id)];
    const n = this.node(id);
    const membership = how.join !== undefined ? ['--join', how.join] : ['--peers', this.peersFlag];
    const http = n.httpAddress !== undefined ? ['--http', n.httpAddress] : [];
    const extra = this.extras.extraArgs?.(id) ?? [];
    return [
      'agent',
      '--id',
      id,
      '--listen',
      n.address,
      '--data-dir',
      n.dataDir,
      ...membership,
      ...this.commonArgs(),
      ...http,
      ...this.tlsArgs(id),
      ...extra,
    ];
  }

  /** A node's TLS flags (its certificate and its own client port); none without TLS. */
  tlsArgs(id: string): string[] {
    if (this.pki === undefined) return [];
    const cert = nodePaths(this.pki, id);
    return [
      '--client-listen',
      this.node(id).clientAddress,
      '--tls-ca',
      caPaths(this.pki).cert,
      '--tls-cert',
      cert.cert,
      '--tls-key',
      cert.key,
    ];
  }

  /** The admin user's certificate for clients of a TLS cluster; undefined without TLS. */
  clientTls(): ClientTls | undefined {
    if (this.pki === undefined) return undefined;
    const user = userPaths(this.pki, TLS_USER);
    return { caFile: caPaths(this.pki).cert, certFile: user.cert, keyFile: user.key };
  }

  /** The CLI flags that go with clientTls() (none without TLS). */
  cliCredentials(): string[] {
    const tls = this.clientTls();
    return tls === undefined ? [] : ['--cacert', tls.caFile, '--cert', tls.certFile!, '--key', tls.keyFile!];
  }

  /** Spawns the node's agent (logs appended to its log file). `args` replaces the default flags. */
  start(id: string, args: readonly string[] = this.agentArgs(id)): AgentProcess {
    const n = this.node(id);
    if (n.child !== undefined) throw new Error(`${id} is already running (pid ${n.child.pid})`);
    const fd = openSync(n.logFile, 'a');
    writeFileSync(fd, `--- start ${args.join(' ')}\n`);
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(child);
    n.child = child;
    n.exited = new Promise((ok) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        ok({ code, signal });
      }),
    );
    this.extras.onSpawn?.(n);
    return n;
  }

  isRunning(id: string): boolean {
    return this.node(id).child !== undefined;
  }

  running(): string[] {
    return [...this.nodes.values()].filter((n) => n.child !== undefined).map((n) => n.id);
  }

  /** Sends `signal`; for SIGKILL/SIGTERM waits for the exit and marks the node down. */
  async signal(
    id: string,
    signal: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const n = this.node(id);
    const child = n.child;
    if (child === undefined) throw new Error(`${id} is not running`);
    child.kill(signal);
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return undefined;
    const exit = await withTimeout(n.exited!, 15_000, `${id} to exit after ${signal}`);
    this.down(id);
    return exit;
  }

  kill9(id: string) {
    return this.signal(id, 'SIGKILL');
  }

  /** Power loss: SIGKILL to every running node before waiting for any of them. */
  async killAll(): Promise<void> {
    const ids = this.running();
    for (const id of ids) this.node(id).child!.kill('SIGKILL');
    await Promise.all(ids.map((id) => withTimeout(this.node(id).exited!, 15_000, `${id} to die`)));
    for (const id of ids) this.down(id);
  }

  /** Waits for a node that exits on its own (bad config, corrupt data dir) and returns its exit. */
  async exitOf(id: string, timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const n = this.node(id);
    const exit = await withTimeout(n.exited!, timeoutMs, `${id} to exit on its own`);
    this.down(id);
    return exit;
  }

  private down(id: string): void {
    const n = this.node(id);
    n.child = undefined;
    n.exited = undefined;
    this.clients.get(id)?.close();
    this.clients.delete(id);
  }

  log(id: string): string {
    try {
      return readFileSync(this.node(id).logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** A client talking to one node only (no failover), short deadlines: for probing that node. */
  client(id: string): PalisadeClient {
    let c = this.clients.get(id);
    if (c === undefined) {
      c = connect(this.node(id).clientAddress, { timeoutMs: 1000, attemptTimeoutMs: 1000, ...this.tlsOption() });
      this.clients.set(id, c);
    }
    return c;
  }

  /** A failover client over the given nodes (default: every running node). */
  connect(ids: readonly string[] = this.running(), timeoutMs = 5000): PalisadeClient {
    return connect(
      ids.map((id) => this.node(id).clientAddress),
      { timeoutMs, ...this.tlsOption() },
    );
  }

  private tlsOption(): { tls?: ClientTls } {
    const tls = this.clientTls();
    return tls === undefined ? {} : { tls };
  }

  /** The client endpoints of the given nodes (default: every running one), for --endpoints. */
  endpoints(ids: readonly string[] = this.running()): string {
    return ids.map((id) => this.node(id).clientAddress).join(',');
  }

  status(id: string): Promise<NodeStatusReport> {
    return this.client(id).status();
  }

  /** The node's own role as it reports it. */
  static roleOf(s: NodeStatusReport): string | undefined {
    return s.members.find((m) => m.id === s.nodeId)?.role;
  }

  /**
   * Waits until every given node (default: all running) names the same leader in the same term,
   * and that leader is among them and calls itself leader. Returns it.
   */
  async waitForLeader(ids?: readonly string[], timeoutMs = 15_000): Promise<{ leader: string; term: number }> {
    return waitFor(
      `one leader agreed by ${(ids ?? this.running()).join(', ')}`,
      async () => {
        const who = ids ?? this.running();
        const all = await Promise.all(who.map((id) => this.status(id)));
        const first = all[0];
        if (first.leader === '' || !who.includes(first.leader)) return undefined;
        if (!all.every((s) => s.leader === first.leader && s.term === first.term)) return undefined;
        const self = all[who.indexOf(first.leader)];
        if (ProcessCluster.roleOf(self) !== 'leader') return undefined;
        return { leader: first.leader, term: first.term };
      },
      timeoutMs,
    );
  }

  /** Waits until `id` has applied at least `index`. */
  async waitForApplied(id: string, index: number, timeoutMs = 15_000): Promise<NodeStatusReport> {
    return waitFor(
      `${id} to apply index ${index}`,
      async () => {
        const s = await this.status(id);
        return s.appliedIndex >= index ? s : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Polls every node's status in the background (one loop per node, so a stopped node delays
   * nobody else) and records (node, term, leader) into `observations` until stopObserving().
   */
  startObserving(everyMs = 30): void {
    if (this.observing) return;
    this.observing = true;
    const loop = async (id: string) => {
      while (this.observing) {
        if (this.isRunning(id)) {
          try {
            const s = await this.status(id);
            this.observations.push({ node: id, term: s.term, leader: s.leader, at: performance.now() });
          } catch {
            // down, stopped or busy: nothing observed
          }
        }
        await new Promise((ok) => setTimeout(ok, everyMs));
      }
    };
    this.observers = [...this.nodes.keys()].map((id) => loop(id));
  }

  async stopObserving(): Promise<void> {
    this.observing = false;
    await Promise.all(this.observers);
    this.observers = [];
  }

  /** Kills everything still running and removes the temp dir (unless PALISADE_TEST_KEEP=1). */
  async close(): Promise<void> {
    this.observing = false;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    const ids = this.running();
    for (const id of ids) {
      const child = this.node(id).child!;
      child.kill('SIGKILL'); // also ends a SIGSTOPped process
    }
    await Promise.all(ids.map((id) => withTimeout(this.node(id).exited!, 15_000, `${id} to die`).catch(() => undefined)));
    for (const id of ids) this.down(id);
    await Promise.all(this.observers);
    if (process.env.PALISADE_TEST_KEEP === '1') process.stderr.write(`process-cluster: kept ${this.root}\n`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * At most one leader per term (Raft §5.2 Election Safety), over every observation: a node
 * naming L as leader of term T means L won T, so two different names for one term are two
 * winners. Returns the offending terms (empty when safe).
 */
export function leadersPerTermViolations(obs: readonly LeaderObservation[]): string[] {
  const byTerm = new Map<number, Map<string, string[]>>();
  for (const o of obs) {
    if (o.leader === '') continue;
    let leaders = byTerm.get(o.term);
    if (leaders === undefined) byTerm.set(o.term, (leaders = new Map<string, string[]>()));
    const seenBy = leaders.get(o.leader) ?? [];
    if (!seenBy.includes(o.node)) seenBy.push(o.node);
    leaders.set(o.leader, seenBy);
  }
  const bad: string[] = [];
  for (const [term, leaders] of byTerm) {
    if (leaders.size > 1) bad.push(`term ${term}: ${[...leaders].map(([l, by]) => `${l} (seen by ${by.join(', ')})`).join(' and ')}`);
  }
  return bad;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>(
    (_, fail) => (timer = setTimeout(() => fail(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)),
  );
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
