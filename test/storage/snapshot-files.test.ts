// Snapshot images live in files of their own (src/storage/snapshot-files.ts): written, fsynced,
// renamed, the directory fsynced, then named by the snapshot record, then the old image deleted.
// Here: the storage stops after each step (as a crash there would leave the disk) and reopens
// to the last recorded snapshot with no stray files; a damaged image is a clear error; data dirs
// with the image inside the record (the format before) still open; and the Ready writes go on
// while this node's own image is being written.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, truncate, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { EntryType, type ConfState, type Entry, type Snapshot } from '../../src/raft/types.js';
import { decodeSnapshotRecord, encodeInlineSnapshot, encodeLogStart } from '../../src/storage/codec.js';
import { dataDirPaths } from '../../src/storage/data-dir.js';
import { CorruptSnapshotFileError, StorageErrorCode } from '../../src/storage/errors.js';
import { LOG_START_KEY, SNAPSHOT_KEY, entryKey } from '../../src/storage/keys.js';
import { LevelStorage } from '../../src/storage/level-storage.js';
import type { SnapshotFileHook, SnapshotFileStep } from '../../src/storage/snapshot-files.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
after(() => temp.cleanup());
let dirs = 0;
const newDir = () => join(temp.root, `d${dirs++}`);

const CS: ConfState = { voters: ['n1'], learners: [] };
const open = (dataDir: string, snapshotFileHook?: SnapshotFileHook) =>
  LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', ...(snapshotFileHook !== undefined ? { snapshotFileHook } : {}) });

/** An image big enough to be written in several chunks, recognisable by its index. */
function image(index: number, size = 3 * (1 << 20) + 17): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) data[i] = (index + i) & 0xff;
  data[size - 1] = index & 0xff;
  return data;
}

async function append(s: LevelStorage, n: number, term = 1): Promise<void> {
  const from = s.lastIndex() + 1;
  const entries: Entry[] = Array.from({ length: n }, (_, k) => ({ index: from + k, term, type: EntryType.Normal, data: Uint8Array.of(k) }));
  await s.persistReady({ entries, hardState: { term, vote: 'n1', commit: from + n - 1 }, mustSync: true });
}

/** This node's own snapshot at `index` (the path compaction takes). */
function snapshotAt(s: LevelStorage, index: number): Promise<Snapshot | undefined> {
  return s.installSnapshot({ snapshotAt: index, compactTo: undefined }, { confState: CS, data: image(index) });
}

const files = async (dataDir: string) => (await readdir(dataDirPaths(dataDir).snapDir)).sort();

async function rawRecord(dataDir: string): Promise<Uint8Array | undefined> {
  const db = new Level<Uint8Array, Uint8Array>(dataDirPaths(dataDir).storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
  try {
    return await db.get(SNAPSHOT_KEY);
  } finally {
    await db.close();
  }
}

/** The storage "crashes" right after `step` of storing the next image: the hook throws there. */
class Crash extends Error {}
function crashAfter(step: SnapshotFileStep): SnapshotFileHook {
  return (at) => {
    if (at === step) throw new Crash(`stopped after '${step}'`);
  };
}

/** Asserts the reopened store holds the snapshot at `index` with its image, and only its file. */
async function assertReopensAt(dataDir: string, index: number): Promise<void> {
  const s = await open(dataDir);
  try {
    assert.equal(s.snapshot().metadata.index, index);
    assert.deepEqual(s.snapshot().data, image(index));
    const left = await files(dataDir);
    assert.equal(left.length, 1, `only the recorded image is left: ${left.join(', ')}`);
    assert.match(left[0], new RegExp(`-${index.toString(16).padStart(16, '0')}-[0-9a-f]{8}\\.snap$`));
    // And the storage goes on: the next snapshot is stored and the old image goes.
    await append(s, 3);
    const next = s.lastIndex();
    await snapshotAt(s, next);
    assert.equal((await files(dataDir)).length, 1);
  } finally {
    await s.close();
  }
}

describe('snapshot image files', () => {
  test('the image goes to snap/, the LevelDB record only names it; a newer snapshot replaces the file; reopen reads it back', async () => {
    const dataDir = newDir();
    const s = await open(dataDir);
    await append(s, 10);
    await snapshotAt(s, 5);
    const first = await files(dataDir);
    assert.equal(first.length, 1);
    await snapshotAt(s, 8);
    const second = await files(dataDir);
    assert.equal(second.length, 1);
    assert.notEqual(second[0], first[0]);
    await s.close();

    const record = (await rawRecord(dataDir))!;
    assert.ok(record.length < 200, `the record is small (${record.length} bytes)`);
    const decoded = decodeSnapshotRecord(record);
    assert.equal(decoded.kind, 'file');
    assert.deepEqual(decoded.kind === 'file' ? decoded.file : undefined, { name: second[0], size: image(8).length });

    const r = await open(dataDir);
    assert.equal(r.snapshot().metadata.index, 8);
    assert.deepEqual(r.snapshot().data, image(8));
    assert.equal(r.lastIndex(), 10);
    await r.close();
  });

  for (const [step, survives] of [
    ['written', 5],
    ['renamed', 5],
    ['recorded', 8],
  ] as const) {
    test(`stopped after '${step}' (own snapshot): reopens at the snapshot ${survives}, the stray file is deleted`, async () => {
      const dataDir = newDir();
      let armed = false;
      const s = await open(dataDir, (at, file) => (armed ? crashAfter(step)(at, file) : undefined));
      await append(s, 10);
      await snapshotAt(s, 5);
      armed = true;
      await assert.rejects(snapshotAt(s, 8), (err: Error) => err instanceof Crash || err.cause instanceof Crash);
      await s.close().catch(() => {});
      assert.equal((await files(dataDir)).length, 2, `a crash after '${step}' leaves two files: ${(await files(dataDir)).join(', ')}`);
      await assertReopensAt(dataDir, survives);
    });

    test(`stopped after '${step}' (a snapshot from the leader in a Ready): reopens at ${survives === 8 ? 'the new' : 'the old'} snapshot`, async () => {
      const dataDir = newDir();
      let armed = false;
      const s = await open(dataDir, (at, file) => (armed ? crashAfter(step)(at, file) : undefined));
      await append(s, 6);
      await snapshotAt(s, 5);
      armed = true;
      const snapshot = { metadata: { index: 8, term: 2, confState: CS }, data: image(8) };
      await assert.rejects(s.persistReady({ snapshot, entries: [], hardState: { term: 2, vote: '', commit: 8 }, mustSync: true }));
      await s.close().catch(() => {});
      await assertReopensAt(dataDir, survives);
    });
  }

  test('a snapshot from the leader arriving while this node writes its own image wins; the own image is deleted', async () => {
    const dataDir = newDir();
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    // Only this node's own image (index 9) is held after its first step.
    const s = await open(dataDir, async (at, file) => {
      if (at === 'written' && file.includes(`-${(9).toString(16).padStart(16, '0')}-`)) await held;
    });
    await append(s, 10);
    const own = snapshotAt(s, 9);
    await s.persistReady({ snapshot: { metadata: { index: 20, term: 2, confState: CS }, data: image(20) }, entries: [], mustSync: true });
    release();
    assert.equal(await own, undefined, 'the plan was overtaken');
    assert.equal(s.snapshot().metadata.index, 20);
    await s.close();
    assert.equal((await files(dataDir)).length, 1);
    await assertReopensAt(dataDir, 20);
  });

  test('Readies are written while this node writes its own image (the image is not in their batch chain)', async () => {
    const dataDir = newDir();
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const s = await open(dataDir, async (at) => {
      if (at === 'written') await held;
    });
    await append(s, 10);
    const own = snapshotAt(s, 10);
    // The image is held between its steps; entries must still become durable meanwhile.
    const deadline = new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 5000).unref());
    const result = await Promise.race([append(s, 5).then(() => 'written' as const), deadline]);
    release();
    assert.equal(result, 'written', 'a Ready waited for the image');
    assert.equal((await own)?.metadata.index, 10);
    await s.close();
    const r = await open(dataDir);
    assert.equal(r.lastIndex(), 15);
    assert.equal(r.snapshot().metadata.index, 10);
    await r.close();
  });

  test('files of no snapshot in snap/ (half written, never recorded) are deleted at open; other files are left alone', async () => {
    const dataDir = newDir();
    const s = await open(dataDir);
    await append(s, 10);
    await snapshotAt(s, 5);
    await s.close();
    const { snapDir } = dataDirPaths(dataDir);
    const [recorded] = await files(dataDir);
    await writeFile(join(snapDir, '0000000000000001-0000000000000009-000000ff.snap'), 'x');
    await writeFile(join(snapDir, '0000000000000001-0000000000000009-00000100.snap.tmp'), 'x');
    await writeFile(join(snapDir, 'README'), 'operator notes');
    const r = await open(dataDir);
    assert.deepEqual(await files(dataDir), [recorded, 'README']);
    // The next name is above every name seen, so it never reuses one.
    await append(r, 1);
    await snapshotAt(r, 11);
    const [next] = (await files(dataDir)).filter((f) => f !== 'README');
    assert.match(next, /-00000101\.snap$/);
    await r.close();
  });
});

describe('damaged image files', () => {
  async function recordedImage(): Promise<{ dataDir: string; file: string }> {
    const dataDir = newDir();
    const s = await open(dataDir);
    await append(s, 10);
    await snapshotAt(s, 7);
    await s.close();
    const [name] = await files(dataDir);
    return { dataDir, file: join(dataDirPaths(dataDir).snapDir, name) };
  }

  async function assertRefused(dataDir: string, file: string, reason: RegExp): Promise<void> {
    await assert.rejects(open(dataDir), (err: unknown) => {
      assert.ok(err instanceof CorruptSnapshotFileError, String(err));
      assert.equal(err.code, StorageErrorCode.CorruptSnapshotFile);
      assert.equal(err.file, file);
      assert.match(err.reason, reason);
      assert.ok(err.message.includes(dataDir) && err.message.includes(file));
      return true;
    });
  }

  test('a flipped byte anywhere in the image → CorruptSnapshotFileError naming the file', async () => {
    const { dataDir, file } = await recordedImage();
    const bytes = await readFile(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    await writeFile(file, bytes);
    await assertRefused(dataDir, file, /checksum mismatch/);
  });

  test('a truncated image → CorruptSnapshotFileError', async () => {
    const { dataDir, file } = await recordedImage();
    await truncate(file, 1000);
    await assertRefused(dataDir, file, /bytes where the record says/);
  });

  test('a missing image → CorruptSnapshotFileError, never a start without the snapshot', async () => {
    const { dataDir, file } = await recordedImage();
    await rm(file);
    await assertRefused(dataDir, file, /missing/);
  });

  test('an intact image of another snapshot under the recorded name → CorruptSnapshotFileError', async () => {
    const { dataDir, file } = await recordedImage();
    const other = newDir();
    const s = await open(other);
    await append(s, 10);
    await snapshotAt(s, 6);
    await s.close();
    const [name] = await files(other);
    const foreign = await readFile(join(dataDirPaths(other).snapDir, name));
    // Same size as the recorded image (image() has a fixed size), so only the header tells.
    await writeFile(file, foreign);
    await assertRefused(dataDir, file, /index 6 term 1, the record names index 7/);
  });
});

describe('data dirs from before snapshot files (image inside the record)', () => {
  test('open, read the image from the record, and move to a file at the next snapshot', async () => {
    const dataDir = newDir();
    const s = await open(dataDir);
    await append(s, 10);
    await s.close();
    // The old layout: the snapshot record (format version 1) holds the image; entries 1..5 compacted.
    const legacy: Snapshot = { metadata: { index: 5, term: 1, confState: CS }, data: image(5) };
    const db = new Level<Uint8Array, Uint8Array>(dataDirPaths(dataDir).storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.put(SNAPSHOT_KEY, encodeInlineSnapshot(legacy));
    await db.put(LOG_START_KEY, encodeLogStart({ index: 5, term: 1 }));
    for (let i = 1; i <= 5; i++) await db.del(entryKey(i));
    await db.close();
    await rm(dataDirPaths(dataDir).snapDir, { recursive: true });

    const r = await open(dataDir);
    assert.deepEqual(r.snapshot(), legacy);
    assert.equal(r.firstIndex(), 6);
    assert.equal(r.lastIndex(), 10);
    assert.deepEqual(await files(dataDir), []);
    await snapshotAt(r, 9);
    await r.close();
    assert.equal(decodeSnapshotRecord((await rawRecord(dataDir))!).kind, 'file');
    await assertReopensAt(dataDir, 9);
  });
});
