// Corruption is a loud fail-stop: every damaged record or file is reported with the data dir,
// the index or file, and what to do; nothing is truncated or repaired silently.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { EntryType, type Entry } from '../../src/raft/types.js';
import { encodeEntry } from '../../src/storage/codec.js';
import { dataDirPaths } from '../../src/storage/data-dir.js';
import { CorruptEntryError, CorruptStateError, CorruptStoreError, StorageError, StorageErrorCode } from '../../src/storage/errors.js';
import { HARD_STATE_KEY, entryKey } from '../../src/storage/keys.js';
import { LevelStorage } from '../../src/storage/level-storage.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
after(() => temp.cleanup());
let n = 0;

function ent(index: number, term: number, size = 8): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(size).fill(index) };
}

const open = (dataDir: string): Promise<LevelStorage> => LevelStorage.open({ dataDir, clusterId: 'c1', nodeId: 'n1' });

/** A closed data dir holding entries 1..count (term 1) and a hard state committing `commit`. */
async function written(count = 3, commit = count, size = 8): Promise<string> {
  const dir = join(temp.root, `d${n++}`);
  const s = await open(dir);
  const entries = Array.from({ length: count }, (_, k) => ent(k + 1, 1, size));
  await s.persistReady({ entries, hardState: { term: 1, vote: 'n1', commit }, mustSync: true });
  await s.close();
  return dir;
}

/** Edits the closed store directly, as a disk fault or a stray tool would. */
async function tamper(dir: string, edit: (db: Level<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(dataDirPaths(dir).storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
  await edit(db);
  await db.close();
}

async function rejectsWith<E extends StorageError>(dir: string, cls: new (...args: never[]) => E, check: (err: E) => void): Promise<void> {
  await assert.rejects(open(dir), (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.ok(err.message.includes(dir), 'names the data dir');
    check(err);
    return true;
  });
  // The failed open released the lock (the operator can run tools on the dir).
  await tamper(dir, async () => {});
}

describe('corrupt records', () => {
  test('a flipped byte in a stored entry → CorruptEntryError naming the data dir and the index', async () => {
    const dir = await written();
    await tamper(dir, async (db) => {
      const v = await db.get(entryKey(2));
      const bad = new Uint8Array(v);
      bad[12] ^= 0x01;
      await db.put(entryKey(2), bad);
    });
    await rejectsWith(dir, CorruptEntryError, (err) => {
      assert.equal(err.code, StorageErrorCode.CorruptEntry);
      assert.equal(err.index, 2);
      assert.match(err.message, /entry at index 2 .*checksum mismatch/);
      assert.match(err.message, /remove this node from the cluster and add it back/);
    });
  });

  test('an intact entry stored under the wrong index → CorruptEntryError', async () => {
    const dir = await written();
    await tamper(dir, (db) => db.put(entryKey(2), encodeEntry(ent(3, 1))));
    await rejectsWith(dir, CorruptEntryError, (err) => {
      assert.equal(err.index, 2);
      assert.match(err.reason, /holds entry 3/);
    });
  });

  test('a missing entry in the middle of the log → CorruptStateError naming the gap', async () => {
    const dir = await written(5, 2);
    await tamper(dir, (db) => db.del(entryKey(3)));
    await rejectsWith(dir, CorruptStateError, (err) => assert.match(err.reason, /entries 3\.\.3 are missing/));
  });

  test('a log shorter than the commit index (lost tail) → CorruptStateError, §5.4 committed entries must not vanish', async () => {
    const dir = await written(5, 5);
    await tamper(dir, (db) => db.del(entryKey(5)));
    await rejectsWith(dir, CorruptStateError, (err) => {
      assert.equal(err.record, 'hard state');
      assert.match(err.reason, /commit index 5 is beyond the last log entry 4/);
    });
  });

  test('a flipped byte in the hard state → CorruptStateError', async () => {
    const dir = await written();
    await tamper(dir, async (db) => {
      const bad = new Uint8Array(await db.get(HARD_STATE_KEY));
      bad[3] ^= 0x80;
      await db.put(HARD_STATE_KEY, bad);
    });
    await rejectsWith(dir, CorruptStateError, (err) => assert.equal(err.record, 'hard state'));
  });
});

/** Reopens once so LevelDB turns its write-ahead log into a table file; returns that file. */
async function tableFileOf(dir: string): Promise<string> {
  await (await open(dir)).close();
  const { storeDir } = dataDirPaths(dir);
  const tables = (await readdir(storeDir)).filter((f) => f.endsWith('.ldb'));
  assert.ok(tables.length > 0, `LevelDB wrote no table file in ${storeDir}`);
  let biggest = tables[0];
  for (const t of tables) if ((await stat(join(storeDir, t))).size > (await stat(join(storeDir, biggest))).size) biggest = t;
  return join(storeDir, biggest);
}

describe('damaged files', () => {
  test('a truncated LevelDB table file → CorruptStoreError naming that file', async () => {
    const dir = await written(50, 50, 200);
    const file = await tableFileOf(dir);
    await truncate(file, Math.floor((await stat(file)).size / 2));
    await rejectsWith(dir, CorruptStoreError, (err) => {
      assert.equal(err.code, StorageErrorCode.CorruptStore);
      assert.equal(err.file, file);
    });
  });

  test('a flipped byte inside a table file is caught (by LevelDB or by our checksums), never ignored', async () => {
    const dir = await written(50, 50, 200);
    const file = await tableFileOf(dir);
    const bytes = await readFile(file);
    // Flip one byte in every 64 of the data blocks (the index and footer sit at the end).
    for (let i = 64; i < bytes.length / 2; i += 64) bytes[i] ^= 0x10;
    await writeFile(file, bytes);
    await assert.rejects(open(dir), (err: unknown) => {
      assert.ok(err instanceof StorageError, String(err));
      assert.ok(
        [StorageErrorCode.CorruptStore, StorageErrorCode.CorruptEntry, StorageErrorCode.CorruptState].includes(
          err.code as 'STORAGE_CORRUPT_STORE',
        ),
        err.message,
      );
      assert.ok(err.message.includes(dir));
      return true;
    });
  });
});
