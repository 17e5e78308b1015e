// The Ready-loop host of a running node: the core's inputs (ticks, peer messages, transfers,
// transport reports) go in here, and each Ready is executed here in the contract's order
// (raft/ready.ts: persist, send, apply, advance) against the durable storage, the transport and
// the state machine. It keeps what follows from applying: the current state machine and its
// watches, the peers (peer-membership.ts), snapshots, and the requests waiting for an index
// (apply-waiters.ts) or for a condition (ready-conditions.ts); its leader, role and membership
// events go out through node-event-publisher.ts. It owns the ticker. Upper layers (the HA driver,
// coordination) follow the loop as LoopObservers; coordination also as an ApplyListener.
import type { Logger } from 'pino';
import type { NodeRole } from '../api/node-port.js';
import type { Message } from '../raft/messages.js';
import type { Ready } from '../raft/ready.js';
import type { RawNode } from '../raft/raw-node.js';
import { NONE, StateType, type ConfChange, type Entry, type ReadState, type Snapshot } from '../raft/types.js';
import type { ApplyResult, CoordCommandOutcome } from '../statemachine/results.js';
import type { StateMachine } from '../statemachine/state-machine.js';
import type { WatchHub } from '../statemachine/watch-hub.js';
import type { AppliedState } from './applied-state.js';
import type { DurableStorage } from '../storage/level-storage.js';
import type { Timers } from '../transport/timers.js';
import type { ApplyWaiters } from './apply-waiters.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import { EventStream } from './event-stream.js';
import { NodeMetrics } from './metrics.js';
import type { NodeEvent } from './node-events.js';
import { NodeEventPublisher } from './node-event-publisher.js';
import { PeerMembership, type PeerLink } from './peer-membership.js';
import { ProposalQueue } from './proposal-queue.js';
import { ReadyConditions } from './ready-conditions.js';
import { ReadyLoop, type ReadyExecutor } from './ready-loop.js';
import { SnapshotTaker } from './snapshot-taker.js';
import { Ticker } from './ticker.js';

/** A layer above the loop (the HA driver): called inside the loop, so it must not block. */
export interface LoopObserver {
  /** Just before a Ready is taken (ReadyExecutor.beforeReady). */
  beforeReady(): void;
  /** After each handled Ready. */
  afterReady(rd: Ready): void;
  /** Once per ticker wake-up, after the core's ticks (ticker.ts, afterTicks). */
  tick(): void;
  /** Ticks it may sleep through (ticker.ts, "Quiet ticks"). */
  quietTicks(): number;
}

/** Follows what is applied (coordination-host.ts), inside the loop: must not block. */
export interface ApplyListener {
  /** A coordination entry was applied; the state machine is at its index. */
  coordApplied(r: ApplyResult & { readonly kind: 'command' }, outcome: CoordCommandOutcome): void;
  restored(snapshotIndex: number): void;
  /** The node stops: fail whoever waits. */
  failPending(err: Error): void;
}

export interface NodeHostParts {
  readonly config: NodeConfig;
  readonly tickMs: number;
  readonly raw: RawNode;
  readonly storage: DurableStorage;
  /** The state machine this node applies to. */
  readonly state: AppliedState;
  readonly transport: PeerLink;
  readonly waiters: ApplyWaiters;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ticker's timers (tests pass fake ones). */
  readonly timers?: Timers;
}

export class NodeHost implements ReadyExecutor {
  readonly nodeId: string;
  readonly metrics = new NodeMetrics();
  readonly events = new EventStream<NodeEvent>();
  readonly loop: ReadyLoop;
  readonly peers: PeerMembership;
  private readonly ticker: Ticker;
  private readonly snapshots: SnapshotTaker;
  private readonly observers: LoopObserver[] = [];
  private readonly applyListeners: ApplyListener[] = [];
  private readonly conditions = new ReadyConditions();
  private readonly proposals: ProposalQueue;
  private readonly publisher: NodeEventPublisher;
  private stopping = false;
  private fatalError: unknown;
  private fatalHandler: ((err: unknown) => void) | undefined;

  constructor(private readonly parts: NodeHostParts) {
    this.nodeId = parts.config.id;
    this.peers = new PeerMembership(parts.config.id, parts.config.cluster, parts.transport, parts.logger, this.stateMachine.members());
    this.snapshots = new SnapshotTaker(parts.storage, this.metrics, parts.logger, parts.clock, () => this.stopping);
    this.publisher = new NodeEventPublisher({
      raw: parts.raw,
      events: this.events,
      metrics: this.metrics,
      clock: parts.clock,
      logger: parts.logger,
      role: () => this.role(),
    });
    this.loop = new ReadyLoop(parts.raw, this, parts.clock, this.metrics, (err) => {
      this.fatalError = err;
      parts.logger.error({ err }, 'ready loop failed; the node stops serving');
      this.fatalHandler?.(err);
    });
    this.proposals = new ProposalQueue(parts.raw, this.loop, (writes) => {
      this.metrics.proposals += writes;
    });
    this.ticker = new Ticker({
      tickMs: parts.tickMs,
      clock: parts.clock,
      ...(parts.timers ? { timers: parts.timers } : {}),
      onTick: () => this.tickCore(),
      afterTicks: () => this.tickObservers(),
      // A follower sleeps until its election timeout, a leader until its next heartbeat, unless
      // an observer has something due sooner (the active node's lease check).
      quietTicks: () => this.observers.reduce((q, o) => Math.min(q, o.quietTicks()), parts.raw.quietTicks()),
    });
    parts.transport.onMessage((m) => this.step(m));
    parts.transport.onPeerReports({ unreachable: (id) => this.reportUnreachable(id), snapshot: (id, ok) => this.reportSnapshot(id, ok) });
  }

  /** `o` follows the loop from now on (the HA driver, subscribed as soon as it is built). */
  observe(o: LoopObserver): void {
    this.observers.push(o);
  }

  /** `l` hears of applied coordination entries and restored snapshots from now on. */
  followApplied(l: ApplyListener): void {
    this.applyListeners.push(l);
  }

  /** Starts ticking and handles whatever is ready. */
  start(): void {
    this.ticker.start();
    this.loop.kick();
  }

  get raw(): RawNode {
    return this.parts.raw;
  }

  get stateMachine(): StateMachine {
    return this.parts.state.current;
  }

  get watchHub(): WatchHub {
    return this.parts.state.watchHub;
  }

  /** `handler` stops the node when the loop fails (a failed durable write); at once if it has. */
  onFatal(handler: (err: unknown) => void): void {
    this.fatalHandler = handler;
    if (this.fatalError !== undefined) handler(this.fatalError);
  }

  // ---------------------------------------------------------------- inputs

  /** One tick of the core (the ticker's every tick); returns its tick count. */
  private tickCore(): number {
    this.parts.raw.tick();
    this.loop.kick();
    return this.parts.raw.tickCount;
  }

  /**
   * The observers' tick. The ticker gives it once per wake-up, after the burst of ticks it
   * performed (ticker.ts, afterTicks): run on each tick of an idle burst, the whole HA evaluation
   * was repeated at one instant, a large part of an idle node's JavaScript and garbage (issue 20).
   */
  private tickObservers(): void {
    for (const o of this.observers) o.tick();
  }

  step(m: Message): void {
    if (!this.peers.heard(m.from, this.parts.clock.monotonicMs())) {
      this.metrics.droppedFromRemoved++;
      return;
    }
    // Ticks the ticker slept through come first (ticker.ts, "Quiet ticks"): a heartbeat must
    // not reset an election timer that is missing ticks.
    this.ticker.catchUp();
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
    this.ticker.catchUp();
    this.proposals.flush(); // writes queued before the transfer are proposed, not refused by it
    this.parts.raw.transferLeadership(to);
    this.loop.kick();
  }

  reportUnreachable(id: string): void {
    this.ticker.catchUp();
    this.parts.raw.reportUnreachable(id);
  }

  reportSnapshot(id: string, ok: boolean): void {
    this.ticker.catchUp();
    this.parts.raw.reportSnapshot(id, ok);
    this.loop.kick();
  }

  /** Proposes `data` (throws ProposalDroppedError when the core refuses) and lets the loop run. */
  propose(data: Uint8Array): void {
    this.proposals.flush(); // the queued writes arrived first
    this.parts.raw.propose(data);
    this.metrics.proposals++;
    this.loop.kick();
  }

  /**
   * Proposes `data` now or with the next Ready (proposal-queue.ts); `dropped` is told if the core
   * refuses it. Either way it is counted (metrics.proposals) only once the core has taken it.
   */
  proposeQueued(data: Uint8Array, dropped: (err: unknown) => void): void {
    this.proposals.submit(data, dropped);
  }

  /** Asks for a linearizable read point (throws ProposalDroppedError when there is no leader). */
  readIndex(context: string): void {
    this.parts.raw.readIndex(context);
    this.loop.kick();
  }

  /** Proposes a membership change (throws ConfChangeError / ProposalDroppedError when refused). */
  proposeConfChange(cc: ConfChange): void {
    this.proposals.flush();
    this.parts.raw.proposeConfChange(cc);
    this.loop.kick();
  }

  // ---------------------------------------------------------------- ReadyExecutor

  persist(rd: Ready): Promise<void> {
    return this.parts.storage.persistReady(rd);
  }

  send(messages: readonly Message[]): void {
    this.parts.transport.send(messages);
  }

  applySnapshot(snapshot: Snapshot): void {
    const members = this.parts.state.restore(snapshot.data).members();
    this.metrics.snapshotsRestored++;
    this.peers.restored(members);
    this.publisher.membershipChanged(snapshot.metadata.index, members);
    for (const l of this.applyListeners) l.restored(snapshot.metadata.index);
    this.parts.logger.info({ index: snapshot.metadata.index }, 'state restored from snapshot');
  }

  applyEntries(entries: readonly Entry[]): void {
    for (const e of entries) this.onApplied(e, this.stateMachine.apply(e));
    this.metrics.appliedEntries += entries.length;
    this.watchHub.notify();
    this.parts.waiters.appliedTo(this.stateMachine.appliedIndex);
  }

  serveReads(readStates: readonly ReadState[]): void {
    this.parts.waiters.readPoints(readStates, this.stateMachine.appliedIndex);
  }

  beforeReady(): void {
    this.proposals.flush();
    for (const o of this.observers) o.beforeReady();
  }

  heldInputs(): boolean {
    return this.proposals.size > 0;
  }

  async afterAdvance(rd: Ready): Promise<void> {
    this.publisher.afterReady(rd);
    for (const o of this.observers) o.afterReady(rd);
    // A Ready may end a quiet period (a campaign, a new leader, a new HA record).
    this.ticker.replan();
    this.conditions.afterReady();
    this.snapshots.maybeTake(this.stateMachine, () => this.parts.raw.confState());
  }

  private onApplied(e: Entry, r: ApplyResult): void {
    switch (r.kind) {
      case 'command':
        this.parts.waiters.applied(r);
        if (r.outcome.type === 'coord') for (const l of this.applyListeners) l.coordApplied(r, r.outcome);
        return;
      case 'confChange': {
        const members = this.stateMachine.members();
        this.peers.changed(r.change, members, r.index);
        this.parts.waiters.confChangeApplied(r.change, { members, index: r.index });
        this.publisher.membershipChanged(r.index, members);
        return;
      }
      case 'rejected':
        this.parts.logger.warn({ index: r.index, code: r.code, reason: r.reason }, 'entry rejected by the state machine');
        this.parts.waiters.rejected(e, r.reason);
        return;
      default: {
        const never: never = r;
        throw new Error(`unknown apply result ${JSON.stringify(never)}`);
      }
    }
  }

  // ---------------------------------------------------------------- leader and role

  role(): NodeRole {
    const r = this.parts.raw.basicStatus();
    if (r.state === 'follower' && !this.parts.raw.isVoter(this.nodeId) && this.stateMachine.members().some((m) => m.id === this.nodeId))
      return 'learner';
    return r.state;
  }

  /** True while this node leads, or heard from its leader within an election timeout. */
  hasLiveLeader(): boolean {
    const r = this.parts.raw.basicStatus();
    if (r.state === StateType.Leader) return true;
    if (r.lead === NONE) return false;
    // A learner never campaigns, so it keeps naming a leader that went silent: go by time.
    const heard = this.peers.lastHeardFrom.get(r.lead);
    return heard !== undefined && this.parts.clock.monotonicMs() - heard <= this.parts.config.electionTimeoutMs;
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
    return { leader: lead, address: this.stateMachine.members().find((m) => m.id === lead)?.address ?? '' };
  }

  // ---------------------------------------------------------------- time and conditions

  /** The clock reading taken just before the core reached tick `tick` (ticker.ts). */
  timeOfTick(tick: number): number | undefined {
    return this.ticker.timeOfTick(tick);
  }

  /** An observer may have stopped being quiet: the ticker re-plans its sleep. */
  replan(): void {
    this.ticker.replan();
  }

  /** Resolves once `check()` holds after some Ready (or right away); rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    return this.conditions.waitFor(check, timeoutMs, onTimeout);
  }

  // ---------------------------------------------------------------- stop

  /** Stop accepting client work and taking snapshots. */
  beginStop(): void {
    this.stopping = true;
  }

  /** Not stopping and the loop still runs: client work may be accepted. */
  get serving(): boolean {
    return !this.stopping && !this.loop.isStopped;
  }

  stopTicking(): void {
    this.ticker.stop();
  }

  /** Fails every waiting request, watch and event subscriber with `err`. */
  failPending(err: Error): void {
    this.parts.waiters.rejectAll(err);
    for (const l of this.applyListeners) l.failPending(err);
    this.watchHub.close();
    this.events.close();
  }

  /** Resolves when no snapshot is being taken (stop waits for it before closing storage). */
  snapshotSettled(): Promise<void> {
    return this.snapshots.settled();
  }
}
