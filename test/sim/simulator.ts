// The deterministic cluster simulator: N pure cores on simulated time, a faulty network,
// crash/restart from the disk, pauses and drifting clocks. Everything nondeterministic
// comes from one seed; every event is followed by the invariant checks.
import { bootstrapStorage } from '../../src/raft/bootstrap.js';
import type { ElectionTimeoutPolicy } from '../../src/raft/config.js';
import { ConfChangeError, ProposalDroppedError } from '../../src/raft/errors.js';
import type { Message } from '../../src/raft/messages.js';
import { seededRng } from '../../src/raft/rng.js';
import type { Rng } from '../../src/raft/rng.js';
import { ConfChangeType, NONE, StateType } from '../../src/raft/types.js';
import type { ConfChange, ConfState, NodeId } from '../../src/raft/types.js';
import type { ClientCommand, ClientOp } from './client-history.js';
import { ClientHistory, formatCommand } from './client-history.js';
import { EventQueue } from './event-queue.js';
import { formatMessage } from './format.js';
import { Invariant, InvariantChecker } from './invariants.js';
import type { Violation } from './invariants.js';
import { encodeClientEntry, KvStateMachine } from './kv-state-machine.js';
import type { KvResult } from './kv-state-machine.js';
import { CALM_NETWORK, Network } from './network.js';
import type { NetworkFaults } from './network.js';
import { correctExecutor } from './ready-executor.js';
import type { ReadyExecutor } from './ready-executor.js';
import { NodeClock } from './sim-clock.js';
import { SimNode } from './sim-node.js';
import type { CoreParams, NodeActor, NodeHost, SimAppFactory } from './sim-node.js';
import { Trace } from './trace.js';

export interface SimOptions {
  readonly seed: number;
  /** Initial voters n1..nN. */
  readonly nodes: number;
  /** Ids n1..nPool may exist; the extra ones are created when membership changes add them. */
  readonly poolSize?: number;
  /** Each node ticks every tickMs of its own clock. */
  readonly tickMs?: number;
  /**
   * Quiet ticks (src/server/ticker.ts): a tick that the core (Raft.quietTicks) and the actor
   * (NodeActor.quietTicks) say would only count is not performed when due but owed, and the
   * owed ticks are performed in one burst before the node's next message, leadership transfer
   * or agent callback, or with the next tick that is not quiet — what the agent's ticker does
   * to save wake-ups (node-host.ts calls catchUp() in step() and beginTransfer()). Client
   * writes, reads and membership proposals do not pay them first, as in node-host.ts: they
   * touch no timer, and a heartbeat round a read starts then carries an older tick count,
   * whose earlier clock reading only shortens the lease.
   * With `true`, the quiet-tick oracle checks every owed tick (Invariant.QuietTick): performed
   * late, it must produce no Ready, and at its due time the actor must have had nothing to do.
   * Broken variants for the teeth tests:
   * - 'neverWake': a quiet follower owes every tick, its election timeout included, until some
   *   input arrives. Run without the oracle, which would catch it at once: it shows that the
   *   end-to-end properties notice.
   * - 'oversleep': a leader owes one tick more than its quiet ones, the tick that acts.
   */
  readonly quietTicks?: boolean | 'neverWake' | 'oversleep';
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  /** Bound on |clock rate − 1| for every node. */
  readonly maxDrift?: number;
  readonly snapshotEvery?: number;
  readonly keepAfterSnapshot?: number;
  readonly maxSizePerMsg?: number;
  readonly maxInflightMsgs?: number;
  /** The cores' election-timeout policy (default: Raft's uniform [E, 2E)). */
  readonly electionTimeout?: ElectionTimeoutPolicy;
  /** RaftConfig.preVoteRetryTicks for every core (default 0). */
  readonly preVoteRetryTicks?: number;
  /** RaftConfig.quorumAckTicks for every core (default: heartbeatTick, every round answered). */
  readonly quorumAckTicks?: number;
  readonly executor?: ReadyExecutor;
  readonly actor?: (node: SimNode) => NodeActor | undefined;
  /** A second replicated application on every node (SimApp), beside the KV model. */
  readonly app?: SimAppFactory;
  readonly traceKeep?: number;
  /**
   * How the initial members learn the first configuration. 'confState' (default): the
   * storage reports it through initialState() with an empty log, so a node added later
   * must learn it from the leader. 'snapshot': every initial member starts from a shared
   * snapshot at index 1 carrying the configuration, so later nodes always get it by
   * InstallSnapshot (the log is never replayed from an empty configuration).
   */
  /**
   * How founding members learn the initial membership: 'log' (default, what real nodes do:
   * committed ConfChange entries at indexes 1..n), 'snapshot' (a shared snapshot at index 1),
   * or 'confState' (storage-only; a node added later cannot learn it — kept to show why).
   */
  readonly bootstrap?: 'log' | 'confState' | 'snapshot';
}

type SimEvent =
  | { readonly type: 'tick'; readonly node: NodeId; readonly gen: number }
  | { readonly type: 'deliver'; readonly msg: Message }
  | {
      readonly type: 'call';
      readonly node: NodeId;
      readonly incarnation: number;
      readonly label: string;
      readonly fn: () => void;
    }
  /** Something outside the nodes (a simulated client process, test/sim/coord) acts. */
  | { readonly type: 'external'; readonly label: string; readonly fn: () => void };

/**
 * Where a client sends an operation: a named node, whichever node currently leads, or the
 * stalest node that still believes it leads (Simulator.staleLeader).
 */
export type Target = NodeId | 'leader' | 'staleLeader';

export class Simulator implements NodeHost {
  readonly trace: Trace;
  readonly history = new ClientHistory();
  readonly network: Network;
  readonly checker: InvariantChecker;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly pool: readonly NodeId[];
  readonly params: CoreParams;
  readonly tickMs: number;
  readonly maxDrift: number;
  events = 0;
  /** The quiet-tick oracle is on (SimOptions.quietTicks). */
  private readonly quietOracle: boolean;
  private time = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly rng: Rng;
  private readonly executor: ReadyExecutor;

  constructor(readonly options: SimOptions) {
    this.rng = seededRng(options.seed);
    this.network = new Network(seededRng(options.seed ^ 0x5eed), CALM_NETWORK);
    this.trace = new Trace(options.traceKeep ?? 200);
    this.checker = new InvariantChecker(() => this.time);
    this.tickMs = options.tickMs ?? 10;
    this.maxDrift = options.maxDrift ?? 0.01;
    this.executor = options.executor ?? correctExecutor;
    this.quietOracle = options.quietTicks !== undefined && options.quietTicks !== false && options.quietTicks !== 'neverWake';
    this.params = {
      electionTick: options.electionTick ?? 10,
      heartbeatTick: options.heartbeatTick ?? 2,
      maxSizePerMsg: options.maxSizePerMsg ?? 1024,
      maxInflightMsgs: options.maxInflightMsgs ?? 16,
      snapshotEvery: options.snapshotEvery ?? 5,
      keepAfterSnapshot: options.keepAfterSnapshot ?? 2,
      ...(options.electionTimeout !== undefined ? { electionTimeout: options.electionTimeout } : {}),
      ...(options.preVoteRetryTicks !== undefined ? { preVoteRetryTicks: options.preVoteRetryTicks } : {}),
      ...(options.quorumAckTicks !== undefined ? { quorumAckTicks: options.quorumAckTicks } : {}),
    };
    const poolSize = options.poolSize ?? options.nodes + 2;
    this.pool = Array.from({ length: poolSize }, (_, i) => `n${i + 1}`);
    const voters = this.pool.slice(0, options.nodes);
    for (const id of voters) this.createNode(id, { voters, learners: [] }, options.bootstrap ?? 'log');
  }

  // ---- NodeHost ----

  now(): number {
    return this.time;
  }

  send(m: Message): void {
    const copies = this.network.route(m.from, m.to);
    for (const delay of copies) this.queue.push(this.time + delay, { type: 'deliver', msg: m });
    if (copies.length === 0 && m.type === 'installSnapshot') this.reportSnapshot(m.from, m.to, false);
  }

  /**
   * A real transport streams a snapshot and learns whether it arrived; the leader's
   * progress for that follower waits in snapshot state until told. The simulated transport
   * reports at delivery (or loss) time, so a lost snapshot is retried rather than awaited
   * forever.
   */
  private reportSnapshot(from: NodeId, to: NodeId, ok: boolean): void {
    const sender = this.nodes.get(from);
    if (sender === undefined || sender.raw === undefined) return;
    this.schedule(sender, 1, `snapshot to ${to} ${ok ? 'delivered' : 'failed'}`, () => {
      sender.raw!.reportSnapshot(to, ok);
      sender.drain();
    });
  }

  schedule(node: SimNode, delay: number, label: string, fn: () => void): void {
    this.queue.push(this.time + delay, { type: 'call', node: node.id, incarnation: node.incarnation, label, fn });
  }

  addTrace(line: string): void {
    this.trace.add(this.time, line);
  }

  /**
   * Run fn after `delay` ms of real time as an event of its own (the invariants are checked
   * after it): the clock of something outside the nodes, such as a simulated client process.
   */
  scheduleExternal(delay: number, label: string, fn: () => void): void {
    this.queue.push(this.time + delay, { type: 'external', label, fn });
  }

  onApply(node: SimNode, e: Parameters<NodeHost['onApply']>[1]): void {
    this.checker.onApply(node, e);
  }

  onSnapshotState(node: SimNode, index: number, data: Uint8Array, how: 'taken' | 'restored'): void {
    this.checker.onSnapshotState(node, index, data, how);
  }

  onConf(node: SimNode, applied: number, cs: ConfState): void {
    this.checker.onConf(node, applied, cs);
  }

  complete(op: ClientOp, result: KvResult | string | null): void {
    this.history.complete(op, this.time, result);
    this.addTrace(`${op.node} client ${op.id} ${formatCommand(op.cmd)} → ${JSON.stringify(result)}`);
  }

  // ---- running ----

  get violation(): Violation | undefined {
    return this.checker.violation;
  }

  /** Process events up to real time `until` (inclusive), stopping early on a violation. */
  runUntil(until: number, stop?: () => boolean): void {
    for (;;) {
      if (this.violation !== undefined || stop?.() === true) return;
      const next = this.queue.peek();
      if (next === undefined || next.time > until) break;
      this.queue.pop();
      this.time = next.time;
      this.events++;
      this.guarded(() => this.handle(next.item));
    }
    this.time = Math.max(this.time, until);
  }

  runFor(ms: number, stop?: () => boolean): void {
    this.runUntil(this.time + ms, stop);
  }

  /** Runs one outside action (a nemesis step) as an event: then the invariants are checked. */
  act(label: string, fn: () => void): void {
    if (this.violation !== undefined) return;
    this.events++;
    this.addTrace(`NEMESIS ${label}`);
    this.guarded(fn);
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const e = err as Error;
      this.checker.fail(Invariant.CoreException, `${e.name}: ${e.message}\n${e.stack ?? ''}`);
      return;
    }
    this.checker.afterEvent(this.nodes.values());
  }

  private handle(ev: SimEvent): void {
    switch (ev.type) {
      case 'tick': {
        const node = this.nodes.get(ev.node);
        if (node === undefined || node.tickGen !== ev.gen || !node.isUp) return;
        if (node.quietLeft > 0) {
          if (this.quietOracle) {
            const acts = node.actor?.owedTickActs?.(node);
            if (acts !== undefined) this.checker.fail(Invariant.QuietTick, `${node.id} slept through a tick at which ${acts}`);
          }
          node.quietLeft--;
          node.owedTicks++;
        } else {
          this.payOwedTicks(node);
          this.tickOnce(node);
          this.replanQuiet(node);
        }
        this.scheduleTick(node, node.nextTickLocal + this.tickMs);
        return;
      }
      case 'deliver': {
        const m = ev.msg;
        const node = this.nodes.get(m.to);
        const lost = node === undefined || node.life === 'crashed' ? 'down' : !this.network.isUp(m.from, m.to) ? 'cut' : '';
        if (m.type === 'installSnapshot') this.reportSnapshot(m.from, m.to, lost === '');
        if (node === undefined || lost !== '') return this.addTrace(`drop ${formatMessage(m)} (${lost})`);
        if (node.life === 'paused') {
          node.inbox.push(m);
          return this.addTrace(`queue ${formatMessage(m)} (paused)`);
        }
        this.addTrace(formatMessage(m));
        this.stepMessage(node, m);
        return;
      }
      case 'call': {
        const node = this.nodes.get(ev.node);
        if (node === undefined || node.incarnation !== ev.incarnation || node.life === 'crashed') return;
        // A stopped process does nothing; look again later.
        if (node.life === 'paused') return void this.queue.push(this.time + this.tickMs, ev);
        this.addTrace(`${ev.node} ${ev.label}`);
        this.payOwedTicks(node);
        ev.fn();
        this.replanQuiet(node);
        return;
      }
      case 'external':
        if (ev.label !== '') this.addTrace(ev.label);
        ev.fn();
        return;
      default: {
        const never: never = ev;
        throw new Error(`unknown event ${String(never)}`);
      }
    }
  }

  private tickOnce(node: SimNode, owed = false): void {
    node.raw!.tick();
    if (owed && this.quietOracle && node.raw!.hasReady()) {
      const st = node.raw!.basicStatus();
      this.checker.fail(Invariant.QuietTick, `${node.id} (${st.state}, term ${st.term}) slept through a tick that produced a Ready`);
    }
    node.drain();
    node.actor?.onTick(node);
  }

  /** Quiet ticks: the owed ones first, in a burst (SimOptions.quietTicks). */
  private payOwedTicks(node: SimNode): void {
    while (node.owedTicks > 0 && node.isUp) {
      node.owedTicks--;
      this.tickOnce(node, true);
    }
  }

  /** How many of the next due ticks may be owed instead of performed. */
  private replanQuiet(node: SimNode): void {
    node.quietLeft = 0;
    if (!this.options.quietTicks || !node.isUp || node.owedTicks > 0) return;
    const actor = node.actor;
    const actorTicks = actor === undefined ? Number.POSITIVE_INFINITY : (actor.quietTicks?.(node) ?? 0);
    const state = node.raw!.basicStatus().state;
    const mode = this.options.quietTicks;
    if (mode === 'neverWake' && state === StateType.Follower && actorTicks > 0) {
      node.quietLeft = Number.POSITIVE_INFINITY;
      return;
    }
    node.quietLeft = Math.min(node.raw!.quietTicks(), actorTicks) + (mode === 'oversleep' && state === StateType.Leader ? 1 : 0);
  }

  private stepMessage(node: SimNode, m: Message): void {
    this.payOwedTicks(node);
    node.raw!.step(m);
    node.drain();
    this.replanQuiet(node);
  }

  private scheduleTick(node: SimNode, local: number): void {
    node.nextTickLocal = local;
    this.queue.push(Math.max(this.time, node.clock.realAt(local)), { type: 'tick', node: node.id, gen: node.tickGen });
  }

  private restartTicks(node: SimNode, firstLocal: number): void {
    node.tickGen++;
    this.scheduleTick(node, firstLocal);
  }

  private createNode(id: NodeId, conf: ConfState | undefined, how: 'log' | 'confState' | 'snapshot' = 'log'): SimNode {
    // Arbitrary clock offsets (only rates are meaningful, as with CLOCK_MONOTONIC) and a
    // random rate within the drift bound; the nemesis changes rates later.
    const drift = ((this.rng.int(2001) - 1000) / 1000) * this.maxDrift;
    const clock = new NodeClock(() => this.time, 1000 * (1 + this.rng.int(1000)), drift);
    const node = new SimNode(id, clock, this, this.params, this.executor);
    node.appFactory = this.options.app;
    if (conf !== undefined && how === 'log') bootstrapStorage(node.disk, conf);
    if (conf !== undefined && how === 'confState') node.disk.setConfState(conf);
    if (conf !== undefined && how === 'snapshot') {
      node.disk.applySnapshot({ metadata: { index: 1, term: 1, confState: conf }, data: new KvStateMachine().encode() });
      node.disk.setHardState({ term: 1, vote: NONE, commit: 1 });
    }
    node.actor = this.options.actor?.(node);
    this.nodes.set(id, node);
    this.startNode(node);
    return node;
  }

  private startNode(node: SimNode): void {
    node.start(this.options.seed * 31 + this.rng.int(0x7fffffff));
    this.checker.nodeRestarted(node.id);
    // Start at a random phase so nodes do not tick in lockstep.
    this.restartTicks(node, node.clock.now() + 1 + this.rng.int(this.tickMs * 100) / 100);
  }

  // ---- waiting on events (the nemesis aims at the moments right after them) ----

  /**
   * Run until a leader other than the current one exists (another node, or the same node in a
   * newer term), for at most maxMs. The windows of several bugs open right after an election,
   * a few ms wide; fixed waits almost never land in them.
   */
  awaitNewLeader(maxMs: number): void {
    const before = this.leader();
    const id = before?.id;
    const term = before?.raw!.basicStatus().term ?? -1;
    const start = this.time;
    const elected = (): boolean => {
      const l = this.leader();
      return l !== undefined && (l.id !== id || l.raw!.basicStatus().term > term);
    };
    this.runFor(maxMs, elected);
    const l = this.leader();
    this.addTrace(
      `NEMESIS awaited a new leader for ${(this.time - start).toFixed(2)}ms: ` +
        (elected() ? `${l!.id} t${l!.raw!.basicStatus().term}` : 'none'),
    );
  }

  /** Run until some node's commit index passes the highest one now (a leader committed), for at most maxMs. */
  awaitCommit(maxMs: number): void {
    const frontier = (): number => {
      let max = 0;
      for (const node of this.nodes.values()) if (node.isUp) max = Math.max(max, node.raw!.basicStatus().commit);
      return max;
    };
    const before = frontier();
    const start = this.time;
    this.runFor(maxMs, () => frontier() > before);
    this.addTrace(`NEMESIS awaited a commit past ${before} for ${(this.time - start).toFixed(2)}ms: now ${frontier()}`);
  }

  // ---- queries ----

  /** The unpaused leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    let bestTerm = -1;
    for (const node of this.nodes.values()) {
      if (!node.isUp) continue;
      const st = node.raw!.basicStatus();
      if (st.state === StateType.Leader && st.term > bestTerm) {
        best = node;
        bestTerm = st.term;
      }
    }
    return best;
  }

  /**
   * The node that believes it leads in the oldest term, paused ones included: a deposed leader
   * that has not noticed yet when one exists (cut off, paused, or about to hear of a newer
   * term), otherwise the only leader. A read served there without a quorum round misses writes
   * the newer leader committed (the stale reads Jepsen found in etcd 0.4 and Consul).
   */
  staleLeader(): SimNode | undefined {
    let stalest: SimNode | undefined;
    let stalestTerm = Number.POSITIVE_INFINITY;
    for (const node of this.nodes.values()) {
      const st = node.raw?.basicStatus();
      if (st?.state === StateType.Leader && st.term < stalestTerm) {
        stalest = node;
        stalestTerm = st.term;
      }
    }
    return stalest;
  }

  private resolve(target: Target): SimNode | undefined {
    if (target === 'leader') return this.leader();
    if (target === 'staleLeader') return this.staleLeader();
    return this.nodes.get(target);
  }

  /** One line per node: role, term, commit, applied, conf. */
  describe(): string[] {
    const out: string[] = [];
    for (const node of this.nodes.values()) {
      if (node.raw === undefined) {
        out.push(`${node.id} CRASHED`);
        continue;
      }
      const st = node.raw.status();
      out.push(
        `${node.id} ${node.life} ${st.state} t${st.term} lead=${st.lead || '-'} commit=${st.commit} applied=${node.applied} ` +
          `last=${st.lastIndex} voters=[${st.confState.voters.join(',')}] learners=[${st.confState.learners.join(',')}] ` +
          `drift=${(node.clock.drift * 100).toFixed(2)}%`,
      );
    }
    return out;
  }

  // ---- the nemesis vocabulary ----

  partition(sideA: readonly NodeId[]): void {
    const a = this.pool.filter((id) => sideA.includes(id));
    const b = this.pool.filter((id) => !sideA.includes(id));
    this.act(`partition [${a.join(',')}] | [${b.join(',')}]`, () => this.network.split(a, b));
  }

  isolate(id: NodeId): void {
    this.act(`isolate ${id}`, () =>
      this.network.split(
        [id],
        this.pool.filter((x) => x !== id),
      ),
    );
  }

  /** Jepsen's "isolate the primary": every other fault on links is lifted, the current leader is cut off alone. */
  isolateLeader(): void {
    const leader = this.leader();
    if (leader === undefined) return this.act('isolate leader: no leader, skipped', () => {});
    const id = leader.id;
    this.act(`isolate leader ${id} (other links healed)`, () => {
      this.network.healAll();
      this.network.split(
        [id],
        this.pool.filter((x) => x !== id),
      );
    });
  }

  /** One-way: messages from `from` to `to` are lost, the reverse direction still works. */
  cut(from: NodeId, to: NodeId): void {
    this.act(`cut ${from}→${to}`, () => this.network.cut(from, to));
  }

  /** Partial partition: the two sides cannot talk, but `bridge` talks to both. */
  bridge(sideA: readonly NodeId[], bridge: NodeId): void {
    const a = this.pool.filter((id) => sideA.includes(id) && id !== bridge);
    const b = this.pool.filter((id) => !sideA.includes(id) && id !== bridge);
    this.act(`partial partition [${a.join(',')}] | [${b.join(',')}] bridged by ${bridge}`, () => this.network.split(a, b));
  }

  healLinks(): void {
    this.act('heal links', () => this.network.healAll());
  }

  setFaults(f: NetworkFaults): void {
    const d = `drop=${f.drop} dup=${f.duplicate} delay=[${f.minDelay},${f.maxDelay}]ms`;
    this.act(`network ${d}`, () => this.network.setFaults(f));
  }

  crash(id: NodeId): void {
    const node = this.nodes.get(id);
    if (node === undefined || node.life === 'crashed') return;
    this.act(`crash ${id}`, () => {
      const lost = node.crash();
      if (lost.length > 0) this.addTrace(`${id} unknown outcome: ${lost.map((o) => o.id).join(',')}`);
    });
  }

  restart(id: NodeId): void {
    const node = this.nodes.get(id);
    if (node === undefined || node.life !== 'crashed') return;
    this.act(`restart ${id}`, () => {
      this.startNode(node);
      node.drain();
    });
  }

  pause(id: NodeId): void {
    const node = this.nodes.get(id);
    if (node === undefined || node.life !== 'up') return;
    this.act(`pause ${id}`, () => {
      node.life = 'paused';
      node.tickGen++;
    });
  }

  /** The paused node wakes up: its clock has run on, and the queued messages are processed. */
  resume(id: NodeId): void {
    const node = this.nodes.get(id);
    if (node === undefined || node.life !== 'paused') return;
    this.act(`resume ${id} (${node.inbox.length} queued)`, () => {
      node.life = 'up';
      // Quiet ticks: the plan made before the pause counted tick events of the old phase, and
      // the ticks restart in a new one, so it would now cover later times than it was made for
      // (past a lease check). The agent's ticker plans in nominal times instead: when it runs
      // again it performs what it owed and asks afresh (server/ticker.ts, catchUp and arm).
      this.payOwedTicks(node);
      node.quietLeft = 0;
      // A resumed process reads its sockets in any order; clients first is the order in which
      // a deposed leader acts before it hears of the newer term.
      for (const submit of node.clientInbox.splice(0)) submit();
      for (const m of node.inbox.splice(0)) this.stepMessage(node, m);
      this.restartTicks(node, node.clock.now() + this.tickMs);
      this.replanQuiet(node);
    });
  }

  /** Set a node's clock rate to 1+drift, clamped to the configured bound. */
  setDrift(id: NodeId, drift: number): void {
    const node = this.nodes.get(id);
    if (node === undefined) return;
    const d = Math.max(-this.maxDrift, Math.min(this.maxDrift, drift));
    this.act(`drift ${id} ${(d * 100).toFixed(2)}%`, () => {
      node.clock.setDrift(d);
      if (node.isUp) this.restartTicks(node, node.nextTickLocal);
    });
  }

  /** Membership change through the current leader; nodes never seen before are created empty. */
  changeMembership(type: ConfChangeType, id: NodeId | 'leader'): void {
    const leader = this.leader();
    if (leader === undefined) return this.act(`${type} ${id}: no leader, skipped`, () => {});
    const nodeId = id === 'leader' ? leader.id : id;
    const voters = leader.raw!.confState().voters;
    if (type === ConfChangeType.RemoveNode && voters.length === 1 && voters[0] === nodeId) {
      return this.act(`${type} ${nodeId}: last voter, skipped`, () => {});
    }
    this.act(`${type} ${nodeId} via ${leader.id}`, () => {
      if (type !== ConfChangeType.RemoveNode && !this.nodes.has(nodeId)) this.createNode(nodeId, undefined);
      const cc: ConfChange = { type, nodeId };
      if (this.tryPropose(leader, () => leader.raw!.proposeConfChange(cc))) leader.drain();
    });
  }

  transferLeadership(to: NodeId): void {
    const leader = this.leader();
    if (leader === undefined) return this.act(`transfer to ${to}: no leader, skipped`, () => {});
    this.act(`transfer ${leader.id} → ${to}`, () => {
      // Owed ticks first (node-host.ts beginTransfer): paid after the transfer they would
      // cut its window short.
      this.payOwedTicks(leader);
      if (this.tryPropose(leader, () => leader.raw!.transferLeadership(to))) leader.drain();
      this.replanQuiet(leader);
    });
  }

  /**
   * A client write; returns the op (undefined if it could not even be submitted). A request to
   * a paused node waits for it (ClientOp without an answer until then).
   */
  write(target: Target, cmd: ClientCommand & { t: 'put' | 'del' | 'cas' }): ClientOp | undefined {
    const node = this.resolve(target);
    if (node === undefined || node.life === 'crashed') {
      this.act(`client ${formatCommand(cmd)} → ${target}: unavailable`, () => {});
      return undefined;
    }
    let submitted: ClientOp | undefined;
    this.act(`client ${formatCommand(cmd)} → ${node.id}`, () => {
      const op = this.history.begin(node.id, cmd, this.time);
      if (this.whenRunning(node, op, () => this.submitWrite(node, op, cmd))) submitted = op;
    });
    return submitted;
  }

  private submitWrite(node: SimNode, op: ClientOp, cmd: ClientCommand & { t: 'put' | 'del' | 'cas' }): boolean {
    const data = encodeClientEntry({ id: op.id, c: cmd });
    if (!this.tryPropose(node, () => node.raw!.propose(data))) {
      this.history.discard(op);
      return false;
    }
    this.addTrace(`${node.id} client ${op.id} submitted`);
    node.pendingWrites.set(op.id, op);
    node.drain();
    return true;
  }

  /** A linearizable read through ReadIndex (a paused node takes it when it runs again). */
  read(target: Target, key: string): ClientOp | undefined {
    const node = this.resolve(target);
    if (node === undefined || node.life === 'crashed') {
      this.act(`client get ${key} → ${target}: unavailable`, () => {});
      return undefined;
    }
    let submitted: ClientOp | undefined;
    this.act(`client get ${key} → ${node.id}`, () => {
      const op = this.history.begin(node.id, { t: 'get', k: key }, this.time);
      if (this.whenRunning(node, op, () => this.submitRead(node, op, key))) submitted = op;
    });
    return submitted;
  }

  private submitRead(node: SimNode, op: ClientOp, key: string): boolean {
    node.pendingReads.set(op.id, { op, key });
    if (!this.tryPropose(node, () => node.raw!.readIndex(op.id))) {
      node.pendingReads.delete(op.id);
      this.history.discard(op);
      return false;
    }
    this.addTrace(`${node.id} client ${op.id} read submitted`);
    node.drain();
    return true;
  }

  /**
   * Submit now, or, on a paused node, when it runs again: the request waits in the stopped
   * process's socket (its outcome unknown if the node crashes first). False: rejected now.
   */
  private whenRunning(node: SimNode, op: ClientOp, submit: () => boolean): boolean {
    if (node.life === 'up') return submit();
    node.clientInbox.push(submit);
    this.addTrace(`${node.id} client ${op.id} queued (paused)`);
    return true;
  }

  /** Documented rejections are an ordinary outcome; anything else propagates as a core exception. */
  private tryPropose(node: SimNode, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (err instanceof ProposalDroppedError || err instanceof ConfChangeError) {
        this.addTrace(`${node.id} rejected: ${err.message}`);
        return false;
      }
      throw err;
    }
  }

  /** Undo every fault: links up, calm network, paused nodes resumed, crashed nodes restarted. */
  healAll(): void {
    this.healLinks();
    this.setFaults(CALM_NETWORK);
    for (const node of this.nodes.values()) {
      if (node.life === 'paused') this.resume(node.id);
      else if (node.life === 'crashed') this.restart(node.id);
    }
  }
}
