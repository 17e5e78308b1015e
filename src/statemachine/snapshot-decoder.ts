// Decoding the snapshot image (layout in snapshot-format.ts): the checksum first, then the
// version, then each section by its own reader, then cheap consistency checks. Anything
// malformed is a SnapshotCorruptError, an intact image of an unknown version a
// SnapshotVersionError — never a half-built state.
import { BinaryError, BinaryReader } from './binary.js';
import type { RecordedEvent } from './cluster-events.js';
import { crc32 } from './crc32.js';
import type { ClientRequests } from './dedup.js';
import { compareKeys } from './key-order.js';
import { SnapshotCorruptError, SnapshotVersionError } from './errors.js';
import { KvEventType } from './kv-history.js';
import type { KeyValue, KvEvent } from './kv-history.js';
import type { RememberedOutcome } from './results.js';
import { EMPTY_COORD_IMAGE } from './coord-state.js';
import { coordImageProblem, readCoordSection } from './snapshot-coord.js';
import { EMPTY_HA_STATE, type NodeHealth, type ReplicatedHaState } from './ha-record.js';
import {
  EVENT_KIND_TAGS,
  HEADER_BYTES,
  HEALTH_TAGS,
  KV_EVENT_TAGS,
  OUTCOME_TAGS,
  OUTCOME_TAGS_BEFORE_V4,
  READABLE_VERSIONS,
  ROLE_TAGS,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  Section,
  TRAILER_BYTES,
  WRITE_REFUSAL_TAGS,
  sectionsOf,
  bool,
  readKv,
  readRecord,
  repeat,
  tag,
  type StateImage,
} from './snapshot-format.js';

export function decodeSnapshot(data: Uint8Array): StateImage {
  if (data.length < HEADER_BYTES + TRAILER_BYTES) throw new SnapshotCorruptError(`only ${data.length} bytes`);
  if (!SNAPSHOT_MAGIC.every((b, i) => data[i] === b)) throw new SnapshotCorruptError('bad magic (not a palisade state snapshot)');
  const body = data.subarray(0, data.length - TRAILER_BYTES);
  const stored = new DataView(data.buffer, data.byteOffset + body.length, TRAILER_BYTES).getUint32(0);
  if (crc32(body) !== stored) throw new SnapshotCorruptError('checksum mismatch');
  // The version is checked after the checksum: a flipped version byte is corruption,
  // while an intact image of another version is a deployment problem worth naming.
  const version = data[SNAPSHOT_MAGIC.length];
  if (!READABLE_VERSIONS.has(version)) throw new SnapshotVersionError(version, SNAPSHOT_FORMAT_VERSION);
  try {
    return readBody(new BinaryReader(body.subarray(HEADER_BYTES)), version);
  } catch (e) {
    if (e instanceof SnapshotCorruptError) throw e;
    if (e instanceof BinaryError) throw new SnapshotCorruptError(e.message, { cause: e });
    throw e;
  }
}

function readBody(r: BinaryReader, version: number): StateImage {
  const sections = splitSections(r, version);
  const read = <T>(tag: Section, fn: (s: BinaryReader) => T): T => {
    const s = sections.get(tag)!;
    const v = fn(s);
    if (!s.done) throw new SnapshotCorruptError(`trailing bytes in section ${tag}`);
    return v;
  };
  const img: StateImage = {
    ...read(Section.Meta, readMeta),
    ...read(Section.Members, readMembers),
    ...read(Section.Kv, readKvSection),
    history: read(Section.History, readHistory),
    dedup: read(Section.Dedup, (s) => readDedup(s, version)),
    ...read(Section.Events, (s) => readEvents(s, version)),
    ha: version === 1 ? EMPTY_HA_STATE : read(Section.Ha, (s) => readHa(s, version)),
    coord: version < 4 ? EMPTY_COORD_IMAGE : read(Section.Coord, readCoordSection),
  };
  checkInvariants(img);
  return img;
}

/** The version's sections, each exactly once and in order, and nothing after them. */
function splitSections(r: BinaryReader, version: number): Map<Section, BinaryReader> {
  const sections = new Map<Section, BinaryReader>();
  for (const tag of sectionsOf(version)) {
    const got = r.u8();
    if (got !== tag) throw new SnapshotCorruptError(`expected section ${tag}, found ${got}`);
    sections.set(tag, new BinaryReader(r.bytes()));
  }
  if (!r.done) throw new SnapshotCorruptError('trailing bytes after the last section');
  return sections;
}

function readMeta(s: BinaryReader): Pick<StateImage, 'appliedIndex' | 'appliedTerm' | 'rejections'> {
  return {
    appliedIndex: s.uint(),
    appliedTerm: s.uint(),
    rejections: { count: s.uint(), lastIndex: s.uint(), lastReason: s.str() },
  };
}

function readMembers(s: BinaryReader): Pick<StateImage, 'clusterId' | 'members'> {
  const clusterId = s.str();
  const list = repeat(s, () => ({ id: s.str(), address: s.str(), role: tag(ROLE_TAGS, s.u8(), 'member role') }));
  return { clusterId, members: list };
}

/**
 * The keys, checked as they are read (one pass over a section that can hold millions): every
 * version is written with its keys in compareKeys order (the encoder's canonical order), so a
 * strict order check also refuses a key twice, without a set of every key.
 */
function readKvSection(s: BinaryReader): Pick<StateImage, 'revision' | 'kvs'> {
  const revision = s.uint();
  const n = s.uint();
  const kvs: KeyValue[] = [];
  let prevKey: string | undefined;
  // Each record takes at least one byte, so a corrupt count fails on the first missing byte.
  for (let i = 0; i < n; i++) {
    const kv = readKv(s);
    if (prevKey !== undefined && compareKeys(prevKey, kv.key) >= 0) {
      throw new SnapshotCorruptError(`key ${kv.key} is a duplicate or out of order`);
    }
    if (kv.version < 1 || kv.createRevision < 1 || kv.createRevision > kv.modRevision || kv.modRevision > revision) {
      throw new SnapshotCorruptError(`key ${kv.key} has inconsistent revisions`);
    }
    prevKey = kv.key;
    kvs.push(kv);
  }
  return { revision, kvs };
}

function readHistory(s: BinaryReader): KvEvent[] {
  return repeat(s, (): KvEvent => {
    const type = tag(KV_EVENT_TAGS, s.u8(), 'kv event type');
    const revision = s.uint();
    return type === KvEventType.Put ? { type, revision, kv: readKv(s) } : { type, revision, key: s.str() };
  });
}

function readDedup(s: BinaryReader, version: number): ClientRequests<RememberedOutcome>[] {
  // Versions before 4 know only the three KV write outcomes.
  const tags = version < 4 ? OUTCOME_TAGS.slice(0, OUTCOME_TAGS_BEFORE_V4) : OUTCOME_TAGS;
  return repeat(s, (): ClientRequests<RememberedOutcome> => {
    const clientId = s.str();
    const requests = repeat(s, () => readOutcome(s, tags));
    return { clientId, requests };
  });
}

function readOutcome(s: BinaryReader, tags: readonly (typeof OUTCOME_TAGS)[number][]): readonly [string, RememberedOutcome] {
  const requestId = s.str();
  const type = tag(tags, s.u8(), 'write outcome');
  switch (type) {
    case 'put':
      return [requestId, { type, revision: s.uint() }];
    case 'delete':
      return [requestId, { type, revision: s.uint(), deleted: bool(s.u8()) }];
    case 'cas':
      return [requestId, { type, revision: s.uint(), succeeded: bool(s.u8()), modRevision: s.uint() }];
    case 'writeRefused':
      return [requestId, { type, revision: s.uint(), reason: tag(WRITE_REFUSAL_TAGS, s.u8(), 'write refusal'), detail: s.str() }];
    case 'sessionCreated':
      return [requestId, { type, session: s.str(), ttlMs: s.uint() }];
    default: {
      const never: never = type;
      throw new SnapshotCorruptError(`write outcome ${String(never)}`);
    }
  }
}

function readEvents(s: BinaryReader, version: number): Pick<StateImage, 'eventSeq' | 'events'> {
  const eventSeq = s.uint();
  return { eventSeq, events: repeat(s, () => readEvent(s, version)) };
}

function readEvent(s: BinaryReader, version: number): RecordedEvent {
  const seq = s.uint();
  const kind = tag(EVENT_KIND_TAGS, s.u8(), 'event kind');
  const at = s.uint();
  const nodeId = s.str();
  const term = s.uint();
  const durationMs = bool(s.u8()) ? s.uint() : undefined;
  const epoch = version >= 2 && bool(s.u8()) ? s.uint() : undefined;
  const detail = s.str();
  return {
    seq,
    kind,
    at,
    nodeId,
    term,
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(epoch === undefined ? {} : { epoch }),
    detail,
  };
}

/** The HA section (version 2 on): version 2 has no health verdicts and no health failover. */
function readHa(s: BinaryReader, version: number): ReplicatedHaState {
  const paused = bool(s.u8());
  const active = bool(s.u8()) ? readRecord(s) : null;
  const holders = repeat(s, () => readRecord(s));
  if (version === 2) return { active, holders, paused, health: [], lastHealthFailover: null };
  const health = repeat(s, () => readHealth(s));
  const lastHealthFailover = bool(s.u8()) ? { index: s.uint(), from: s.str(), to: s.str() } : null;
  return { active, holders, paused, health, lastHealthFailover };
}

function readHealth(s: BinaryReader): NodeHealth {
  const node = s.str();
  const tag = s.u8();
  const verdict = HEALTH_TAGS[tag];
  if (verdict === undefined) throw new SnapshotCorruptError(`unknown health tag ${tag}`);
  return { node, health: verdict, detail: s.str() };
}

/** Cheap consistency checks that a checksummed but wrongly written image would fail. */
function checkInvariants(img: StateImage): void {
  const fail = (why: string): never => {
    throw new SnapshotCorruptError(why);
  };
  // The keys' order and revisions are checked as they are read (readKvSection).
  img.history.forEach((e, i) => {
    if (e.revision !== img.revision - img.history.length + 1 + i) fail('kv history is not contiguous up to the revision');
  });
  const ids = new Set<string>();
  for (const m of img.members) {
    if (ids.has(m.id)) fail(`member ${m.id} appears twice`);
    ids.add(m.id);
  }
  let prevSeq = 0;
  for (const e of img.events) {
    if (e.seq <= prevSeq || e.seq > img.eventSeq) fail('cluster events are out of order');
    prevSeq = e.seq;
  }
  // The HA reducer keeps holders sorted by epoch, one per node, the active one among them.
  const holderIds = new Set<string>();
  let prevEpoch = 0;
  for (const h of img.ha.holders) {
    if (h.epoch <= prevEpoch || holderIds.has(h.holder)) fail('HA holders are not one per node in epoch order');
    holderIds.add(h.holder);
    prevEpoch = h.epoch;
  }
  const a = img.ha.active;
  if (a !== null && a.epoch > img.appliedIndex) fail('HA active epoch is beyond the applied index');
  const coordProblem = coordImageProblem(img.coord, img.appliedIndex, img.kvs);
  if (coordProblem !== undefined) fail(coordProblem);
}
