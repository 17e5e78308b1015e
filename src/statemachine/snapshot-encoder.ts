// Encoding the snapshot image (layout in snapshot-format.ts), in steps: the encoder is a
// generator that yields every RECORDS_PER_STEP records and around every copy of megabytes, so
// a node can encode beside its Ready loop. Encoding is canonical: equal states, equal bytes.
import { BinaryWriter } from './binary.js';
import { crc32 } from './crc32.js';
import { KvEventType } from './kv-history.js';
import {
  EVENT_KIND_TAGS,
  HEADER_BYTES,
  HEALTH_TAGS,
  KV_EVENT_TAGS,
  OUTCOME_TAGS,
  ROLE_TAGS,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  Section,
  TRAILER_BYTES,
  WRITE_REFUSAL_TAGS,
  writeKv,
  writeRecord,
  type StateImage,
} from './snapshot-format.js';
import type { ReplicatedHaState } from './ha-record.js';
import type { RememberedOutcome } from './results.js';
import { coordSection } from './snapshot-coord.js';
import { dedupSectionBytes, historySectionBytes, kvSectionBytes } from './snapshot-size.js';

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

/** Counts records; true on every RECORDS_PER_STEP-th, where the encoder yields. */
type StepDue = () => boolean;
/** Writes one large section's records, yielding when a step is due. */
type SectionSteps = Generator<void, void, void>;

/** The encoder, one step per RECORDS_PER_STEP records; the return value is the image's bytes. */
function* encodeSteps(img: StateImage): Generator<void, Uint8Array, void> {
  // The whole image goes into one buffer sized from the sections that grow with writes, each
  // section's payload written in place behind its length: nothing is built apart and copied in.
  const kvBytes = yield* kvSectionBytes(img);
  const historyBytes = yield* historySectionBytes(img);
  const dedupBytes = yield* dedupSectionBytes(img);
  const w = new BinaryWriter(HEADER_BYTES + kvBytes + historyBytes + dedupBytes + SMALL_SECTIONS_BYTES + TRAILER_BYTES);
  w.raw(SNAPSHOT_MAGIC).u8(SNAPSHOT_FORMAT_VERSION);
  let records = 0;
  const due: StepDue = () => ++records % RECORDS_PER_STEP === 0;
  section(w, Section.Meta, () => metaSection(w, img));
  section(w, Section.Members, () => membersSection(w, img));
  yield* largeSection(w, Section.Kv, kvBytes, kvSection(w, img, due));
  yield* largeSection(w, Section.History, historyBytes, historySection(w, img, due));
  yield* largeSection(w, Section.Dedup, dedupBytes, dedupSection(w, img, due));
  section(w, Section.Events, () => eventsSection(w, img));
  section(w, Section.Ha, () => haSection(w, img.ha));
  yield* largeSection(w, Section.Coord, 0, coordSection(w, img.coord, due));
  yield;
  const crc = crc32(w.written());
  return w.u32(crc).finish();
}

/**
 * Room for the sections not sized in advance (meta, members, events, HA, coordination): usually a
 * few kilobytes; more only grows the buffer once.
 */
const SMALL_SECTIONS_BYTES = 16 * 1024;

function section(w: BinaryWriter, tag: Section, write: () => void): void {
  const mark = w.u8(tag).beginLength(0);
  write();
  w.endLength(mark);
}

/** `expected`: the payload's likely size, so that its length's room fits (else it moves). */
function* largeSection(w: BinaryWriter, tag: Section, expected: number, records: SectionSteps): Generator<void, void, void> {
  const mark = w.u8(tag).beginLength(expected);
  yield* records;
  w.endLength(mark);
}

function metaSection(s: BinaryWriter, img: StateImage): void {
  s.uint(img.appliedIndex).uint(img.appliedTerm);
  s.uint(img.rejections.count).uint(img.rejections.lastIndex).str(img.rejections.lastReason);
}

function membersSection(s: BinaryWriter, img: StateImage): void {
  s.str(img.clusterId).uint(img.members.length);
  for (const m of img.members) s.str(m.id).str(m.address).u8(ROLE_TAGS.indexOf(m.role));
}

function* kvSection(s: BinaryWriter, img: StateImage, due: StepDue): SectionSteps {
  s.uint(img.revision).uint(img.kvs.length);
  for (const kv of img.kvs) {
    writeKv(s, kv);
    if (due()) yield;
  }
}

function* historySection(s: BinaryWriter, img: StateImage, due: StepDue): SectionSteps {
  s.uint(img.history.length);
  for (const e of img.history) {
    s.u8(KV_EVENT_TAGS.indexOf(e.type)).uint(e.revision);
    if (e.type === KvEventType.Put) writeKv(s, e.kv);
    else s.str(e.key);
    if (due()) yield;
  }
}

function* dedupSection(s: BinaryWriter, img: StateImage, due: StepDue): SectionSteps {
  s.uint(img.dedup.length);
  for (const c of img.dedup) {
    s.str(c.clientId).uint(c.requests.length);
    for (const [requestId, o] of c.requests) {
      writeOutcome(s.str(requestId), o);
      if (due()) yield;
    }
  }
}

function writeOutcome(s: BinaryWriter, o: RememberedOutcome): void {
  s.u8(OUTCOME_TAGS.indexOf(o.type));
  switch (o.type) {
    case 'put':
      s.uint(o.revision);
      return;
    case 'delete':
      s.uint(o.revision).u8(o.deleted ? 1 : 0);
      return;
    case 'cas':
      s.uint(o.revision)
        .u8(o.succeeded ? 1 : 0)
        .uint(o.modRevision);
      return;
    case 'writeRefused':
      s.uint(o.revision).u8(WRITE_REFUSAL_TAGS.indexOf(o.reason)).str(o.detail);
      return;
    case 'sessionCreated':
      s.str(o.session).uint(o.ttlMs);
      return;
    default: {
      const never: never = o;
      throw new Error(`unknown remembered outcome ${JSON.stringify(never)}`);
    }
  }
}

function eventsSection(s: BinaryWriter, img: StateImage): void {
  s.uint(img.eventSeq).uint(img.events.length);
  for (const e of img.events) {
    s.uint(e.seq).u8(EVENT_KIND_TAGS.indexOf(e.kind)).uint(e.at).str(e.nodeId).uint(e.term);
    if (e.durationMs === undefined) s.u8(0);
    else s.u8(1).uint(e.durationMs);
    if (e.epoch === undefined) s.u8(0);
    else s.u8(1).uint(e.epoch);
    s.str(e.detail);
  }
}

function haSection(s: BinaryWriter, ha: ReplicatedHaState): void {
  s.u8(ha.paused ? 1 : 0);
  if (ha.active === null) s.u8(0);
  else writeRecord(s.u8(1), ha.active);
  s.uint(ha.holders.length);
  for (const h of ha.holders) writeRecord(s, h);
  s.uint(ha.health.length);
  for (const h of ha.health) s.str(h.node).u8(HEALTH_TAGS.indexOf(h.health)).str(h.detail);
  const f = ha.lastHealthFailover;
  if (f === null) s.u8(0);
  else s.u8(1).uint(f.index).str(f.from).str(f.to);
}
