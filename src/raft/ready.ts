// The Ready contract: what the caller must do, in this order, before calling advance():
//   1. persist `snapshot` (if any), then `entries`, then `hardState` (if any) — durably, in
//      one batch, BEFORE any message of this Ready is sent;
//   2. send `messages`;
//   3. apply `snapshot` (if any) to the state machine, then apply `committedEntries` in order;
//      serve `readStates` once their index is applied;
//   4. call advance(ready).
// Membership changes in committedEntries take effect inside the core at advance().
import type { Message } from './messages.js';
import type { ConfState, Entry, HardState, LeaseAck, NodeId, ReadState, Snapshot, SoftState, StateType } from './types.js';

export interface Ready {
  /** Set only when leader or role changed since the previous Ready. */
  readonly softState?: SoftState;
  /** Set only when term, vote or commit changed since the previous Ready. */
  readonly hardState?: HardState;
  /** New entries to append to stable storage (a conflicting stored suffix is replaced). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader, to persist and apply. */
  readonly snapshot?: Snapshot;
  /** Committed entries to apply. */
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  /** Leader only: the newest quorum-acknowledged heartbeat round, when it advanced. */
  readonly leaseAck?: LeaseAck;
  /** False when nothing needs an fsync (only commit index moved, or nothing to persist). */
  readonly mustSync: boolean;
}

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly isLearner: boolean;
  readonly recentActive: boolean;
}

/** The scalar state of the core (model: etcd-io/raft BasicStatus). */
export interface BasicStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lead: NodeId;
  readonly state: StateType;
  /** Ticks since this core was created (the clock the lease facts are expressed in). */
  readonly tickCount: number;
  readonly leadTransferee: NodeId;
  /** Leader only: this term was won by a transfer (TimeoutNow) campaign. */
  readonly electedByTransfer: boolean;
}

/** BasicStatus and the rest (model: etcd-io/raft Status). */
export interface Status extends BasicStatus {
  readonly lastIndex: number;
  readonly confState: ConfState;
  /** Leader only: per-node replication progress. */
  readonly progress?: ReadonlyMap<NodeId, ProgressStatus>;
}
