// A ProcessCluster with the active role switched on: every node runs the recording hook
// (ha-record.ts) for promote, demote and fence, serves HTTP, and publishes its pid for the fence
// hook. Adds /primary polling, the CLI against the cluster, and one call that runs every check
// on what was recorded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessCluster, runCli, waitFor, type CliResult } from './process-cluster.js';
import {
  activeIntervals,
  environmentViolations,
  epochViolations,
  formatRecords,
  nowNs,
  overlapViolations,
  primaryViolations,
  readRecords,
  setFenceKills,
  setHookMode,
  writeRecordingHook,
  type HookDir,
  type HookEvent,
  type HookMode,
  type HookRecord,
  type PrimaryObservation,
} from './ha-record.js';

/**
 * Timings of the HA process tests. The active node starts demoting when its lease has less
 * than the demote budget (demote hook timeout + kill grace + 10 ms) left, so the budget must
 * fit well inside the lease L ≈ 0.97·(election timeout − tick) − 10 ms, in fencing mode hook
 * too: 800 ms hooks (budget 1010 ms) against a 1500 ms election timeout (L ≈ 1450 ms) keep the
 * lease-mode inequality with room for a loaded machine (see the todo test in ha-timing.test.ts).
 */
export const HA_ELECTION_MS = 1500;
export const HA_HOOK_TIMEOUT_MS = 800;

export interface HaClusterOptions {
  readonly size?: number;
  readonly cluster?: string;
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  readonly hookTimeoutMs?: number;
  /** The fence hook SIGKILLs a live target (default true); false: it only records. */
  readonly fenceKills?: boolean;
  /** More flags per node (e.g. --priority). */
  readonly extraArgs?: (id: string) => readonly string[];
  /** Mutual TLS between the agents and for the CLI (ProcessCluster's `tls`). */
  readonly tls?: boolean;
}

export interface HttpAnswer {
  readonly code: number;
  readonly body: unknown;
}

export class HaCluster {
  readonly polls: PrimaryObservation[] = [];
  private polling = false;
  private poller: Promise<void> | undefined;
  private round = 0;
  private readonly stopped = new Set<string>();

  private constructor(
    readonly pc: ProcessCluster,
    readonly hooks: HookDir,
    readonly clusterName: string,
    /** Every pid each node's agent had (restarts add one), for the PALISADE_NODE_ID check. */
    readonly pids: ReadonlyMap<string, readonly number[]>,
    private readonly fenceKills: boolean,
  ) {}

  static async start(o: HaClusterOptions = {}): Promise<HaCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-ha-'));
    const hooks = writeRecordingHook(dir);
    setFenceKills(hooks, o.fenceKills ?? true);
    const clusterName = o.cluster ?? 'ha-proc';
    const pids = new Map<string, number[]>();
    let pc: ProcessCluster;
    try {
      pc = await ProcessCluster.start({
        size: o.size ?? 3,
        cluster: clusterName,
        heartbeatMs: o.heartbeatMs ?? 50,
        electionTimeoutMs: o.electionTimeoutMs ?? HA_ELECTION_MS,
        http: true,
        tls: o.tls ?? false,
        extraArgs: (id) => [
          '--on-promote',
          hooks.hook,
          '--on-demote',
          hooks.hook,
          '--on-fence',
          hooks.hook,
          '--fencing',
          'hook',
          '--hook-timeout-ms',
          String(o.hookTimeoutMs ?? HA_HOOK_TIMEOUT_MS),
          ...(o.extraArgs?.(id) ?? []),
        ],
        onSpawn: (n) => {
          const pid = n.child?.pid;
          if (pid === undefined) return;
          writeFileSync(join(hooks.pidDir, n.id), String(pid));
          pids.set(n.id, [...(pids.get(n.id) ?? []), pid]);
        },
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new HaCluster(pc, hooks, clusterName, pids, o.fenceKills ?? true);
  }

  get ids(): readonly string[] {
    return this.pc.founders;
  }

  setHook(node: string, event: HookEvent, mode: HookMode): void {
    setHookMode(this.hooks, node, event, mode);
  }

  records(): HookRecord[] {
    return readRecords(this.hooks.recordFile);
  }

  /** GET on a node's HTTP endpoint; code 0 when it does not answer within `timeoutMs`. */
  async http(id: string, path: string, timeoutMs = 300): Promise<HttpAnswer> {
    const addr = this.pc.node(id).httpAddress;
    if (addr === undefined || !this.pc.isRunning(id)) return { code: 0, body: undefined };
    try {
      const res = await fetch(`http://${addr}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { code: res.status, body };
    } catch {
      return { code: 0, body: undefined };
    }
  }

  /** The nodes answering /primary 200 right now (one round, all asked at once). */
  async primaries(ids: readonly string[] = this.pc.running()): Promise<string[]> {
    const answers = await Promise.all(ids.map(async (id) => [id, (await this.http(id, '/primary')).code] as const));
    return answers.filter(([, code]) => code === 200).map(([id]) => id);
  }

  /** The active node and epoch that `id`'s /status reports (undefined: no answer or none). */
  async activeSeenBy(id: string): Promise<{ node: string; epoch: number } | undefined> {
    const s = await this.http(id, '/status');
    return (s.body as { ha?: { active?: { node: string; epoch: number } | null } } | undefined)?.ha?.active ?? undefined;
  }

  /**
   * Waits until exactly one node (not in `exclude`) answers /primary 200 and no other does, and
   * returns it with the epoch its /status reports.
   */
  async waitForActive(opts: { exclude?: readonly string[]; timeoutMs?: number } = {}): Promise<{ node: string; epoch: number }> {
    return this.explained(
      waitFor(
        `exactly one active node${opts.exclude?.length ? ` other than ${opts.exclude.join(', ')}` : ''} (/primary 200)`,
        async () => {
          const p = await this.primaries();
          if (p.length !== 1 || opts.exclude?.includes(p[0])) return undefined;
          const active = await this.activeSeenBy(p[0]);
          if (!active || active.node !== p[0]) return undefined;
          return { node: active.node, epoch: active.epoch };
        },
        opts.timeoutMs ?? 20_000,
      ),
    );
  }

  /**
   * Waits until `active` (as returned by waitForActive) is still the one node answering /primary
   * 200 and its /status still names it with the same epoch: the role did not move. A single
   * /primary probe is not enough on a loaded machine: a probe that times out (300 ms) reads as
   * "not primary", so this asks again until the deadline, and on failure shows every node's
   * recent /primary answers.
   */
  async expectStillActive(active: { node: string; epoch: number }, timeoutMs = 5_000): Promise<void> {
    const since = nowNs();
    let last = '';
    try {
      await waitFor(
        `${active.node} still the only active node (epoch ${active.epoch})`,
        async () => {
          const p = await this.primaries();
          const now = await this.activeSeenBy(active.node);
          last = `/primary 200 on [${p.join(', ')}]; /status of ${active.node} names ${JSON.stringify(now ?? null)}`;
          return p.length === 1 && p[0] === active.node && now?.node === active.node && now.epoch === active.epoch;
        },
        timeoutMs,
      );
    } catch (err) {
      const polls = this.polls
        .filter((o) => o.sent >= since)
        .map((o) => `${Number(o.sent - since) / 1e6} ms ${o.node} ${o.code}`)
        .join('\n');
      throw new Error(`${(err as Error).message}; last seen: ${last}\n--- /primary polls since the wait began\n${polls}${this.explain()}`, {
        cause: err,
      });
    }
  }

  /** Rethrows with the recording and the log tails, for a failure that says what happened. */
  async explained<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw new Error(`${(err as Error).message}${this.explain()}`, { cause: err });
    }
  }

  /** SIGSTOP (remembered, so heal() can wake it). */
  async stop(id: string): Promise<void> {
    await this.pc.signal(id, 'SIGSTOP');
    this.stopped.add(id);
  }

  async cont(id: string): Promise<void> {
    await this.pc.signal(id, 'SIGCONT');
    this.stopped.delete(id);
  }

  /**
   * Undoes what a test (perhaps a failed one) left behind: wakes stopped nodes, restarts dead
   * ones, restores default hook behaviour, and waits for one active node.
   */
  async heal(): Promise<void> {
    for (const id of [...this.stopped]) if (this.pc.isRunning(id)) await this.cont(id);
    this.stopped.clear();
    for (const id of this.ids) {
      const n = this.pc.node(id);
      // A fence hook may have SIGKILLed it behind the ProcessCluster's back.
      if (n.child !== undefined && (n.child.exitCode !== null || n.child.signalCode !== null)) await this.pc.exitOf(id, 1000);
      if (!this.pc.isRunning(id)) this.pc.start(id);
    }
    for (const id of this.ids) for (const e of ['promote', 'demote', 'fence'] as const) this.setHook(id, e, 'ok');
    setFenceKills(this.hooks, this.fenceKills);
    await this.waitForActive({ timeoutMs: 30_000 });
  }

  /** Polls /primary on every running node each `everyMs` into `polls` until stopPolling(). */
  startPolling(everyMs = 20): void {
    if (this.polling) return;
    this.polling = true;
    this.poller = (async () => {
      while (this.polling) {
        const round = this.round++;
        await Promise.all(
          this.pc.running().map(async (node) => {
            const sent = nowNs();
            const { code } = await this.http(node, '/primary', 250);
            this.polls.push({ round, node, sent, received: nowNs(), code });
          }),
        );
        await new Promise((ok) => setTimeout(ok, everyMs));
      }
    })();
  }

  async stopPolling(): Promise<void> {
    this.polling = false;
    await this.poller;
    this.poller = undefined;
  }

  /** `palisade ...args --endpoints <running nodes>` (or the given nodes). */
  cli(args: readonly string[], ids: readonly string[] = this.pc.running()): Promise<CliResult> {
    return runCli([...args, '--endpoints', this.pc.endpoints(ids), ...this.pc.cliCredentials()]);
  }

  /** Every check on the recording and the /primary polls; empty when all hold. */
  violations(): string[] {
    const recs = this.records();
    const intervals = activeIntervals(recs);
    return [
      ...overlapViolations(intervals),
      ...epochViolations(recs),
      ...environmentViolations(recs, { cluster: this.clusterName, nodes: this.ids, pidsOf: (n) => this.pids.get(n) ?? [] }),
      ...primaryViolations(this.polls, intervals),
    ];
  }

  /** The recording, the polls with a 200 and each node's log tail: for assertion messages. */
  explain(): string {
    let recs = '';
    try {
      recs = formatRecords(this.records());
    } catch (err) {
      recs = `(record unreadable: ${(err as Error).message})`;
    }
    const tails = this.ids.map((id) => `--- ${id} log (tail)\n${this.pc.log(id).split('\n').slice(-25).join('\n')}`).join('\n');
    return `\n--- hook record\n${recs}\n${tails}`;
  }

  async close(): Promise<void> {
    await this.stopPolling();
    await this.pc.close();
    if (process.env.PALISADE_TEST_KEEP === '1') process.stderr.write(`ha-cluster: kept ${this.hooks.dir}\n`);
    else rmSync(this.hooks.dir, { recursive: true, force: true });
  }
}
