// Snapshot images as files of their own in the data dir's snap/ directory, as etcd keeps its
// *.snap files beside its db. An image is megabytes: stored as a LevelDB value, its one synced
// batch held up every Ready queued behind it, and LevelDB then rewrote it at each compaction.
//
// Storing one (each step durable before the next):
//   1. written: the image goes to <name>.tmp, checksummed, and is fsynced;
//   2. renamed: <name>.tmp becomes <name>, and the directory is fsynced;
//   3. recorded: the snapshot record in LevelDB names <name> (level-storage.ts);
//   4. the previous image's file is deleted.
// A crash between any two steps leaves only files that no record names (or an old one the
// record no longer names): open deletes them, and the record always names a complete file.
//
// A file: [kind u8][version u8][index u64 BE][term u64 BE][image ...][CRC-32C u32 BE of all before].
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotMetadata } from '../raft/types.js';
import type { SnapshotFileRef } from './codec.js';
import { crc32c } from './crc32c.js';
import { KeyTag } from './keys.js';

export type SnapshotFileStep = 'written' | 'renamed' | 'recorded';

/**
 * Called once each step of storing an image is durable. Crash tests stop there (by throwing),
 * which leaves the data dir exactly as a crash between that step and the next one would.
 */
export type SnapshotFileHook = (step: SnapshotFileStep, file: string) => void | Promise<void>;

const FILE_VERSION = 1;
const HEADER = 18;
const TRAILER = 4;
const SUFFIX = '.snap';
const TEMP_SUFFIX = '.tmp';
/** Checksummed and written this much at a time, so the event loop is never held for the whole image. */
const CHUNK = 1 << 20;
const NAME = /^([0-9a-f]{16})-([0-9a-f]{16})-([0-9a-f]{8})\.snap(?:\.tmp)?$/;

/** What is wrong with an image file (the storage turns it into CorruptSnapshotFileError). */
export class SnapshotFileDamage extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

/** term-index-sequence: sorts by term and index like etcd's names; the sequence keeps every write's name unique. */
export function snapshotFileName(term: number, index: number, seq: number): string {
  return `${hex(term, 16)}-${hex(index, 16)}-${hex(seq, 8)}${SUFFIX}`;
}

function sequenceOf(name: string): number | undefined {
  const m = NAME.exec(name);
  return m === null ? undefined : parseInt(m[3], 16);
}

function header(index: number, term: number): Uint8Array {
  const buf = new Uint8Array(HEADER);
  const view = new DataView(buf.buffer);
  buf[0] = KeyTag.Snapshot;
  buf[1] = FILE_VERSION;
  view.setUint32(2, Math.floor(index / 0x1_0000_0000));
  view.setUint32(6, index >>> 0);
  view.setUint32(10, Math.floor(term / 0x1_0000_0000));
  view.setUint32(14, term >>> 0);
  return buf;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The snap/ directory of a data dir, created when missing (private, as the data dir). */
export async function ensureSnapshotDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Steps 1 and 2: the image of the snapshot `metadata` under `name` in `dir`, durable when this
 * resolves. The image must not change meanwhile (snapshot images are never mutated).
 */
export async function writeSnapshotFile(
  dir: string,
  name: string,
  metadata: Pick<SnapshotMetadata, 'index' | 'term'>,
  data: Uint8Array,
  hook?: SnapshotFileHook,
): Promise<SnapshotFileRef> {
  const path = join(dir, name);
  const temp = path + TEMP_SUFFIX;
  const handle = await open(temp, 'w', 0o600);
  try {
    const head = header(metadata.index, metadata.term);
    let crc = crc32c(head);
    await handle.write(head, 0, head.length);
    for (let at = 0; at < data.length; at += CHUNK) {
      const end = Math.min(at + CHUNK, data.length);
      crc = crc32c(data, at, end, crc);
      await handle.write(data, at, end - at);
    }
    const trailer = new Uint8Array(TRAILER);
    new DataView(trailer.buffer).setUint32(0, crc);
    await handle.write(trailer, 0, TRAILER);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await hook?.('written', temp);
  await rename(temp, path);
  await syncDir(dir);
  await hook?.('renamed', path);
  return { name, size: data.length };
}

/** The image the record names, checked against the record: its size, index, term and checksum. */
export async function readSnapshotFile(dir: string, ref: SnapshotFileRef, metadata: SnapshotMetadata): Promise<Uint8Array> {
  const path = join(dir, ref.name);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') throw new SnapshotFileDamage(path, 'the file is missing');
    throw err;
  }
  const expected = HEADER + ref.size + TRAILER;
  if (buf.length !== expected) throw new SnapshotFileDamage(path, `${buf.length} bytes where the record says ${expected}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const want = view.getUint32(buf.length - TRAILER);
  const got = crc32c(buf, 0, buf.length - TRAILER);
  if (want !== got) throw new SnapshotFileDamage(path, `checksum mismatch (stored 0x${hex(want, 8)}, computed 0x${hex(got, 8)})`);
  if (buf[0] !== KeyTag.Snapshot || buf[1] !== FILE_VERSION) {
    throw new SnapshotFileDamage(path, `not a snapshot image of format version ${FILE_VERSION}`);
  }
  const index = view.getUint32(2) * 0x1_0000_0000 + view.getUint32(6);
  const term = view.getUint32(10) * 0x1_0000_0000 + view.getUint32(14);
  if (index !== metadata.index || term !== metadata.term) {
    throw new SnapshotFileDamage(
      path,
      `holds the image at index ${index} term ${term}, the record names index ${metadata.index} term ${metadata.term}`,
    );
  }
  return new Uint8Array(buf.buffer, buf.byteOffset + HEADER, ref.size);
}

/**
 * At open: deletes every image file (and half-written one) but `keep`, the one the record
 * names, and returns the sequence number for the next name (above every name seen).
 */
export async function removeOrphanSnapshotFiles(dir: string, keep: string | undefined): Promise<number> {
  let next = 1;
  for (const name of await readdir(dir)) {
    const seq = sequenceOf(name);
    if (seq === undefined) continue; // not ours: left alone
    next = Math.max(next, seq + 1);
    if (name !== keep) await rm(join(dir, name), { force: true });
  }
  return next;
}

/** Step 4, or the cleanup of an image no record will name. */
export async function removeSnapshotFile(dir: string, name: string): Promise<void> {
  await rm(join(dir, name), { force: true });
}
