// Core value types of the pure Raft core. Plain data, no behaviour: these cross the
// Ready boundary to storage, the transport and the simulator.

/** A node's id: a short operator-chosen string ("n1"). The empty string means "none". */
export type NodeId = string;
export const NONE: NodeId = '';

export const EntryType = {
  /** Application data (possibly empty: the no-op a new leader appends). */
  Normal: 'normal',
  /** A membership change; `data` is an encoded ConfChange (see conf-change-codec.ts). */
  ConfChange: 'confChange',
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must be durable before any message of the same Ready leaves the node. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: NONE, commit: 0 });

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/**
 * Membership. Single-server changes only (no joint consensus): at most one voter is
 * added or removed per committed change, so any two consecutive voter sets overlap in a
 * majority of both.
 */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export const ConfChangeType = {
  /** Add a voter, or promote an existing learner to voter. */
  AddVoter: 'addVoter',
  /** Add a non-voting learner (it receives the log but neither votes nor counts for commit). */
  AddLearner: 'addLearner',
  /** Remove a voter or learner (the leader itself may be removed). */
  RemoveNode: 'removeNode',
} as const;
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to the core (e.g. the peer's address); carried so that appliers learn it. */
  readonly context?: string;
}

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state-machine image at `metadata.index`. Opaque to the core. */
  readonly data: Uint8Array;
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  metadata: Object.freeze({ index: 0, term: 0, confState: Object.freeze({ voters: [], learners: [] }) }),
  data: new Uint8Array(0),
});

export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export const StateType = {
  Follower: 'follower',
  PreCandidate: 'preCandidate',
  Candidate: 'candidate',
  Leader: 'leader',
} as const;
export type StateType = (typeof StateType)[keyof typeof StateType];

/** Volatile state worth reporting (not persisted). */
export interface SoftState {
  readonly lead: NodeId;
  readonly state: StateType;
}

/** A linearizable read became safe: once `index` is applied, serve the read tagged `context`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/**
 * The lease fact the HA layer builds on. The leader numbers its heartbeat rounds within a
 * term; `round` is the newest round that a quorum of voters (the leader included) has
 * acknowledged, and `startTick` the value of the leader's tick counter when that round was
 * broadcast. The caller maps `startTick` to its own monotonic clock: a heartbeat round is
 * sent no earlier than the tick() call that started it, so the tick's clock reading is a
 * safe (early) lower bound for the round's send time.
 */
export interface LeaseAck {
  readonly term: number;
  readonly round: number;
  readonly startTick: number;
}
