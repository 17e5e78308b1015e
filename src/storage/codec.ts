// Checksummed binary encoding of every value in the store. Layout of a record:
//   [kind u8][format version u8][payload ...][CRC-32C u32 BE of all preceding bytes]
// The kind byte repeats the key's tag and an entry's payload repeats its index, so a value
// that landed under the wrong key is caught as surely as a flipped bit.
import { EntryType, type ConfState, type Entry, type HardState, type Snapshot, type SnapshotMetadata } from '../raft/types.js';
import { crc32c } from './crc32c.js';
import { KeyTag } from './keys.js';

export const FORMAT_VERSION = 1;
/**
 * The snapshot record's format: version 2 names the image's file (snapshot-files.ts); version 1,
 * still read, held the image itself. An older build refuses a version 2 record by its version
 * instead of starting without its snapshot.
 */
export const SNAPSHOT_RECORD_VERSION = 2;
const INLINE_SNAPSHOT_VERSION = 1;

const HEADER = 2;
const TRAILER = 4;

/** A stored value failed to decode; the storage turns it into an error naming the data dir. */
export class CodecError extends Error {
  readonly code = 'STORAGE_CODEC';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface Identity {
  readonly clusterId: string;
  readonly nodeId: string;
}

/** Index and term of the last entry no longer in the log (the snapshot's, or a compaction's). */
export interface LogStart {
  readonly index: number;
  readonly term: number;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Room for one record, carved from Node's shared pool for small buffers (Buffer.allocUnsafe)
 * instead of an ArrayBuffer of its own: a record lives only until its batch is written, and a
 * typed array above V8's in-heap size costs a native allocation and a sweep per record, one
 * per log entry. Uninitialised, so the Writer returns only the bytes it wrote.
 */
function recordBytes(size: number): Uint8Array {
  const b = Buffer.allocUnsafe(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  /** size: the record's exact size when the caller knows it (then nothing is copied). */
  constructor(kind: KeyTag, size = 64, version = FORMAT_VERSION) {
    this.buf = recordBytes(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.u8(kind);
    this.u8(version);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = recordBytes(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }

  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`cannot encode ${v} as an unsigned integer`);
    this.reserve(8);
    // Big-endian, as setBigUint64 would write it, without a BigInt per field.
    this.view.setUint32(this.len, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.len + 4, v >>> 0);
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  str(s: string): void {
    this.bytes(textEncoder.encode(s));
  }

  strs(list: readonly string[]): void {
    this.u32(list.length);
    for (const s of list) this.str(s);
  }

  /**
   * Appends the checksum and returns the record sized exactly: a view of bytes no other record
   * shares (LevelDB keeps what we hand it until the batch is written), every one written here.
   */
  finish(): Uint8Array {
    this.u32(crc32c(this.buf, 0, this.len));
    return this.len === this.buf.length ? this.buf : this.buf.subarray(0, this.len);
  }
}

class Reader {
  private pos = HEADER;
  private readonly view: DataView;
  private readonly end: number;
  readonly version: number;

  constructor(
    private readonly buf: Uint8Array,
    kind: KeyTag,
    versions: readonly number[] = [FORMAT_VERSION],
  ) {
    if (buf.length < HEADER + TRAILER) throw new CodecError(`record too short (${buf.length} bytes)`);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = buf.length - TRAILER;
    const want = this.view.getUint32(this.end);
    const got = crc32c(buf, 0, this.end);
    if (want !== got) throw new CodecError(`checksum mismatch (stored ${hex(want)}, computed ${hex(got)})`);
    if (buf[0] !== kind) throw new CodecError(`record of kind ${hex(buf[0])} where kind ${hex(kind)} belongs`);
    this.version = buf[1]!;
    if (!versions.includes(this.version)) {
      throw new CodecError(`format version ${this.version} is not supported (this build reads version ${versions.join(' and ')})`);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CodecError('record ends early');
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError(`integer ${v} out of range`);
    return Number(v);
  }

  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    // A plain Uint8Array copy: the store hands out Buffers (whose slice() does not copy)
    // that may share pooled memory, and entries outlive the read.
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  str(): string {
    try {
      return textDecoder.decode(this.bytes());
    } catch (err) {
      if (err instanceof CodecError) throw err;
      throw new CodecError('string is not valid UTF-8');
    }
  }

  strs(): string[] {
    const n = this.u32();
    const out: string[] = [];
    for (let k = 0; k < n; k++) out.push(this.str());
    return out;
  }

  done(): void {
    if (this.pos !== this.end) throw new CodecError(`${this.end - this.pos} unexpected trailing bytes`);
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

const ENTRY_TYPE_CODES = { [EntryType.Normal]: 0, [EntryType.ConfChange]: 1 } as const satisfies Record<EntryType, number>;

function entryTypeOf(code: number): EntryType {
  switch (code) {
    case ENTRY_TYPE_CODES[EntryType.Normal]:
      return EntryType.Normal;
    case ENTRY_TYPE_CODES[EntryType.ConfChange]:
      return EntryType.ConfChange;
    default:
      throw new CodecError(`unknown entry type ${code}`);
  }
}

export function encodeEntry(e: Entry): Uint8Array {
  const w = new Writer(KeyTag.Entry, HEADER + 8 + 8 + 1 + 4 + e.data.length + TRAILER);
  w.u64(e.index);
  w.u64(e.term);
  w.u8(ENTRY_TYPE_CODES[e.type]);
  w.bytes(e.data);
  return w.finish();
}

export function decodeEntry(buf: Uint8Array): Entry {
  const r = new Reader(buf, KeyTag.Entry);
  const index = r.u64();
  const term = r.u64();
  const type = entryTypeOf(r.u8());
  const data = r.bytes();
  r.done();
  return { index, term, type, data };
}

export function encodeHardState(hs: HardState): Uint8Array {
  const w = new Writer(KeyTag.HardState);
  w.u64(hs.term);
  w.u64(hs.commit);
  w.str(hs.vote);
  return w.finish();
}

export function decodeHardState(buf: Uint8Array): HardState {
  const r = new Reader(buf, KeyTag.HardState);
  const term = r.u64();
  const commit = r.u64();
  const vote = r.str();
  r.done();
  return { term, vote, commit };
}

function writeConfState(w: Writer, cs: ConfState): void {
  w.strs(cs.voters);
  w.strs(cs.learners);
}

function readConfState(r: Reader): ConfState {
  const voters = r.strs();
  const learners = r.strs();
  return { voters, learners };
}

/** Where a snapshot's image is stored: a file in the data dir's snap/ directory. */
export interface SnapshotFileRef {
  readonly name: string;
  /** The image's length in bytes (the file adds a header and a checksum). */
  readonly size: number;
}

/** What the snapshot record says: the metadata, and the image's file (none for an empty image). */
export type SnapshotRecord =
  | { readonly kind: 'file'; readonly metadata: SnapshotMetadata; readonly file: SnapshotFileRef | undefined }
  /** Version 1: the image inside the record. */
  | { readonly kind: 'inline'; readonly snapshot: Snapshot };

export function encodeSnapshotRecord(metadata: SnapshotMetadata, file: SnapshotFileRef | undefined): Uint8Array {
  const w = new Writer(KeyTag.Snapshot, 64, SNAPSHOT_RECORD_VERSION);
  w.u64(metadata.index);
  w.u64(metadata.term);
  writeConfState(w, metadata.confState);
  w.str(file?.name ?? '');
  w.u64(file?.size ?? 0);
  return w.finish();
}

/** The version 1 record, image inside: what data dirs written before snapshot files hold. */
export function encodeInlineSnapshot(s: Snapshot): Uint8Array {
  const w = new Writer(KeyTag.Snapshot, 64, INLINE_SNAPSHOT_VERSION);
  w.u64(s.metadata.index);
  w.u64(s.metadata.term);
  writeConfState(w, s.metadata.confState);
  w.bytes(s.data);
  return w.finish();
}

export function decodeSnapshotRecord(buf: Uint8Array): SnapshotRecord {
  const r = new Reader(buf, KeyTag.Snapshot, [SNAPSHOT_RECORD_VERSION, INLINE_SNAPSHOT_VERSION]);
  const index = r.u64();
  const term = r.u64();
  const confState = readConfState(r);
  const metadata = { index, term, confState };
  if (r.version === INLINE_SNAPSHOT_VERSION) {
    const data = r.bytes();
    r.done();
    return { kind: 'inline', snapshot: { metadata, data } };
  }
  const name = r.str();
  const size = r.u64();
  r.done();
  if (name === '' && size !== 0) throw new CodecError(`an image of ${size} bytes without a file name`);
  return { kind: 'file', metadata, file: name === '' ? undefined : { name, size } };
}

export function encodeLogStart(ls: LogStart): Uint8Array {
  const w = new Writer(KeyTag.LogStart);
  w.u64(ls.index);
  w.u64(ls.term);
  return w.finish();
}

export function decodeLogStart(buf: Uint8Array): LogStart {
  const r = new Reader(buf, KeyTag.LogStart);
  const index = r.u64();
  const term = r.u64();
  r.done();
  return { index, term };
}

export function encodeIdentity(id: Identity): Uint8Array {
  const w = new Writer(KeyTag.Identity);
  w.str(id.clusterId);
  w.str(id.nodeId);
  return w.finish();
}

export function decodeIdentity(buf: Uint8Array): Identity {
  const r = new Reader(buf, KeyTag.Identity);
  const clusterId = r.str();
  const nodeId = r.str();
  r.done();
  return { clusterId, nodeId };
}
