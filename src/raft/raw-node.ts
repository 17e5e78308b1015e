// The caller-facing wrapper of the core (model: etcd-io/raft rawnode.go): inputs in, one
// Ready out, advance() to acknowledge. See ready.ts for the order the caller must follow.
import type { RaftConfig } from './config.js';
import type { Message } from './messages.js';
import { Raft } from './raft.js';
import type { BasicStatus, ProgressStatus, Ready, Status } from './ready.js';
import {
  EntryType,
  hardStateEqual,
  type ConfChange,
  type ConfState,
  type HardState,
  type LeaseAck,
  type NodeId,
  type SoftState,
} from './types.js';

/** A Ready while ready() assembles it. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class RawNode {
  /** The core; callers read it through status() / basicStatus() and the queries below. */
  readonly #raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  /** A Ready was handed out and not yet advanced. */
  private inFlight: Ready | undefined;

  constructor(config: RaftConfig);
  /** Wraps a core the caller built: tests and the simulator keep their own handle on it. */
  constructor(core: Raft);
  constructor(configOrCore: RaftConfig | Raft) {
    this.#raft = configOrCore instanceof Raft ? configOrCore : new Raft(configOrCore);
    this.prevSoft = this.#raft.softState();
    this.prevHard = this.#raft.hardState();
  }

  tick(): void {
    this.#raft.tick();
  }

  /** Ticks that would only count (Raft.quietTicks): the caller may perform them late, in a burst. */
  quietTicks(): number {
    return this.#raft.quietTicks();
  }

  /** Start an election now (tests, or an operator forcing one). */
  campaign(): void {
    this.#raft.hup(this.#raft.preVote ? 'preElection' : 'election');
  }

  /** Throws ProposalDroppedError when it cannot be accepted; a follower forwards to its leader. */
  propose(data: Uint8Array): void {
    this.#raft.propose(data);
  }

  /** Proposes every item of `data` in order, all or none (the same refusals as propose). */
  proposeMany(data: readonly Uint8Array[]): void {
    if (data.length > 0) this.#raft.proposeMany(data);
  }

  proposeConfChange(cc: ConfChange): void {
    this.#raft.proposeConfChange(cc);
  }

  step(m: Message): void {
    if (m.to !== this.#raft.id) return; // misrouted: not for us
    this.#raft.step(m);
  }

  transferLeadership(to: NodeId): void {
    this.#raft.transferLeadership(to);
  }

  /** Ask for a linearizable read point; it arrives as Ready.readStates with this context. */
  readIndex(context: string): void {
    this.#raft.readIndex(context);
  }

  reportUnreachable(id: NodeId): void {
    this.#raft.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.#raft.reportSnapshot(id, ok);
  }

  hasReady(): boolean {
    // Asked after every step and tick: compares fields in place rather than building the
    // soft state, hard state and a copy of the unstable entries each time.
    if (this.inFlight) return false;
    const r = this.#raft;
    const hard = this.prevHard;
    return (
      r.lead !== this.prevSoft.lead ||
      r.state !== this.prevSoft.state ||
      r.term !== hard.term ||
      r.vote !== hard.vote ||
      r.raftLog.committed !== hard.commit ||
      r.raftLog.hasPendingSnapshot() ||
      r.raftLog.unstable.entries.length > 0 ||
      r.raftLog.hasNextCommittedEntries() ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.leaseAck !== undefined
    );
  }

  /**
   * Leader only: the newest quorum-acknowledged heartbeat round not yet handed out, which then
   * stays out of the next Ready. Allowed while a Ready is in flight: a lease fact promises
   * nothing about this node's disk, and waiting for the Ready in flight to be persisted would
   * hold a renewal back for as long as an fsync takes.
   */
  takeLeaseAck(): LeaseAck | undefined {
    const ack = this.#raft.leaseAck;
    this.#raft.leaseAck = undefined;
    return ack;
  }

  /** Collect everything the caller must do; call advance(ready) when done. */
  ready(): Ready {
    if (this.inFlight) throw new Error('raft: ready() called again before advance()');
    const r = this.#raft;
    const soft = r.softState();
    const hard = r.hardState();
    const softChanged = soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state;
    const hardChanged = !hardStateEqual(hard, this.prevHard);
    const entries = r.raftLog.unstableEntries();
    const snapshot = r.raftLog.hasPendingSnapshot() ? r.raftLog.unstable.snapshot : undefined;
    // The optional parts are set on the object rather than spread into it: a spread that adds a
    // property takes V8's slow path, and a Ready is built for every tick or message that acts.
    const rd: Mutable<Ready> = {
      entries,
      committedEntries: r.raftLog.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== undefined || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    if (softChanged) rd.softState = soft;
    if (hardChanged) rd.hardState = hard;
    if (snapshot) rd.snapshot = snapshot;
    if (r.leaseAck) rd.leaseAck = r.leaseAck;
    r.msgs = [];
    r.readStates = [];
    r.leaseAck = undefined;
    if (softChanged) this.prevSoft = soft;
    this.inFlight = rd;
    return rd;
  }

  /**
   * The caller persisted, sent and applied `rd`. Membership changes among its committed
   * entries take effect now, in log order.
   */
  advance(rd: Ready): void {
    if (rd !== this.inFlight) throw new Error('raft: advance() with a Ready that is not the outstanding one');
    this.inFlight = undefined;
    const log = this.#raft.raftLog;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.metadata.index);
      if (rd.snapshot.metadata.index > log.applied) log.appliedTo(rd.snapshot.metadata.index);
    }
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) log.stableTo(lastEntry.index, lastEntry.term);
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) this.#raft.applyConfChangeEntry(e.data);
      log.appliedTo(e.index);
    }
  }

  confState(): ConfState {
    return this.#raft.confState();
  }

  /** `id` is a voter of the configuration in effect. */
  isVoter(id: NodeId): boolean {
    return this.#raft.trk.isVoter(id);
  }

  /** `id` is a voter or a learner of the configuration in effect. */
  isMember(id: NodeId): boolean {
    return this.#raft.trk.isMember(id);
  }

  /** Ticks performed so far (basicStatus().tickCount without building the status). */
  get tickCount(): number {
    return this.#raft.tickCount;
  }

  /** The scalar state (model: etcd BasicStatus): cheap enough for every tick and every Ready. */
  basicStatus(): BasicStatus {
    const r = this.#raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.raftLog.committed,
      applied: r.raftLog.applied,
      lead: r.lead,
      state: r.state,
      tickCount: r.tickCount,
      leadTransferee: r.leadTransferee,
      electedByTransfer: r.state === 'leader' && r.electedByTransfer,
    };
  }

  /** basicStatus() with the last index, the configuration and, on a leader, each peer's progress. */
  status(): Status {
    const r = this.#raft;
    let progress: Map<NodeId, ProgressStatus> | undefined;
    if (r.state === 'leader') {
      progress = new Map();
      r.trk.visit((id, pr) => {
        progress!.set(id, { match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner, recentActive: pr.recentActive });
      });
    }
    return {
      ...this.basicStatus(),
      lastIndex: r.raftLog.lastIndex(),
      confState: r.confState(),
      ...(progress ? { progress } : {}),
    };
  }
}
