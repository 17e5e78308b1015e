// Wire ⇄ core conversion for the peer contract. Decoding validates every field (type, range,
// presence, consistency) and throws MalformedMessageError naming the bad field; the core only
// ever sees values that satisfy src/raft/messages.ts. Encoding trusts the core but still refuses
// numbers that cannot travel as uint64.
import type { Entry, EntryType, NodeId, Snapshot } from '../raft/types.js';
import type { InstallSnapshot, Message } from '../raft/messages.js';
import { MalformedMessageError } from './errors.js';
import { array, bool, bytes, describe, nodeId, numberToU64, object, str, u64ToNumber } from './wire-fields.js';
import type { Entry as WireEntry, Entry__Output as WireEntryOut } from './generated/palisade/v1/Entry.js';
import type { PeerBatch, PeerBatch__Output } from './generated/palisade/v1/PeerBatch.js';
import type { AppendEntries__Output } from './generated/palisade/v1/AppendEntries.js';
import type { AppendEntriesResponse__Output } from './generated/palisade/v1/AppendEntriesResponse.js';
import type { RaftMessage, RaftMessage__Output } from './generated/palisade/v1/RaftMessage.js';
import type { ReadIndexResponse__Output } from './generated/palisade/v1/ReadIndexResponse.js';
import type { RequestVote__Output } from './generated/palisade/v1/RequestVote.js';
import type { RequestVoteResponse__Output } from './generated/palisade/v1/RequestVoteResponse.js';
import type { SnapshotHeader, SnapshotHeader__Output } from './generated/palisade/v1/SnapshotHeader.js';

export { MAX_NODE_ID_LENGTH, numberToU64, u64ToNumber } from './wire-fields.js';

/** A decoded batch: who sent it, to whom, for which cluster, and the core messages. */
export interface DecodedBatch {
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly messages: readonly Message[];
}

// ------------------------------------------------------------------ entries

const ENTRY_TYPE_TO_WIRE = { normal: 'ENTRY_TYPE_NORMAL', confChange: 'ENTRY_TYPE_CONF_CHANGE' } as const satisfies Record<
  EntryType,
  string
>;

function entryTypeFromWire(value: unknown, path: string): EntryType {
  switch (value) {
    case 'ENTRY_TYPE_NORMAL':
      return 'normal';
    case 'ENTRY_TYPE_CONF_CHANGE':
      return 'confChange';
    case 'ENTRY_TYPE_UNSPECIFIED':
      throw new MalformedMessageError(path, 'entry type is missing (ENTRY_TYPE_UNSPECIFIED)');
    default:
      // protobufjs leaves enum values it does not know as numbers.
      throw new MalformedMessageError(path, `unknown entry type ${describe(value)}`);
  }
}

function encodeEntry(e: Entry): WireEntry {
  return {
    term: numberToU64(e.term, 'entry.term'),
    index: numberToU64(e.index, 'entry.index'),
    type: ENTRY_TYPE_TO_WIRE[e.type],
    data: e.data,
  };
}

function decodeEntry(w: WireEntryOut, path: string): Entry {
  const e = object(w, path);
  return {
    term: u64ToNumber(e.term, `${path}.term`),
    index: u64ToNumber(e.index, `${path}.index`),
    type: entryTypeFromWire(e.type, `${path}.type`),
    data: bytes(e.data, `${path}.data`),
  };
}

function decodeEntries(value: unknown, path: string): Entry[] {
  return array(value, path).map((e, i) => decodeEntry(e as WireEntryOut, `${path}[${i}]`));
}

/**
 * Entries appended after prevIndex must be the log's next slots (§5.3: the follower places them
 * at prevIndex+1, prevIndex+2, ...) and carry terms that never decrease and never exceed the
 * leader's term (a leader's log holds no entry from a term later than its own).
 */
function checkAppendedEntries(entries: readonly Entry[], prevIndex: number, prevTerm: number, term: number, path: string): void {
  let lastTerm = prevTerm;
  entries.forEach((e, i) => {
    if (e.index !== prevIndex + 1 + i) {
      throw new MalformedMessageError(
        `${path}[${i}].index`,
        `expected ${prevIndex + 1 + i} (entries follow prevIndex ${prevIndex} without gaps), got ${e.index}`,
      );
    }
    if (e.term < lastTerm) throw new MalformedMessageError(`${path}[${i}].term`, `term ${e.term} is lower than the preceding ${lastTerm}`);
    if (e.term > term) throw new MalformedMessageError(`${path}[${i}].term`, `entry term ${e.term} exceeds the message term ${term}`);
    lastTerm = e.term;
  });
}

// ------------------------------------------------------------------ messages

/** Core message → wire. InstallSnapshot is not a stream message: see snapshot-chunks.ts. */
export function encodeMessage(m: Exclude<Message, InstallSnapshot>): RaftMessage {
  const term = numberToU64(m.term, 'term');
  switch (m.type) {
    case 'appendEntries':
      return {
        term,
        appendEntries: {
          prevIndex: numberToU64(m.prevIndex, 'prevIndex'),
          prevTerm: numberToU64(m.prevTerm, 'prevTerm'),
          entries: m.entries.map(encodeEntry),
          commit: numberToU64(m.commit, 'commit'),
        },
      };
    case 'appendEntriesResponse':
      return {
        term,
        appendEntriesResponse: {
          index: numberToU64(m.index, 'index'),
          reject: m.reject,
          rejectHint: numberToU64(m.rejectHint, 'rejectHint'),
          hintTerm: numberToU64(m.hintTerm, 'hintTerm'),
        },
      };
    case 'heartbeat':
      return {
        term,
        heartbeat: {
          commit: numberToU64(m.commit, 'commit'),
          round: numberToU64(m.round, 'round'),
          replyOptional: m.replyOptional === true,
        },
      };
    case 'heartbeatResponse':
      return { term, heartbeatResponse: { round: numberToU64(m.round, 'round') } };
    case 'requestVote':
      return {
        term,
        requestVote: {
          preVote: m.preVote,
          lastIndex: numberToU64(m.lastIndex, 'lastIndex'),
          lastTerm: numberToU64(m.lastTerm, 'lastTerm'),
          transfer: m.transfer,
        },
      };
    case 'requestVoteResponse':
      return {
        term,
        requestVoteResponse: {
          preVote: m.preVote,
          reject: m.reject,
          commitIndex: numberToU64(m.commitIndex ?? 0, 'commitIndex'),
          commitTerm: numberToU64(m.commitTerm ?? 0, 'commitTerm'),
        },
      };
    case 'timeoutNow':
      return { term, timeoutNow: {} };
    case 'readIndex':
      return { term, readIndex: { context: m.context } };
    case 'readIndexResponse':
      return { term, readIndexResponse: { context: m.context, index: numberToU64(m.index, 'index'), reject: m.reject } };
    case 'propose':
      return { term, propose: { entries: m.entries.map(encodeEntry) } };
    case 'transferLeader':
      return { term, transferLeader: { target: m.target } };
    default: {
      const never: never = m;
      throw new Error(`unhandled message type ${(never as Message).type}`);
    }
  }
}

/**
 * Wire → core message. `from`/`to` come from the enclosing batch. Every body's message is built
 * as one literal: a spread that adds fields takes a slow path in V8 (design-notes,
 * "Per-message code"), and this runs for every message a node receives.
 */
export function decodeMessage(wire: RaftMessage__Output, from: NodeId, to: NodeId, path: string): Message {
  const w = object(wire, path);
  const term = u64ToNumber(w.term, `${path}.term`);
  const body = w.body;
  const at = `${path}.${String(body)}`;
  switch (body) {
    case 'appendEntries':
      return decodeAppendEntries(object(w.appendEntries, at), from, to, term, at);
    case 'appendEntriesResponse':
      return decodeAppendEntriesResponse(object(w.appendEntriesResponse, at), from, to, term, at);
    case 'heartbeat': {
      const b = object(w.heartbeat, at);
      const commit = u64ToNumber(b.commit, `${at}.commit`);
      const round = u64ToNumber(b.round, `${at}.round`);
      // Absent (an older leader) decodes as false: answer.
      return bool(b.replyOptional, `${at}.replyOptional`)
        ? { type: 'heartbeat', from, to, term, commit, round, replyOptional: true }
        : { type: 'heartbeat', from, to, term, commit, round };
    }
    case 'heartbeatResponse': {
      const b = object(w.heartbeatResponse, at);
      return { type: 'heartbeatResponse', from, to, term, round: u64ToNumber(b.round, `${at}.round`) };
    }
    case 'requestVote':
      return decodeRequestVote(object(w.requestVote, at), from, to, term, at);
    case 'requestVoteResponse':
      return decodeRequestVoteResponse(object(w.requestVoteResponse, at), from, to, term, at);
    case 'timeoutNow':
      object(w.timeoutNow, at);
      return { type: 'timeoutNow', from, to, term };
    case 'readIndex': {
      const b = object(w.readIndex, at);
      return { type: 'readIndex', from, to, term, context: str(b.context, `${at}.context`) };
    }
    case 'readIndexResponse':
      return decodeReadIndexResponse(object(w.readIndexResponse, at), from, to, term, at);
    case 'propose': {
      const b = object(w.propose, at);
      return { type: 'propose', from, to, term, entries: decodeEntries(b.entries, `${at}.entries`) };
    }
    case 'transferLeader': {
      const b = object(w.transferLeader, at);
      return { type: 'transferLeader', from, to, term, target: nodeId(b.target, `${at}.target`) };
    }
    case undefined:
      // Also what a newer peer's message type looks like: protobufjs skips unknown fields.
      throw new MalformedMessageError(path, 'no message body (missing, or a message type this node does not know)');
    default: {
      const never: never = body;
      throw new MalformedMessageError(path, `unknown message body ${describe(never)}`);
    }
  }
}

function decodeAppendEntries(b: AppendEntries__Output, from: NodeId, to: NodeId, term: number, at: string): Message {
  const prevIndex = u64ToNumber(b.prevIndex, `${at}.prevIndex`);
  const prevTerm = u64ToNumber(b.prevTerm, `${at}.prevTerm`);
  const entries = decodeEntries(b.entries, `${at}.entries`);
  checkAppendedEntries(entries, prevIndex, prevTerm, term, `${at}.entries`);
  return { type: 'appendEntries', from, to, term, prevIndex, prevTerm, entries, commit: u64ToNumber(b.commit, `${at}.commit`) };
}

function decodeAppendEntriesResponse(b: AppendEntriesResponse__Output, from: NodeId, to: NodeId, term: number, at: string): Message {
  return {
    type: 'appendEntriesResponse',
    from,
    to,
    term,
    index: u64ToNumber(b.index, `${at}.index`),
    reject: bool(b.reject, `${at}.reject`),
    rejectHint: u64ToNumber(b.rejectHint, `${at}.rejectHint`),
    hintTerm: u64ToNumber(b.hintTerm, `${at}.hintTerm`),
  };
}

function decodeRequestVote(b: RequestVote__Output, from: NodeId, to: NodeId, term: number, at: string): Message {
  return {
    type: 'requestVote',
    from,
    to,
    term,
    preVote: bool(b.preVote, `${at}.preVote`),
    lastIndex: u64ToNumber(b.lastIndex, `${at}.lastIndex`),
    lastTerm: u64ToNumber(b.lastTerm, `${at}.lastTerm`),
    transfer: bool(b.transfer, `${at}.transfer`),
  };
}

function decodeRequestVoteResponse(b: RequestVoteResponse__Output, from: NodeId, to: NodeId, term: number, at: string): Message {
  return {
    type: 'requestVoteResponse',
    from,
    to,
    term,
    preVote: bool(b.preVote, `${at}.preVote`),
    reject: bool(b.reject, `${at}.reject`),
    // Absent from an older peer: the defaults decode as 0, "nothing to offer".
    commitIndex: u64ToNumber(b.commitIndex, `${at}.commitIndex`),
    commitTerm: u64ToNumber(b.commitTerm, `${at}.commitTerm`),
  };
}

function decodeReadIndexResponse(b: ReadIndexResponse__Output, from: NodeId, to: NodeId, term: number, at: string): Message {
  return {
    type: 'readIndexResponse',
    from,
    to,
    term,
    context: str(b.context, `${at}.context`),
    index: u64ToNumber(b.index, `${at}.index`),
    reject: bool(b.reject, `${at}.reject`),
  };
}

// ------------------------------------------------------------------ batches

export function encodeBatch(
  clusterId: string,
  from: NodeId,
  to: NodeId,
  messages: readonly Exclude<Message, InstallSnapshot>[],
): PeerBatch {
  return { clusterId, from, to, messages: messages.map(encodeMessage) };
}

export interface Envelope {
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
}

/**
 * The envelope of a batch or snapshot chunk, checked before the payload so that a node of
 * another cluster gets the clear mismatch error whatever its messages look like.
 */
export function decodeEnvelope(wire: { clusterId: unknown; from: unknown; to: unknown }): Envelope {
  const w = object(wire, 'envelope');
  const clusterId = str(w.clusterId, 'clusterId');
  if (clusterId.length === 0) throw new MalformedMessageError('clusterId', 'cluster id is empty');
  return { clusterId, from: nodeId(w.from, 'from'), to: nodeId(w.to, 'to') };
}

/** Decodes the whole batch or throws: a batch is never delivered in part. */
export function decodeBatch(wire: PeerBatch__Output): DecodedBatch {
  const env = decodeEnvelope(wire);
  const messages = array(wire.messages, 'messages').map((m, i) =>
    decodeMessage(m as RaftMessage__Output, env.from, env.to, `messages[${i}]`),
  );
  return { clusterId: env.clusterId, from: env.from, to: env.to, messages };
}

// ------------------------------------------------------------------ snapshot header

export function encodeSnapshotHeader(m: InstallSnapshot): SnapshotHeader {
  const md = m.snapshot.metadata;
  return {
    term: numberToU64(m.term, 'term'),
    metadata: {
      index: numberToU64(md.index, 'snapshot.index'),
      term: numberToU64(md.term, 'snapshot.term'),
      confState: { voters: [...md.confState.voters], learners: [...md.confState.learners] },
    },
    size: numberToU64(m.snapshot.data.length, 'snapshot size'),
  };
}

export interface DecodedSnapshotHeader {
  readonly term: number;
  readonly metadata: Snapshot['metadata'];
  readonly size: number;
}

function nodeIdList(value: unknown, path: string): NodeId[] {
  const ids = array(value, path).map((v, i) => nodeId(v, `${path}[${i}]`));
  if (new Set(ids).size !== ids.length) throw new MalformedMessageError(path, 'lists a node twice');
  return ids;
}

export function decodeSnapshotHeader(wire: SnapshotHeader__Output | null | undefined, path: string): DecodedSnapshotHeader {
  const h = object(wire, path);
  const md = object(h.metadata, `${path}.metadata`);
  const cs = object(md.confState, `${path}.metadata.confState`);
  const index = u64ToNumber(md.index, `${path}.metadata.index`);
  const snapTerm = u64ToNumber(md.term, `${path}.metadata.term`);
  // §7: a snapshot replaces the log up to a committed index; index 0 would be "no snapshot".
  if (index === 0) throw new MalformedMessageError(`${path}.metadata.index`, 'a snapshot must cover at least index 1');
  if (snapTerm === 0) throw new MalformedMessageError(`${path}.metadata.term`, 'a snapshot must have a term of at least 1');
  const voters = nodeIdList(cs.voters, `${path}.metadata.confState.voters`);
  const learners = nodeIdList(cs.learners, `${path}.metadata.confState.learners`);
  const both = learners.find((l) => voters.includes(l));
  if (both !== undefined) throw new MalformedMessageError(`${path}.metadata.confState`, `node "${both}" is both voter and learner`);
  return {
    term: u64ToNumber(h.term, `${path}.term`),
    metadata: { index, term: snapTerm, confState: { voters, learners } },
    size: u64ToNumber(h.size, `${path}.size`),
  };
}
