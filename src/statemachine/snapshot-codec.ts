// The state machine's snapshot image. Layout:
//
//   "PLSM" | version u8 | section* | crc32 u32 (big-endian, over everything before it)
//   section = tag u8 | length varint | payload
//
// Each version has exactly its sections, once each, in this order; a new or changed section
// is a new version. Version 2 added the HA section (the replicated active-role record) and an
// optional epoch on cluster events; version 1 images still restore (no HA state, no epochs),
// so a node upgraded over an old snapshot keeps working. Version 3 added the nodes' published
// check verdicts and the latest health failover to the HA section, and the `health` event kind. Encoding is canonical (members and keys sorted, dedup and
// histories in their replicated order), so equal states give equal bytes. Decoding checks
// the checksum first, then every field, and throws SnapshotVersionError or
// SnapshotCorruptError — never a half-built state.
import { BinaryError, BinaryReader, BinaryWriter } from './binary.js';
import { ClusterEventKind } from './cluster-events.js';
import type { RecordedEvent } from './cluster-events.js';
import { crc32 } from './crc32.js';
import type { ClientRequests } from './dedup.js';
import { SnapshotCorruptError, SnapshotVersionError } from './errors.js';
import { KvEventType } from './kv-history.js';
import type { KeyValue, KvEvent } from './kv-history.js';
import { MemberRole } from './membership.js';
import type { Member } from './membership.js';
import type { RejectionStats, WriteOutcome } from './results.js';
import { EMPTY_HA_STATE, Health, type ActiveRecord, type NodeHealth, type ReplicatedHaState } from './ha-record.js';

export const SNAPSHOT_MAGIC = new Uint8Array([0x50, 0x4c, 0x53, 0x4d]); // "PLSM"
export const SNAPSHOT_FORMAT_VERSION = 3;
/** Older versions this build still reads. */
const READABLE_VERSIONS: ReadonlySet<number> = new Set([1, 2, 3]);

/** Everything a StateMachine is, as plain data. */
export interface StateImage {
  readonly appliedIndex: number;
  readonly appliedTerm: number;
  readonly rejections: RejectionStats;
  readonly clusterId: string;
  readonly members: readonly Member[];
  readonly revision: number;
  readonly kvs: readonly KeyValue[];
  /** Contiguous revisions ending at `revision` (or empty). */
  readonly history: readonly KvEvent[];
  readonly dedup: readonly ClientRequests<WriteOutcome>[];
  readonly eventSeq: number;
  readonly events: readonly RecordedEvent[];
  readonly ha: ReplicatedHaState;
}

const Section = {
  Meta: 1,
  Members: 2,
  Kv: 3,
  History: 4,
  Dedup: 5,
  Events: 6,
  Ha: 7,
} as const;
type Section = (typeof Section)[keyof typeof Section];
const SECTION_ORDER: readonly Section[] = [
  Section.Meta,
  Section.Members,
  Section.Kv,
  Section.History,
  Section.Dedup,
  Section.Events,
  Section.Ha,
];
const V1_SECTIONS: readonly Section[] = SECTION_ORDER.slice(0, 6);

const HEADER_BYTES = SNAPSHOT_MAGIC.length + 1;
const TRAILER_BYTES = 4;

// Stable one-byte tags for the string unions (the wire must not depend on their spelling).
const ROLE_TAGS = [MemberRole.Voter, MemberRole.Learner] as const;
/** Tags of the health verdicts in the HA section (version 3); append only. */
const HEALTH_TAGS = [Health.Healthy, Health.Unhealthy, Health.Unknown] as const;

const EVENT_KIND_TAGS = [
  ClusterEventKind.Election,
  ClusterEventKind.Promotion,
  ClusterEventKind.Demotion,
  ClusterEventKind.Fence,
  ClusterEventKind.Hook,
  ClusterEventKind.Health,
] as const;
const KV_EVENT_TAGS = [KvEventType.Put, KvEventType.Delete] as const;
const OUTCOME_TAGS = ['put', 'delete', 'cas'] as const;

/**
 * Records (keys, events, requests) encoded between two yields of encodeSteps: a short piece
 * of work. Every member snapshots at about the same index, and each step delays every hop of a
 * put through that member, so under load larger steps showed as a put latency spike at every
 * snapshot (docs/benchmarks.md, "Snapshots stall the write path").
 */
export const RECORDS_PER_STEP = 64;

export function encodeSnapshot(img: StateImage): Uint8Array {
  const steps = encodeSteps(img);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * The same bytes as encodeSnapshot, yielding to the event loop every RECORDS_PER_STEP records
 * (a large snapshot takes longer to encode than the lease lasts). `img` must not change
 * meanwhile: StateMachine.snapshotImage() gives one that does not. `aborted` is asked at each
 * step; when it says yes, the result is undefined.
 */
export async function encodeSnapshotAsync(img: StateImage, aborted: () => boolean = () => false): Promise<Uint8Array | undefined> {
  const steps = encodeSteps(img);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (aborted()) return undefined;
  }
}

/** The encoder, one step per RECORDS_PER_STEP records; the return value is the image's bytes. */
function* encodeSteps(img: StateImage): Generator<void, Uint8Array, void> {
  const w = new BinaryWriter().raw(SNAPSHOT_MAGIC).u8(SNAPSHOT_FORMAT_VERSION);
  let records = 0;
  const due = (): boolean => ++records % RECORDS_PER_STEP === 0;
  // Joining a large section copies megabytes, so each join is a step of its own.
  const section = (tag: Section, s: BinaryWriter): void => {
    w.u8(tag).bytes(s.finish());
  };
  let s = new BinaryWriter();
  s.uint(img.appliedIndex).uint(img.appliedTerm);
  s.uint(img.rejections.count).uint(img.rejections.lastIndex).str(img.rejections.lastReason);
  section(Section.Meta, s);

  s = new BinaryWriter();
  s.str(img.clusterId).uint(img.members.length);
  for (const m of img.members) s.str(m.id).str(m.address).u8(ROLE_TAGS.indexOf(m.role));
  section(Section.Members, s);

  s = new BinaryWriter();
  s.uint(img.revision).uint(img.kvs.length);
  for (const kv of img.kvs) {
    writeKv(s, kv);
    if (due()) yield;
  }
  yield;
  section(Section.Kv, s);
  yield;

  s = new BinaryWriter();
  s.uint(img.history.length);
  for (const e of img.history) {
    s.u8(KV_EVENT_TAGS.indexOf(e.type)).uint(e.revision);
    if (e.type === KvEventType.Put) writeKv(s, e.kv);
    else s.str(e.key);
    if (due()) yield;
  }
  yield;
  section(Section.History, s);
  yield;

  s = new BinaryWriter();
  s.uint(img.dedup.length);
  for (const c of img.dedup) {
    s.str(c.clientId).uint(c.requests.length);
    for (const [requestId, o] of c.requests) {
      s.str(requestId).u8(OUTCOME_TAGS.indexOf(o.type)).uint(o.revision);
      if (o.type === 'delete') s.u8(o.deleted ? 1 : 0);
      if (o.type === 'cas') s.u8(o.succeeded ? 1 : 0).uint(o.modRevision);
      if (due()) yield;
    }
  }
  yield;
  section(Section.Dedup, s);
  yield;

  s = new BinaryWriter();
  s.uint(img.eventSeq).uint(img.events.length);
  for (const e of img.events) {
    s.uint(e.seq).u8(EVENT_KIND_TAGS.indexOf(e.kind)).uint(e.at).str(e.nodeId).uint(e.term);
    if (e.durationMs === undefined) s.u8(0);
    else s.u8(1).uint(e.durationMs);
    if (e.epoch === undefined) s.u8(0);
    else s.u8(1).uint(e.epoch);
    s.str(e.detail);
  }
  section(Section.Events, s);

  s = new BinaryWriter();
  s.u8(img.ha.paused ? 1 : 0);
  if (img.ha.active === null) s.u8(0);
  else writeRecord(s.u8(1), img.ha.active);
  s.uint(img.ha.holders.length);
  for (const h of img.ha.holders) writeRecord(s, h);
  s.uint(img.ha.health.length);
  for (const h of img.ha.health) s.str(h.node).u8(HEALTH_TAGS.indexOf(h.health)).str(h.detail);
  const f = img.ha.lastHealthFailover;
  if (f === null) s.u8(0);
  else s.u8(1).uint(f.index).str(f.from).str(f.to);
  section(Section.Ha, s);

  const body = w.finish();
  yield;
  const crc = crc32(body);
  yield;
  return new BinaryWriter().raw(body).u32(crc).finish();
}

export function decodeSnapshot(data: Uint8Array): StateImage {
  if (data.length < HEADER_BYTES + TRAILER_BYTES) throw new SnapshotCorruptError(`only ${data.length} bytes`);
  if (!SNAPSHOT_MAGIC.every((b, i) => data[i] === b)) throw new SnapshotCorruptError('bad magic (not a palisade state snapshot)');
  const body = data.subarray(0, data.length - TRAILER_BYTES);
  const stored = new DataView(data.buffer, data.byteOffset + body.length, TRAILER_BYTES).getUint32(0);
  if (crc32(body) !== stored) throw new SnapshotCorruptError('checksum mismatch');
  // The version is checked after the checksum: a flipped version byte is corruption,
  // while an intact image of another version is a deployment problem worth naming.
  const version = data[SNAPSHOT_MAGIC.length]!;
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
  const sections = new Map<Section, BinaryReader>();
  for (const tag of version === 1 ? V1_SECTIONS : SECTION_ORDER) {
    const got = r.u8();
    if (got !== tag) throw new SnapshotCorruptError(`expected section ${tag}, found ${got}`);
    sections.set(tag, new BinaryReader(r.bytes()));
  }
  if (!r.done) throw new SnapshotCorruptError('trailing bytes after the last section');
  const read = <T>(tag: Section, fn: (s: BinaryReader) => T): T => {
    const s = sections.get(tag)!;
    const v = fn(s);
    if (!s.done) throw new SnapshotCorruptError(`trailing bytes in section ${tag}`);
    return v;
  };

  const meta = read(Section.Meta, (s) => ({
    appliedIndex: s.uint(),
    appliedTerm: s.uint(),
    rejections: { count: s.uint(), lastIndex: s.uint(), lastReason: s.str() },
  }));
  const members = read(Section.Members, (s) => {
    const clusterId = s.str();
    const list = repeat(s, () => ({ id: s.str(), address: s.str(), role: tag(ROLE_TAGS, s.u8(), 'member role') }));
    return { clusterId, members: list };
  });
  const kv = read(Section.Kv, (s) => {
    const revision = s.uint();
    return { revision, kvs: repeat(s, () => readKv(s)) };
  });
  const history = read(Section.History, (s) =>
    repeat(s, (): KvEvent => {
      const type = tag(KV_EVENT_TAGS, s.u8(), 'kv event type');
      const revision = s.uint();
      return type === KvEventType.Put ? { type, revision, kv: readKv(s) } : { type, revision, key: s.str() };
    }),
  );
  const dedup = read(Section.Dedup, (s) =>
    repeat(s, (): ClientRequests<WriteOutcome> => {
      const clientId = s.str();
      const requests = repeat(s, (): readonly [string, WriteOutcome] => {
        const requestId = s.str();
        const type = tag(OUTCOME_TAGS, s.u8(), 'write outcome');
        const revision = s.uint();
        switch (type) {
          case 'put':
            return [requestId, { type, revision }];
          case 'delete':
            return [requestId, { type, revision, deleted: bool(s.u8()) }];
          case 'cas':
            return [requestId, { type, revision, succeeded: bool(s.u8()), modRevision: s.uint() }];
          default: {
            const never: never = type;
            throw new SnapshotCorruptError(`write outcome ${String(never)}`);
          }
        }
      });
      return { clientId, requests };
    }),
  );
  const events = read(Section.Events, (s) => {
    const eventSeq = s.uint();
    const list = repeat(s, (): RecordedEvent => {
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
    });
    return { eventSeq, events: list };
  });
  const ha =
    version === 1
      ? EMPTY_HA_STATE
      : read(Section.Ha, (s): ReplicatedHaState => {
          const paused = bool(s.u8());
          const active = bool(s.u8()) ? readRecord(s) : null;
          const holders = repeat(s, () => readRecord(s));
          if (version === 2) return { active, holders, paused, health: [], lastHealthFailover: null };
          const health = repeat(s, (): NodeHealth => {
            const node = s.str();
            const tag = s.u8();
            const verdict = HEALTH_TAGS[tag];
            if (verdict === undefined) throw new SnapshotCorruptError(`unknown health tag ${tag}`);
            return { node, health: verdict, detail: s.str() };
          });
          const lastHealthFailover = bool(s.u8()) ? { index: s.uint(), from: s.str(), to: s.str() } : null;
          return { active, holders, paused, health, lastHealthFailover };
        });

  const img: StateImage = { ...meta, ...members, ...kv, history, dedup, ...events, ha };
  checkInvariants(img);
  return img;
}

/** Cheap consistency checks that a checksummed but wrongly written image would fail. */
function checkInvariants(img: StateImage): void {
  const fail = (why: string): never => {
    throw new SnapshotCorruptError(why);
  };
  const keys = new Set<string>();
  for (const kv of img.kvs) {
    if (keys.has(kv.key)) fail(`key ${kv.key} appears twice`);
    keys.add(kv.key);
    if (kv.version < 1 || kv.createRevision < 1 || kv.createRevision > kv.modRevision || kv.modRevision > img.revision) {
      fail(`key ${kv.key} has inconsistent revisions`);
    }
  }
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
}

function writeRecord(s: BinaryWriter, r: ActiveRecord): void {
  s.str(r.holder).uint(r.epoch).uint(r.term);
}

function readRecord(s: BinaryReader): ActiveRecord {
  return { holder: s.str(), epoch: s.uint(), term: s.uint() };
}

function writeKv(s: BinaryWriter, kv: KeyValue): void {
  s.str(kv.key).str(kv.value).uint(kv.createRevision).uint(kv.modRevision).uint(kv.version);
}

function readKv(s: BinaryReader): KeyValue {
  return { key: s.str(), value: s.str(), createRevision: s.uint(), modRevision: s.uint(), version: s.uint() };
}

function repeat<T>(s: BinaryReader, one: () => T): T[] {
  const n = s.uint();
  const out: T[] = [];
  // Each item takes at least one byte, so a count beyond the remaining bytes is corrupt;
  // the loop fails on the first missing byte instead of allocating for a huge count.
  for (let i = 0; i < n; i++) out.push(one());
  return out;
}

function tag<T>(tags: readonly T[], b: number, what: string): T {
  const v = tags[b];
  if (v === undefined) throw new SnapshotCorruptError(`unknown ${what} tag ${b}`);
  return v;
}

function bool(b: number): boolean {
  if (b > 1) throw new SnapshotCorruptError(`bad boolean ${b}`);
  return b === 1;
}
