// Wire ⇄ core conversion for the peer contract. Decoding validates every field (type, range,
// presence, consistency) and throws MalformedMessageError naming the bad field; the core only
// ever sees values that satisfy src/raft/messages.ts. Encoding trusts the core but still refuses
// numbers that cannot travel as uint64.
import type { Entry, EntryType, NodeId, Snapshot } from '../raft/types.js';
import type { InstallSnapshot, Message } from '../raft/messages.js';
import { MalformedMessageError } from './errors.js';
import type { Entry as WireEntry, Entry__Output as WireEntryOut } from './generated/palisade/v1/Entry.js';
import type { PeerBatch, PeerBatch__Output } from './generated/palisade/v1/PeerBatch.js';
import type { RaftMessage, RaftMessage__Output } from './generated/palisade/v1/RaftMessage.js';
import type { SnapshotHeader, SnapshotHeader__Output } from './generated/palisade/v1/SnapshotHeader.js';

/** Node ids are short operator-chosen names; anything longer is garbage, not a name. */
export const MAX_NODE_ID_LENGTH = 255;

/** A decoded batch: who sent it, to whom, for which cluster, and the core messages. */
export interface DecodedBatch {
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly messages: readonly Message[];
}

// ------------------------------------------------------------------ scalars

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * uint64 (a decimal string under `longs: String`) → number. Values above 2^53 − 1 would be
 * rounded silently by JavaScript, so they are rejected instead.
 */
export function u64ToNumber(value: unknown, path: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new MalformedMessageError(path, `${value} is not a non-negative safe integer`);
  }
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new MalformedMessageError(path, `expected an unsigned decimal integer, got ${describe(value)}`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new MalformedMessageError(path, `${value} exceeds 2^53-1, the largest integer this node can represent exactly`);
  }
  return n;
}

/**
 * number → uint64 field. protobufjs takes a number for a uint64 as readily as a decimal string,
 * and a string would cost it a Long.fromString per field, which showed in a leader's profile
 * under load (docs/benchmarks.md, "Fewer microseconds per message").
 * A core value that cannot be a uint64 is a bug, not a wire problem.
 */
export function numberToU64(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} = ${n} is not a non-negative safe integer`);
  return n;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new MalformedMessageError(path, `expected a boolean, got ${describe(value)}`);
  return value;
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new MalformedMessageError(path, `expected a string, got ${describe(value)}`);
  return value;
}

export function nodeId(value: unknown, path: string): NodeId {
  const s = str(value, path);
  if (s.length === 0) throw new MalformedMessageError(path, 'node id is empty');
  if (s.length > MAX_NODE_ID_LENGTH) throw new MalformedMessageError(path, `node id longer than ${MAX_NODE_ID_LENGTH} characters`);
  return s;
}

/** Copies, so the core never holds a view into (and keeps alive) a whole received buffer. */
function bytes(value: unknown, path: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new MalformedMessageError(path, `expected bytes, got ${describe(value)}`);
  return new Uint8Array(value);
}

function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new MalformedMessageError(path, `expected a list, got ${describe(value)}`);
  return value;
}

/** A present sub-message (absent ones decode to null under `defaults: true`). */
function object<T>(value: T | null | undefined, path: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedMessageError(path, value === null || value === undefined ? 'missing' : `expected a message, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return Array.isArray(value) ? 'a list' : typeof value;
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
      throw new MalformedMessageError(`${path}[${i}].index`, `expected ${prevIndex + 1 + i} (entries follow prevIndex ${prevIndex} without gaps), got ${e.index}`);
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
      return { term, heartbeat: { commit: numberToU64(m.commit, 'commit'), round: numberToU64(m.round, 'round') } };
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

/** Wire → core message. `from`/`to` come from the enclosing batch. */
export function decodeMessage(wire: RaftMessage__Output, from: NodeId, to: NodeId, path: string): Message {
  const w = object(wire, path);
  const term = u64ToNumber(w.term, `${path}.term`);
  const body = w.body;
  const at = `${path}.${String(body)}`;
  switch (body) {
    case 'appendEntries': {
      const b = object(w.appendEntries, at);
      const prevIndex = u64ToNumber(b.prevIndex, `${at}.prevIndex`);
      const prevTerm = u64ToNumber(b.prevTerm, `${at}.prevTerm`);
      const entries = decodeEntries(b.entries, `${at}.entries`);
      checkAppendedEntries(entries, prevIndex, prevTerm, term, `${at}.entries`);
      return { type: 'appendEntries', from, to, term, prevIndex, prevTerm, entries, commit: u64ToNumber(b.commit, `${at}.commit`) };
    }
    case 'appendEntriesResponse': {
      const b = object(w.appendEntriesResponse, at);
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
    case 'heartbeat': {
      const b = object(w.heartbeat, at);
      return { type: 'heartbeat', from, to, term, commit: u64ToNumber(b.commit, `${at}.commit`), round: u64ToNumber(b.round, `${at}.round`) };
    }
    case 'heartbeatResponse': {
      const b = object(w.heartbeatResponse, at);
      return { type: 'heartbeatResponse', from, to, term, round: u64ToNumber(b.round, `${at}.round`) };
    }
    case 'requestVote': {
      const b = object(w.requestVote, at);
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
    case 'requestVoteResponse': {
      const b = object(w.requestVoteResponse, at);
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
    case 'timeoutNow':
      object(w.timeoutNow, at);
      return { type: 'timeoutNow', from, to, term };
    case 'readIndex': {
      const b = object(w.readIndex, at);
      return { type: 'readIndex', from, to, term, context: str(b.context, `${at}.context`) };
    }
    case 'readIndexResponse': {
      const b = object(w.readIndexResponse, at);
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

// ------------------------------------------------------------------ batches

export function encodeBatch(clusterId: string, from: NodeId, to: NodeId, messages: readonly Exclude<Message, InstallSnapshot>[]): PeerBatch {
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
