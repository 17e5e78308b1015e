// The state machine's snapshot image. Layout:
//
//   "PLSM" | version u8 | section* | crc32 u32 (big-endian, over everything before it)
//   section = tag u8 | length varint | payload
//
// Each version has exactly its sections, once each, in this order; a new or changed section
// is a new version. Version 2 added the HA section (the replicated active-role record) and an
// optional epoch on cluster events; version 1 images still restore (no HA state, no epochs),
// so a node upgraded over an old snapshot keeps working. Version 3 added the nodes' published
// check verdicts and the latest health failover to the HA section, and the `health` event kind.
// Version 4 added the coordination section (sessions, queues, the token counter, ephemeral keys)
// and two remembered outcomes (a refused write, a session create); older images restore with no
// coordination state. Encoding is canonical (members and keys sorted, dedup and
// histories in their replicated order), so equal states give equal bytes. Decoding checks
// the checksum first, then every field, and throws SnapshotVersionError or
// SnapshotCorruptError — never a half-built state.
import type { BinaryReader, BinaryWriter } from './binary.js';
import { ClusterEventKind } from './cluster-events.js';
import type { RecordedEvent } from './cluster-events.js';
import type { ClientRequests } from './dedup.js';
import { SnapshotCorruptError } from './errors.js';
import { KvEventType } from './kv-history.js';
import type { KeyValue, KvEvent } from './kv-history.js';
import { MemberRole } from './membership.js';
import type { Member } from './membership.js';
import type { RejectionStats, RememberedOutcome } from './results.js';
import { QueueKind, WriteRefusal } from './coord-record.js';
import type { CoordImage } from './coord-state.js';
import { Health, type ActiveRecord, type ReplicatedHaState } from './ha-record.js';

export const SNAPSHOT_MAGIC = new Uint8Array([0x50, 0x4c, 0x53, 0x4d]); // "PLSM"
export const SNAPSHOT_FORMAT_VERSION = 4;
/** Older versions this build still reads. */
export const READABLE_VERSIONS: ReadonlySet<number> = new Set([1, 2, 3, 4]);

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
  readonly dedup: readonly ClientRequests<RememberedOutcome>[];
  readonly eventSeq: number;
  readonly events: readonly RecordedEvent[];
  readonly ha: ReplicatedHaState;
  readonly coord: CoordImage;
}

export const Section = {
  Meta: 1,
  Members: 2,
  Kv: 3,
  History: 4,
  Dedup: 5,
  Events: 6,
  Ha: 7,
  Coord: 8,
} as const;
export type Section = (typeof Section)[keyof typeof Section];
export const SECTION_ORDER: readonly Section[] = [
  Section.Meta,
  Section.Members,
  Section.Kv,
  Section.History,
  Section.Dedup,
  Section.Events,
  Section.Ha,
  Section.Coord,
];
/** The sections of each readable version, in order. */
export function sectionsOf(version: number): readonly Section[] {
  return SECTION_ORDER.slice(0, version === 1 ? 6 : version < 4 ? 7 : 8);
}

export const HEADER_BYTES = SNAPSHOT_MAGIC.length + 1;
export const TRAILER_BYTES = 4;

// Stable one-byte tags for the string unions (the wire must not depend on their spelling).
export const ROLE_TAGS = [MemberRole.Voter, MemberRole.Learner] as const;
/** Tags of the health verdicts in the HA section (version 3); append only. */
export const HEALTH_TAGS = [Health.Healthy, Health.Unhealthy, Health.Unknown] as const;

export const EVENT_KIND_TAGS = [
  ClusterEventKind.Election,
  ClusterEventKind.Promotion,
  ClusterEventKind.Demotion,
  ClusterEventKind.Fence,
  ClusterEventKind.Hook,
  ClusterEventKind.Health,
] as const;
export const KV_EVENT_TAGS = [KvEventType.Put, KvEventType.Delete] as const;
/** Remembered outcomes in the dedup section; the last two since version 4. Append only. */
export const OUTCOME_TAGS = ['put', 'delete', 'cas', 'writeRefused', 'sessionCreated'] as const;
export const OUTCOME_TAGS_BEFORE_V4 = 3;
export const WRITE_REFUSAL_TAGS = [WriteRefusal.StaleFencingToken, WriteRefusal.SessionNotFound] as const;
export const QUEUE_KIND_TAGS = [QueueKind.Lock, QueueKind.Election, QueueKind.Semaphore] as const;

// ---- the fields both directions share ----

export function writeRecord(s: BinaryWriter, r: ActiveRecord): void {
  s.str(r.holder).uint(r.epoch).uint(r.term);
}

export function readRecord(s: BinaryReader): ActiveRecord {
  return { holder: s.str(), epoch: s.uint(), term: s.uint() };
}

export function writeKv(s: BinaryWriter, kv: KeyValue): void {
  s.str(kv.key).str(kv.value).uint(kv.createRevision).uint(kv.modRevision).uint(kv.version);
}

export function readKv(s: BinaryReader): KeyValue {
  return { key: s.str(), value: s.str(), createRevision: s.uint(), modRevision: s.uint(), version: s.uint() };
}

export function repeat<T>(s: BinaryReader, one: () => T): T[] {
  const n = s.uint();
  const out: T[] = [];
  // Each item takes at least one byte, so a count beyond the remaining bytes is corrupt;
  // the loop fails on the first missing byte instead of allocating for a huge count.
  for (let i = 0; i < n; i++) out.push(one());
  return out;
}

export function tag<T>(tags: readonly T[], b: number, what: string): T {
  const v = tags[b];
  if (v === undefined) throw new SnapshotCorruptError(`unknown ${what} tag ${b}`);
  return v;
}

export function bool(b: number): boolean {
  if (b > 1) throw new SnapshotCorruptError(`bad boolean ${b}`);
  return b === 1;
}
