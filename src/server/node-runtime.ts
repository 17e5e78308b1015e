// A running node: the Raft core, its durable storage, the state machine, the peer transport
// and the ticker, wired together around the one Ready loop. It implements the client API's
// NodePort: writes are proposed here (a follower's core forwards them to the leader) and answered
// once THIS node has applied them; linearizable reads wait for a ReadIndex point to be applied.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { HaPort, MembershipResult, NodePort, NodeRole, NodeStatus, ReadView, WriteResult } from '../api/node-port.js';
import {
  MembershipChangePendingError,
  MembershipChangeRejectedError,
  InvalidArgumentError,
  NoLeaderError,
  NotFoundError,
  ShuttingDownError,
  TimeoutError,
  WatchCompactedError as ApiWatchCompactedError,
} from '../errors.js';
import { decodeConfChange } from '../raft/conf-change-codec.js';
import { ConfChangeError, ProposalDroppedError } from '../raft/errors.js';
import type { Message } from '../raft/messages.js';
import type { Ready } from '../raft/ready.js';
import type { RawNode } from '../raft/raw-node.js';
import { ConfChangeType, EntryType, NONE, StateType, type ConfChange, type Entry, type ReadState, type Snapshot } from '../raft/types.js';
import { encodeCommand, type Command, type RequestId } from '../statemachine/commands.js';
import { InvalidCommandError, WatchCompactedError } from '../statemachine/errors.js';
import { MemberRole, type Member } from '../statemachine/membership.js';
import type { ApplyResult } from '../statemachine/results.js';
import { encodeSnapshotAsync } from '../statemachine/snapshot-codec.js';
import { StateMachine, sortedImage } from '../statemachine/state-machine.js';
import { WatchHub, type Watch, type WatchOptions } from '../statemachine/watch-hub.js';
import type { DurableStorage } from '../storage/level-storage.js';
import type { PeerTransport } from '../transport/transport.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import { EventStream } from './event-stream.js';
import { NodeMetrics, renderPrometheus, type MetricSample } from './metrics.js';
import type { NodeEvent } from './node-events.js';
import { ReadyLoop } from './ready-loop.js';
import type { LocalMembership } from './removal.js';
import { buildStatus } from './status.js';
import { StoreQuota } from './store-quota.js';
import { CONFIG_DEFAULTS } from './config.js';
import type { Ticker } from './ticker.js';
import { Waiters } from './waiters.js';

export interface RuntimeParts {
  readonly config: NodeConfig;
  readonly raw: RawNode;
  readonly storage: DurableStorage;
  readonly sm: StateMachine;
  readonly clock: Clock;
  readonly logger: Logger;
}

type WriteCommand = Extract<Command, { type: 'put' | 'delete' | 'cas' }>;

/** The process's own CPU and memory, under the names Prometheus client libraries use. */
function processSamples(): MetricSample[] {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const g = (name: string, help: string, value: number): MetricSample => ({ name, help, type: 'gauge', value });
  return [
    { name: 'process_cpu_seconds_total', help: 'User and system CPU time of this process.', type: 'counter', value: (cpu.user + cpu.system) / 1e6 },
    g('process_resident_memory_bytes', 'Resident set size of this process.', mem.rss),
    g('nodejs_heap_size_total_bytes', 'V8 heap reserved.', mem.heapTotal),
    g('nodejs_heap_size_used_bytes', 'V8 heap in use (live objects and garbage not yet collected).', mem.heapUsed),
    g('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects (buffers included).', mem.external),
  ];
}

function requestKey(r: RequestId): string {
  return `${r.clientId}\u0000${r.requestId}`;
}

function confKey(cc: ConfChange): string {
  return `${cc.type}\u0000${cc.nodeId}`;
}

export class NodeRuntime implements NodePort {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly metrics = new NodeMetrics();
  readonly events = new EventStream<NodeEvent>();
  readonly watchHub: WatchHub;
  readonly loop: ReadyLoop;
  /** The active-role layer (server/ha-driver.ts), attached by startNode. */
  ha: HaPort | undefined;
  /** Called after every handled Ready (the HA driver reads the lease fact and the applied record). */
  afterReady: ((rd: Ready) => void) | undefined;
  /** Called before each Ready is taken (ReadyExecutor.beforeReady). */
  beforeReadyHook: (() => void) | undefined;
  /** How long a client call may wait for its write, read or change to be applied. */
  readonly requestTimeoutMs: number;

  private sm: StateMachine;
  private transport: PeerTransport | undefined;
  private ticker: Ticker | undefined;
  private readonly writes = new Waiters<string, WriteResult>();
  private readonly reads = new Waiters<string, void>();
  private readonly confChanges = new Waiters<string, MembershipResult>();
  /** Read points known, waiting for apply to reach their index. */
  private readsAwaitingApply: ReadState[] = [];
  private readonly conditions = new Set<{ check: () => boolean; resolve: () => void }>();
  /** Monotonic time of the last message from each peer (leader: last contact; follower: leader liveness). */
  private readonly lastHeard = new Map<string, number>();
  /**
   * Peers whose removal this node applied (and that were not added back since). Their messages
   * are dropped: a removed node that missed its own removal keeps campaigning, and must never
   * disturb the cluster (our answers cannot reach it anyway: its stream was closed).
   */
  private readonly removedPeers = new Set<string>();
  /** This node's applied membership contained it at some point since start (removal.ts). */
  private wasMember = false;
  private removedHandler: ((provedBy: string) => void) | undefined;
  private removedBy: string | undefined;
  private readonly bootNonce = randomBytes(6).toString('hex');
  private seq = 0;
  private lastLead = NONE;
  private lastRole: NodeRole;
  private stopping = false;
  private fatalError: unknown;
  private snapshotTask: Promise<void> | undefined;
  private readonly quota: StoreQuota;

  constructor(
    private readonly parts: RuntimeParts,
    onFatal: (err: unknown) => void,
  ) {
    this.nodeId = parts.config.id;
    this.clusterId = parts.config.cluster;
    this.sm = parts.sm;
    this.watchHub = new WatchHub(this.sm);
    this.requestTimeoutMs = Math.max(2000, 10 * parts.config.electionTimeoutMs);
    this.quota = new StoreQuota(parts.config.quotaBytes ?? CONFIG_DEFAULTS.quotaBytes);
    this.lastRole = this.role();
    this.wasMember = this.isMember();
    this.loop = new ReadyLoop(parts.raw, this, parts.clock, this.metrics, (err) => {
      this.fatalError = err;
      parts.logger.error({ err }, 'ready loop failed; the node stops serving');
      onFatal(err);
    });
  }

  attach(transport: PeerTransport, ticker: Ticker): void {
    this.transport = transport;
    this.ticker = ticker;
  }

  get raw(): RawNode {
    return this.parts.raw;
  }

  /** When a message last arrived from each peer (monotonic ms). */
  get lastHeardFrom(): ReadonlyMap<string, number> {
    return this.lastHeard;
  }

  get stateMachine(): StateMachine {
    return this.sm;
  }

  // ---------------------------------------------------------------- inputs

  tick(): number {
    this.parts.raw.tick();
    this.loop.kick();
    return this.parts.raw.basicStatus().tickCount;
  }

  step(m: Message): void {
    if (this.removedPeers.has(m.from)) {
      this.metrics.droppedFromRemoved++;
      return;
    }
    this.lastHeard.set(m.from, this.parts.clock.monotonicMs());
    // Ticks the ticker slept through come first (ticker.ts, "Quiet ticks"): a heartbeat must
    // not reset an election timer that is missing ticks.
    this.ticker?.catchUp();
    this.parts.raw.step(m);
    this.loop.kick();
  }

  /**
   * Starts a leadership transfer (every caller goes through here: the API, the stop path, the
   * HA driver). The ticks the ticker slept through come first (ticker.ts, "Quiet ticks"): the
   * transfer restarts the election count, and owed ticks performed after it would cut the
   * transfer's window short. Throws what RawNode.transferLeadership throws.
   */
  beginTransfer(to: string): void {
    this.ticker?.catchUp();
    this.parts.raw.transferLeadership(to);
    this.loop.kick();
  }

  reportUnreachable(id: string): void {
    this.ticker?.catchUp();
    this.parts.raw.reportUnreachable(id);
  }

  reportSnapshot(id: string, ok: boolean): void {
    this.ticker?.catchUp();
    this.parts.raw.reportSnapshot(id, ok);
    this.loop.kick();
  }

  // ---------------------------------------------------------------- ReadyExecutor

  persist(rd: Ready): Promise<void> {
    return this.parts.storage.persistReady(rd);
  }

  send(messages: readonly Message[]): void {
    this.transport?.send(messages);
  }

  applySnapshot(snapshot: Snapshot): void {
    this.sm = StateMachine.restore(snapshot.data);
    if (this.isMember()) this.wasMember = true;
    this.metrics.snapshotsRestored++;
    this.watchHub.setSource(this.sm);
    for (const m of this.sm.members()) this.removedPeers.delete(m.id);
    this.syncAddressBook();
    this.publishMembership(snapshot.metadata.index);
    this.parts.logger.info({ index: snapshot.metadata.index }, 'state restored from snapshot');
  }

  private isMember(): boolean {
    return this.sm.members().some((m) => m.id === this.nodeId);
  }

  /** What removal.ts needs to prove this node was removed, and whom to ask. */
  localMembership(): LocalMembership & { peers: { id: string; address: string }[] } {
    const members = this.sm.members();
    return {
      cluster: this.clusterId,
      self: this.nodeId,
      wasMember: this.wasMember,
      peers: members.filter((m) => m.id !== this.nodeId && m.address !== '').map((m) => ({ id: m.id, address: m.address })),
    };
  }

  /** True while this node leads, or heard from its leader within an election timeout. */
  hasLiveLeader(): boolean {
    const r = this.parts.raw.basicStatus();
    if (r.state === StateType.Leader) return true;
    if (r.lead === NONE) return false;
    // A learner never campaigns, so it keeps naming a leader that went silent: go by time.
    const heard = this.lastHeard.get(r.lead);
    return heard !== undefined && this.parts.clock.monotonicMs() - heard <= this.parts.config.electionTimeoutMs;
  }

  applyEntries(entries: readonly Entry[]): void {
    for (const e of entries) this.onApplied(e, this.sm.apply(e));
    this.metrics.appliedEntries += entries.length;
    this.watchHub.notify();
    if (this.readsAwaitingApply.length > 0) this.releaseReads();
  }

  serveReads(readStates: readonly ReadState[]): void {
    this.readsAwaitingApply.push(...readStates);
    this.releaseReads();
  }

  beforeReady(): void {
    this.beforeReadyHook?.();
  }

  async afterAdvance(rd: Ready): Promise<void> {
    if (rd.softState !== undefined) this.onSoftState();
    else if (rd.committedEntries.some((e) => e.type === EntryType.ConfChange) || rd.snapshot) this.checkRole();
    this.afterReady?.(rd);
    // A Ready may end a quiet period (a campaign, a new leader, a new HA record).
    this.ticker?.replan();
    if (this.conditions.size > 0) {
      for (const c of [...this.conditions]) {
        if (c.check()) {
          this.conditions.delete(c);
          c.resolve();
        }
      }
    }
    this.maybeSnapshot();
  }

  /**
   * Takes a snapshot when the compaction policy says so, without holding up the Ready loop: the
   * state machine's image is frozen now (at the applied index, with the matching conf state: a
   * copy, its keys unsorted) and sorted and encoded in steps while the loop goes on. Encoding 200k keys takes ~300 ms; done inside the
   * loop, that stalled heartbeats past the lease. One at a time.
   */
  private maybeSnapshot(): void {
    if (this.snapshotTask !== undefined || this.stopping) return;
    const storage = this.parts.storage;
    const plan = storage.compactionDue(this.sm.appliedIndex);
    if (plan === undefined) return;
    const frozen = this.sm.frozenImage();
    const confState = this.parts.raw.confState();
    const task = (async () => {
      const image = await sortedImage(frozen, () => this.stopping);
      const data = image === undefined ? undefined : await encodeSnapshotAsync(image, () => this.stopping);
      if (data === undefined) return;
      const snap = await storage.installSnapshot(plan, { confState, data });
      if (snap === undefined) return;
      this.metrics.snapshotsTaken++;
      this.parts.logger.info({ index: snap.metadata.index }, 'snapshot taken, log compacted');
    })()
      .catch((err: unknown) => {
        // A failed write has already failed the storage: the next Ready's write stops the node.
        if (!this.stopping) this.parts.logger.error({ err }, 'snapshot failed');
      })
      .finally(() => {
        this.snapshotTask = undefined;
      });
    this.snapshotTask = task;
  }

  /** Resolves when no snapshot is being taken (stop waits for it before closing storage). */
  async snapshotSettled(): Promise<void> {
    await this.snapshotTask;
  }

  private onApplied(e: Entry, r: ApplyResult): void {
    switch (r.kind) {
      case 'command': {
        const o = r.outcome;
        if (this.writes.size > 0 && (o.type === 'put' || o.type === 'delete' || o.type === 'cas')) {
          if (r.request !== undefined) this.writes.resolve(requestKey(r.request), { outcome: o, duplicate: r.duplicate });
        }
        return;
      }
      case 'confChange':
        this.onConfChangeApplied(r.change, r.index);
        return;
      case 'rejected':
        this.parts.logger.warn({ index: r.index, code: r.code, reason: r.reason }, 'entry rejected by the state machine');
        if (e.type === EntryType.ConfChange && this.confChanges.size > 0) {
          try {
            this.confChanges.reject(confKey(decodeConfChange(e.data)), new MembershipChangeRejectedError(r.reason));
          } catch {
            // undecodable: nobody can be waiting for it
          }
        }
        return;
      default: {
        const never: never = r;
        throw new Error(`unknown apply result ${JSON.stringify(never)}`);
      }
    }
  }

  private onConfChangeApplied(cc: ConfChange, index: number): void {
    const members = this.sm.members();
    const m = members.find((x) => x.id === cc.nodeId);
    if (cc.nodeId === this.nodeId) {
      if (m !== undefined) this.wasMember = true;
      // Not proof that we are out now: a node added back under its old id replays its old
      // removal. It stops once a member confirms (removal.ts).
      else this.parts.logger.warn({ index }, 'applied the removal of this node');
    } else {
      if (m === undefined) {
        this.transport?.removePeer(cc.nodeId);
        this.removedPeers.add(cc.nodeId);
        this.lastHeard.delete(cc.nodeId);
      } else {
        this.removedPeers.delete(cc.nodeId);
        if (m.address !== '') this.transport?.setPeer(m.id, m.address);
      }
    }
    this.parts.logger.info({ change: cc.type, member: cc.nodeId, address: m?.address, index }, 'membership changed');
    this.confChanges.resolve(confKey(cc), { members, index });
    this.publishMembership(index, members);
  }

  /** A member proved this node was removed (removal.ts); start-node stops the node. */
  markRemoved(provedBy: string): void {
    if (this.removedBy !== undefined) return;
    this.removedBy = provedBy;
    this.removedHandler?.(provedBy);
  }

  onRemoved(handler: (provedBy: string) => void): void {
    this.removedHandler = handler;
    if (this.removedBy !== undefined) handler(this.removedBy);
  }

  private publishMembership(index: number, members: readonly Member[] = this.sm.members()): void {
    this.events.publish({
      type: 'membershipChanged',
      members: members.map((m) => ({ id: m.id, address: m.address, voter: m.role === MemberRole.Voter })),
      index,
      at: this.parts.clock.wallMs(),
    });
  }

  /** Every member with a known address is a peer of the transport (addresses learned from the log). */
  syncAddressBook(): void {
    const t = this.transport;
    if (t === undefined) return;
    const known = new Set<string>();
    for (const m of this.sm.members()) {
      known.add(m.id);
      if (m.id !== this.nodeId && m.address !== '') t.setPeer(m.id, m.address);
    }
    for (const id of t.stats().peers.keys()) if (!known.has(id) && this.sm.members().length > 0) t.removePeer(id);
  }

  private releaseReads(): void {
    const applied = this.sm.appliedIndex;
    const still: ReadState[] = [];
    for (const rs of this.readsAwaitingApply) {
      if (rs.index <= applied) this.reads.resolve(rs.context, undefined);
      else still.push(rs);
    }
    this.readsAwaitingApply = still;
  }

  private onSoftState(): void {
    const st = this.parts.raw.basicStatus();
    const at = this.parts.clock.wallMs();
    if (st.lead !== this.lastLead) {
      this.lastLead = st.lead;
      this.metrics.leaderChanges++;
      this.parts.logger.info({ leader: st.lead, term: st.term }, st.lead === NONE ? 'leader lost' : 'leader changed');
      this.events.publish({ type: 'leaderChanged', leader: st.lead, term: st.term, at });
    }
    this.checkRole();
  }

  private checkRole(): void {
    const role = this.role();
    if (role === this.lastRole) return;
    this.lastRole = role;
    const term = this.parts.raw.basicStatus().term;
    this.parts.logger.info({ role, term }, 'role changed');
    this.events.publish({ type: 'roleChanged', role, term, at: this.parts.clock.wallMs() });
  }

  role(): NodeRole {
    const r = this.parts.raw.basicStatus();
    if (r.state === 'follower' && !this.parts.raw.isVoter(this.nodeId) && this.sm.members().some((m) => m.id === this.nodeId)) return 'learner';
    return r.state;
  }

  // ---------------------------------------------------------------- NodePort

  status(): NodeStatus {
    const raft = this.raftStatus();
    const st = this.parts.config.listeners.exposedPlaintext ? { ...raft, insecure: true } : raft;
    const ha = this.ha;
    const store = this.quota.usage(this.sm.storeBytes);
    if (ha === undefined) return { ...st, store };
    return { ...st, store, members: st.members.map((m) => ({ ...m, ...ha.memberHealth(m.id) })), ha: ha.status() };
  }

  private raftStatus(): NodeStatus {
    return buildStatus({
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      raft: this.parts.raw.status(),
      role: this.role(),
      members: this.sm.members(),
      appliedIndex: this.sm.appliedIndex,
      lastHeard: this.lastHeard,
      now: this.parts.clock.monotonicMs(),
      electionTimeoutMs: this.parts.config.electionTimeoutMs,
    });
  }

  view(): ReadView {
    const sm = this.sm;
    return {
      revision: sm.revision,
      get: (key) => sm.get(key),
      list: (prefix, limit) => sm.list(prefix, limit),
      members: () => sm.members(),
    };
  }

  async write(cmd: WriteCommand): Promise<WriteResult> {
    this.usable();
    if (cmd.type !== 'delete') this.quota.admit(this.sm.storeBytes, cmd.key, cmd.value, this.sm.get(cmd.key)?.value);
    // Every write carries a request id: that is how the applied entry finds its caller.
    const request = cmd.request ?? { clientId: `node-${this.nodeId}-${this.bootNonce}`, requestId: String(++this.seq) };
    // Not `{ ...cmd, request }`: Node 20's V8 builds a spread that adds a property slowly (~1 µs).
    const full: WriteCommand = cmd.request !== undefined ? cmd : Object.assign({}, cmd, { request });
    let data: Uint8Array;
    try {
      data = encodeCommand(full);
    } catch (err) {
      if (err instanceof InvalidCommandError) throw new InvalidArgumentError(err.message, { cause: err });
      throw err;
    }
    const wait = this.writes.wait(requestKey(request), this.requestTimeoutMs, () => this.timeout(`${cmd.type} of "${cmd.key}"`));
    try {
      this.parts.raw.propose(data);
    } catch (err) {
      wait.cancel();
      this.metrics.proposalsFailed++;
      throw this.dropped(err);
    }
    this.metrics.proposals++;
    this.loop.kick();
    try {
      return await wait.promise;
    } catch (err) {
      this.metrics.proposalsFailed++;
      throw err;
    }
  }

  async readBarrier(): Promise<void> {
    this.usable();
    const context = `${this.nodeId}/${this.bootNonce}/${++this.seq}`;
    const wait = this.reads.wait(context, this.requestTimeoutMs, () => this.timeout('linearizable read'));
    try {
      this.parts.raw.readIndex(context);
    } catch (err) {
      wait.cancel();
      this.metrics.readIndexFailed++;
      throw this.dropped(err);
    }
    this.metrics.readIndexReads++;
    this.loop.kick();
    try {
      await wait.promise;
    } catch (err) {
      this.metrics.readIndexFailed++;
      throw err;
    }
  }

  changeMembership(cc: ConfChange): Promise<MembershipResult> {
    return this.changeMembershipOnce(cc, true);
  }

  private async changeMembershipOnce(cc: ConfChange, mayWaitForPending: boolean): Promise<MembershipResult> {
    this.usable();
    // Only the leader decides: its applied state is the newest, so "already so" and "not found"
    // answers are final. A follower's would be stale, and a follower being removed never applies
    // its own removal, so it could not answer at all.
    this.requireLeader(`membership change (${cc.type} ${cc.nodeId})`);
    const members = this.sm.members();
    const current = members.find((m) => m.id === cc.nodeId);
    switch (cc.type) {
      case ConfChangeType.AddLearner:
      case ConfChangeType.AddVoter: {
        const wantRole = cc.type === ConfChangeType.AddLearner ? MemberRole.Learner : MemberRole.Voter;
        if (current !== undefined && cc.context !== undefined && current.address !== cc.context) {
          throw new MembershipChangeRejectedError(
            `member ${cc.nodeId} already exists with address ${current.address}; remove it first to change its address`,
          );
        }
        if (current?.role === wantRole) return { members, index: 0 };
        if (current?.role === MemberRole.Voter) {
          throw new MembershipChangeRejectedError(`member ${cc.nodeId} is a voter; it cannot become a learner (remove it first)`);
        }
        if (current === undefined && cc.type === ConfChangeType.AddVoter && cc.context === undefined) {
          throw new NotFoundError(`member ${cc.nodeId} is not in the cluster; add it (as a learner) before promoting it`);
        }
        break;
      }
      case ConfChangeType.RemoveNode:
        if (current === undefined) throw new NotFoundError(`member ${cc.nodeId} is not in the cluster`);
        break;
      default: {
        const never: never = cc.type;
        throw new InvalidArgumentError(`unknown membership change ${String(never)}`);
      }
    }
    const key = confKey(cc);
    const pending = this.confChanges.has(key);
    const wait = this.confChanges.wait(key, this.requestTimeoutMs, () => this.timeout(`membership change (${cc.type} ${cc.nodeId})`));
    // A retry of a change this leader already proposed (the first attempt timed out on the
    // client's side) waits for that one instead of being refused as "another change pending".
    if (pending) return wait.promise;
    try {
      this.parts.raw.proposeConfChange(cc);
    } catch (err) {
      wait.cancel();
      if (err instanceof ConfChangeError) throw new MembershipChangeRejectedError(err.message, { cause: err });
      if (err instanceof ProposalDroppedError && err.reason.includes('membership change is still pending')) {
        const pendingError = () =>
          new MembershipChangePendingError(`another membership change is not applied yet; retry shortly (${err.reason})`, { cause: err });
        if (!mayWaitForPending) throw pendingError();
        // Usually a new leader's own first entry, or a change just before: applied within a
        // round trip or two. Wait for it once, then decide again from the newer state.
        const last = this.parts.raw.status().lastIndex;
        await this.waitFor(() => this.sm.appliedIndex >= last, 2 * this.parts.config.electionTimeoutMs, pendingError);
        return this.changeMembershipOnce(cc, false);
      }
      throw this.dropped(err);
    }
    this.loop.kick();
    return wait.promise;
  }

  async transferLeadership(to: string): Promise<{ leader: string; term: number }> {
    this.usable();
    const r0 = this.parts.raw.basicStatus();
    // Already done (e.g. a retry after the transfer finished elsewhere): success wherever asked.
    if (r0.lead === to && r0.lead !== NONE) return { leader: to, term: r0.term };
    this.requireLeader(`leadership transfer to ${to}`);
    const target = this.sm.members().find((m) => m.id === to);
    if (target === undefined) throw new NotFoundError(`member ${to} is not in the cluster`);
    if (target.role !== MemberRole.Voter) throw new MembershipChangeRejectedError(`member ${to} is a learner; only a voter can lead (promote it first)`);
    const r = this.parts.raw.basicStatus();
    if (r.lead === to) return { leader: to, term: r.term };
    try {
      this.beginTransfer(to);
    } catch (err) {
      throw this.dropped(err);
    }
    // A transfer finishes within about one election timeout (catch up, TimeoutNow, one vote round).
    await this.waitFor(() => this.parts.raw.basicStatus().lead === to, 3 * this.parts.config.electionTimeoutMs + 500, () =>
      this.timeout(`leadership transfer to ${to}`),
    );
    return { leader: to, term: this.parts.raw.basicStatus().term };
  }

  watch(options: WatchOptions): Watch {
    this.usable();
    try {
      return this.watchHub.watch(options);
    } catch (err) {
      if (err instanceof WatchCompactedError) throw new ApiWatchCompactedError(err.message, { cause: err });
      throw err;
    }
  }

  /** Resolves once `check()` holds after some Ready (or right away); rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const c = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.conditions.delete(c);
        reject(onTimeout());
      }, timeoutMs);
      this.conditions.add(c);
    });
  }

  /** Throws the not-leader redirect (UNAVAILABLE + the leader's address) unless this node leads. */
  private requireLeader(what: string): void {
    if (this.parts.raw.basicStatus().state === StateType.Leader) return;
    const { leader, address } = this.leaderHint();
    throw new NoLeaderError(`${what} must be asked of the leader and node ${this.nodeId} is not it`, leader || undefined, address || undefined);
  }

  /**
   * The leader's id and, for the client's redirect, its address. A member's address is its peer
   * port; with a client port of its own (--client-listen) that port does not serve the client
   * API and the leader's client port is not known here, so no address is given and the client
   * tries its other endpoints.
   */
  leaderHint(): { leader: string; address: string } {
    const lead = this.parts.raw.basicStatus().lead;
    if (lead === NONE || this.parts.config.listeners.clientListen !== undefined) return { leader: lead, address: '' };
    return { leader: lead, address: this.sm.members().find((m) => m.id === lead)?.address ?? '' };
  }

  // ---------------------------------------------------------------- metrics and stop

  metricsText(): string {
    const st = this.parts.raw.status();
    const m = this.metrics;
    const g = (name: string, help: string, value: number, labels?: Record<string, string>): MetricSample => ({
      name,
      help,
      type: 'gauge',
      value,
      ...(labels ? { labels } : {}),
    });
    const c = (name: string, help: string, value: number): MetricSample => ({ name, help, type: 'counter', value });
    const samples: MetricSample[] = [
      g('palisade_raft_term', 'Current Raft term.', st.term),
      g('palisade_raft_commit_index', 'Highest log index known committed.', st.commit),
      g('palisade_raft_applied_index', 'Highest log index applied to the state machine.', this.sm.appliedIndex),
      g('palisade_raft_last_index', 'Last index of the local log.', st.lastIndex),
      g('palisade_raft_is_leader', '1 if this node is the Raft leader.', st.state === 'leader' ? 1 : 0),
      g('palisade_raft_has_leader', '1 if this node knows a leader.', st.lead === NONE ? 0 : 1),
      c('palisade_raft_leader_changes_total', 'Leader changes seen by this node.', m.leaderChanges),
      c('palisade_proposals_total', 'Writes proposed through this node.', m.proposals),
      c('palisade_proposals_failed_total', 'Writes refused or timed out on this node.', m.proposalsFailed),
      c('palisade_read_index_total', 'Linearizable reads started on this node.', m.readIndexReads),
      c('palisade_read_index_failed_total', 'Linearizable reads refused or timed out.', m.readIndexFailed),
      c('palisade_ready_total', 'Readies handled by the Ready loop.', m.readies),
      c('palisade_applied_entries_total', 'Entries applied since start.', m.appliedEntries),
      c('palisade_snapshots_taken_total', 'Snapshots taken for log compaction.', m.snapshotsTaken),
      c('palisade_snapshots_restored_total', 'Snapshots received from the leader and restored.', m.snapshotsRestored),
      g('palisade_kv_revision', 'Revision of the key-value store.', this.sm.revision),
      g('palisade_watches', 'Open watches on this node.', this.watchHub.size),
      g('palisade_store_bytes', 'Size of the key-value store as --quota-bytes counts it.', this.sm.storeBytes),
      g('palisade_store_quota_bytes', 'The store\'s quota (--quota-bytes).', this.quota.quotaBytes),
      g('palisade_store_quota_alarm', '1 while writes are refused for the quota.', this.quota.usage(this.sm.storeBytes).alarm === '' ? 0 : 1),
      c('palisade_events_dropped_total', 'Node events dropped because a subscriber was slow.', this.events.dropped),
      c('palisade_removed_peer_messages_dropped_total', 'Peer messages dropped because their sender was removed from the cluster.', m.droppedFromRemoved),
    ];
    const ts = this.transport?.stats();
    if (ts) {
      samples.push(c('palisade_transport_received_total', 'Peer messages received.', ts.received));
      samples.push(c('palisade_transport_undeliverable_total', 'Peer messages with no route.', ts.undeliverable));
      const peerStats = [...ts.peers].map(([peer, s]) => [peer, s as unknown as Record<string, unknown>] as const);
      const fields = new Set<string>();
      for (const [, s] of peerStats) for (const [k, v] of Object.entries(s)) if (typeof v === 'number') fields.add(k);
      for (const f of [...fields].sort()) {
        const name = `palisade_transport_peer_${f.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)}`;
        for (const [peer, s] of peerStats) {
          const v = s[f];
          if (typeof v === 'number') samples.push(g(name, `Peer stream statistic ${f}.`, v, { peer }));
        }
      }
    }
    samples.push(...processSamples());
    return renderPrometheus(samples, [
      { name: 'palisade_ready_loop_duration_seconds', help: 'Time to handle one Ready (persist, send, apply, advance).', h: m.readyDuration },
      { name: 'palisade_ready_persist_duration_seconds', help: 'Time of the durable write of one Ready.', h: m.persistDuration },
    ]);
  }

  /** Stop accepting client work and fail everything still waiting. */
  beginStop(): void {
    this.stopping = true;
  }

  failPending(): void {
    const err = new ShuttingDownError(this.nodeId);
    this.writes.rejectAll(err);
    this.reads.rejectAll(err);
    this.confChanges.rejectAll(err);
    this.watchHub.close();
    this.events.close();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  private usable(): void {
    if (this.stopping || this.loop.isStopped) throw new ShuttingDownError(this.nodeId);
  }

  private timeout(what: string): TimeoutError {
    return new TimeoutError(
      `${what} not applied on node ${this.nodeId} within ${this.requestTimeoutMs} ms; retry (writes with the same request id are applied once)`,
    );
  }

  private dropped(err: unknown): Error {
    if (err instanceof ProposalDroppedError) {
      const { leader, address } = this.leaderHint();
      return new NoLeaderError(err.reason, leader || undefined, address || undefined, { cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  get fatal(): unknown {
    return this.fatalError;
  }

  get tickerTimeOfTick(): ((tick: number) => number | undefined) | undefined {
    return this.ticker ? (t) => this.ticker!.timeOfTick(t) : undefined;
  }
}

