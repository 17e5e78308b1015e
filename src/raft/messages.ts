// The closed set of messages the core exchanges with peers. Wire types are converted to
// these at the transport edge; nothing here knows about protobuf.
import type { Entry, NodeId, Snapshot } from './types.js';

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** Sender's term (for a PreVote request: the term the sender would campaign in). */
  readonly term: number;
}

export interface AppendEntries extends Envelope {
  readonly type: 'appendEntries';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

export interface AppendEntriesResponse extends Envelope {
  readonly type: 'appendEntriesResponse';
  /** On success: the last index now known to match the leader. On reject: the rejected prevIndex. */
  readonly index: number;
  readonly reject: boolean;
  /** On reject: a guess (index, term) of where the logs may agree, for fast back-off. */
  readonly rejectHint: number;
  readonly hintTerm: number;
}

export interface Heartbeat extends Envelope {
  readonly type: 'heartbeat';
  /** min(leader commit, follower match): never beyond what the follower is known to have. */
  readonly commit: number;
  /** Heartbeat round within the leader's term; echoed back for lease and ReadIndex quorum. */
  readonly round: number;
  /**
   * True when the leader does not need this round answered (it asks for answers only when its
   * lease, a ReadIndex, CheckQuorum or an unknown follower progress needs them). A follower
   * still answers a leader it has not answered yet in this term. Absent or false: answer, as
   * every leader before this field asked (a rolling upgrade mixes both).
   */
  readonly replyOptional?: boolean;
}

export interface HeartbeatResponse extends Envelope {
  readonly type: 'heartbeatResponse';
  readonly round: number;
}

export interface RequestVote extends Envelope {
  readonly type: 'requestVote';
  readonly preVote: boolean;
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** Set when campaigning on a TimeoutNow: voters then ignore leader stickiness. */
  readonly transfer: boolean;
}

export interface RequestVoteResponse extends Envelope {
  readonly type: 'requestVoteResponse';
  readonly preVote: boolean;
  readonly reject: boolean;
  /**
   * A committed entry of the responder's log, (index, term), at or below the candidate's last
   * index: the candidate, if it holds the same entry, may commit up to it (Log Matching). How a
   * voter left behind by a removed leader learns that the removal is committed. 0 (or absent,
   * from an older peer): nothing to offer.
   */
  readonly commitIndex?: number;
  readonly commitTerm?: number;
}

export interface InstallSnapshot extends Envelope {
  readonly type: 'installSnapshot';
  readonly snapshot: Snapshot;
}

export interface TimeoutNow extends Envelope {
  readonly type: 'timeoutNow';
}

/** Follower → leader: please run a ReadIndex round for `context`. */
export interface ReadIndexRequest extends Envelope {
  readonly type: 'readIndex';
  readonly context: string;
}

export interface ReadIndexResponse extends Envelope {
  readonly type: 'readIndexResponse';
  readonly context: string;
  /** 0 with reject=true when the leader could not serve it (not leader any more, no commit in term). */
  readonly index: number;
  readonly reject: boolean;
}

/** Follower → leader: forward a client proposal. */
export interface ProposeForward extends Envelope {
  readonly type: 'propose';
  readonly entries: readonly Entry[];
}

/** Follower → leader: forward a transfer request. */
export interface TransferLeaderForward extends Envelope {
  readonly type: 'transferLeader';
  readonly target: NodeId;
}

export type Message =
  | AppendEntries
  | AppendEntriesResponse
  | Heartbeat
  | HeartbeatResponse
  | RequestVote
  | RequestVoteResponse
  | InstallSnapshot
  | TimeoutNow
  | ReadIndexRequest
  | ReadIndexResponse
  | ProposeForward
  | TransferLeaderForward;

export type MessageType = Message['type'];

export const MESSAGE_TYPES: readonly MessageType[] = [
  'appendEntries',
  'appendEntriesResponse',
  'heartbeat',
  'heartbeatResponse',
  'requestVote',
  'requestVoteResponse',
  'installSnapshot',
  'timeoutNow',
  'readIndex',
  'readIndexResponse',
  'propose',
  'transferLeader',
];

/** True for messages that answer another message (they never change who we vote for). */
export function isResponse(m: Message): boolean {
  return (
    m.type === 'appendEntriesResponse' ||
    m.type === 'heartbeatResponse' ||
    m.type === 'requestVoteResponse' ||
    m.type === 'readIndexResponse'
  );
}
