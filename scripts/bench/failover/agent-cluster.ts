// `palisade agent` processes started through the CLI exactly as an operator would, each its own
// process group (kill -9 takes the agent; hooks run in groups of their own), on loopback or each
// inside a network namespace. Members can be killed and restarted on their data dirs, and a
// member can join later (`--join`, after `members add`); HTTP probes go straight from here on
// loopback, or through `ip netns exec` into a namespace.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../palisade-cluster.js';
import { spawnGroup, type GroupProcess } from './detached.js';
import { fetchJson, sleep } from './poll.js';

const HAVE_CURL = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
})();

export interface AgentSpec {
  readonly id: string;
  /** host:port for gRPC (peers and clients). */
  readonly listen: string;
  /** host:port for /primary, /replica, /status. */
  readonly http: string;
  /** Network namespace to run in; undefined = this one (loopback). */
  readonly ns?: string;
}

export class AgentCluster {
  private readonly procs = new Map<string, GroupProcess>();
  private readonly members: AgentSpec[];

  constructor(
    private readonly dir: string,
    founders: readonly AgentSpec[],
    /** Flags after the identity ones (timings, hooks, VIP). */
    private readonly flags: readonly string[],
    /** Added to the agents' environment (e.g. AGENT_ENV); default: this process's environment only. */
    private readonly env?: Readonly<Record<string, string>>,
    /** The CLI to start (another build's, for an A/B in one run); default: this checkout's dist. */
    private readonly cli = CLI,
  ) {
    this.members = [...founders];
  }

  /** The founding members, then any that joined. */
  get specs(): readonly AgentSpec[] {
    return this.members;
  }

  get peers(): string {
    return this.specs.map((s) => `${s.id}=${s.listen}`).join(',');
  }

  spec(id: string): AgentSpec {
    return this.specs.find((s) => s.id === id)!;
  }

  /**
   * Starts a member. A founder (or any restart: a data dir with state ignores both) gets
   * `--peers`; `joinAddress` starts a new member with `--join` instead (announce it first with
   * `members add`).
   */
  start(id: string, joinAddress?: string): void {
    const s = this.spec(id);
    const membership = joinAddress === undefined ? ['--peers', this.peers] : ['--join', joinAddress];
    const argv = [
      process.execPath,
      this.cli,
      'agent',
      '--id',
      id,
      '--listen',
      s.listen,
      '--http',
      s.http,
      '--data-dir',
      join(this.dir, id),
      ...membership,
      ...this.flags,
    ];
    const argvInNs = s.ns !== undefined ? ['ip', 'netns', 'exec', s.ns, ...argv] : argv;
    this.procs.set(id, spawnGroup(argvInNs, join(this.dir, `${id}.log`), this.env));
  }

  /** A new member (not among the founders): started with `--join joinAddress`. */
  join(spec: AgentSpec, joinAddress: string): void {
    if (this.members.some((m) => m.id === spec.id)) throw new Error(`${spec.id} is already a member of this cluster`);
    this.members.push(spec);
    this.start(spec.id, joinAddress);
  }

  startAll(): void {
    for (const s of this.specs) this.start(s.id);
  }

  /** kill -9 of a member that has left the cluster (`members remove`): it is no longer one of specs. */
  async dismiss(id: string): Promise<void> {
    await this.kill9(id);
    this.procs.delete(id);
    this.members.splice(
      this.members.findIndex((m) => m.id === id),
      1,
    );
  }

  /** kill -9 of the agent process (its hooks, if any are running, are in their own groups). */
  kill9(id: string): Promise<void> {
    const p = this.procs.get(id)!;
    p.child.kill('SIGKILL');
    return p.exited;
  }

  running(id: string): boolean {
    const c = this.procs.get(id)?.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Throws with the log's tail when a member exited on its own (bad flags, crash). */
  assertRunning(): void {
    for (const s of this.specs) {
      if (this.procs.has(s.id) && !this.running(s.id)) {
        const tail = existsSync(this.logFile(s.id)) ? readFileSync(this.logFile(s.id), 'utf8').slice(-1500) : '(no log)';
        throw new Error(`palisade agent ${s.id} exited:\n${tail}`);
      }
    }
  }

  /** HTTP status of GET path on member id, undefined when it does not answer. */
  async http(id: string, path: string, signal: AbortSignal): Promise<number | undefined> {
    const s = this.spec(id);
    const url = `http://${s.http}${path}`;
    if (s.ns === undefined) return (await fetchJson(url, signal)).status;
    // curl starts much faster than a node process (the fallback), and this polls.
    const argv = HAVE_CURL
      ? ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '0.5', url]
      : [
          process.execPath,
          '-e',
          `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(500)}).then(r=>console.log(r.status),()=>console.log(0))`,
        ];
    return new Promise((resolve) => {
      execFile('ip', ['netns', 'exec', s.ns!, ...argv], { timeout: 3000, signal }, (_err, stdout) => {
        const code = Number(String(stdout).trim());
        resolve(code > 0 ? code : undefined);
      });
    });
  }

  /** The steady active node, waiting up to `timeoutMs` (a node that exits fails at once). */
  async awaitSteadyActive(what: string, timeoutMs = 30_000): Promise<string> {
    const never = new AbortController().signal;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const a = await this.steadyActive(never).catch(() => undefined);
      if (a !== undefined) return a;
      this.assertRunning();
      if (performance.now() > deadline)
        throw new Error(`${what}: no steady active node within ${timeoutMs / 1000} s (logs in ${this.dir})`);
      await sleep(20);
    }
  }

  /** The one member whose /primary answers 200 while every other answers /replica 200. */
  async steadyActive(signal: AbortSignal): Promise<string | undefined> {
    const answers = await Promise.all(
      this.specs.map(async (s) => ({
        id: s.id,
        primary: await this.http(s.id, '/primary', signal),
        replica: await this.http(s.id, '/replica', signal),
      })),
    );
    const actives = answers.filter((a) => a.primary === 200);
    if (actives.length !== 1) return undefined;
    return answers.every((a) => a.primary === 200 || a.replica === 200) ? actives[0].id : undefined;
  }

  logFile(id: string): string {
    return join(this.dir, `${id}.log`);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.stop(5000)));
  }
}
