import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EntryType } from '../../src/raft/types.js';
import { chmodFiles, dataDirPaths } from '../../src/storage/data-dir.js';
import {
  CorruptStateError,
  CorruptStoreError,
  DataDirLockedError,
  ForeignClusterError,
  ForeignNodeError,
  StorageErrorCode,
} from '../../src/storage/errors.js';
import { LevelStorage } from '../../src/storage/level-storage.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
after(() => temp.cleanup());
let n = 0;
const newDir = (): string => join(temp.root, `d${n++}`);

interface ChildResult {
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
}

function openInChild(dataDir: string, clusterId = 'c1', nodeId = 'n1'): Promise<ChildResult> {
  const script = fileURLToPath(new URL('./child-open.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, clusterId, nodeId], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as ChildResult);
      } catch (err) {
        reject(new Error(`child printed ${JSON.stringify(out)}`, { cause: err }));
      }
    });
  });
}

describe('data dir lock', () => {
  test('a second agent in another process fails with DataDirLockedError naming the dir and the lock file', async () => {
    const dir = newDir();
    const s = await LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' });
    try {
      const r = await openInChild(dir);
      assert.equal(r.ok, false);
      assert.equal(r.code, StorageErrorCode.DataDirLocked);
      assert.match(r.message!, new RegExp(`data dir ${dir} is in use`));
      assert.ok(r.message!.includes(join(dir, 'raft', 'LOCK')), r.message);
    } finally {
      await s.close();
    }
    assert.deepEqual(await openInChild(dir), { ok: true }, 'the lock is released on close');
  });

  test('a second open in the same process fails too, and the first keeps working', async () => {
    const dir = newDir();
    const s = await LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' });
    try {
      await assert.rejects(LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' }), (err: unknown) => {
        assert.ok(err instanceof DataDirLockedError);
        assert.equal(err.lockFile, dataDirPaths(dir).lockFile);
        return true;
      });
      await s.persistReady({ entries: [{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }], mustSync: true });
    } finally {
      await s.close();
    }
  });
});

describe('data dir identity', () => {
  test('an agent of another cluster is refused with ForeignClusterError naming both clusters and the dir', async () => {
    const dir = newDir();
    await (await LevelStorage.open({ dataDir: dir, clusterId: 'prod', nodeId: 'n1' })).close();
    await assert.rejects(LevelStorage.open({ dataDir: dir, clusterId: 'staging', nodeId: 'n1' }), (err: unknown) => {
      assert.ok(err instanceof ForeignClusterError);
      assert.equal(err.code, 'STORAGE_FOREIGN_CLUSTER');
      assert.match(err.message, /belongs to cluster "prod".*cluster "staging"/);
      assert.ok(err.message.includes(dir));
      return true;
    });
    // The refused open released the lock: the right cluster still opens it.
    await (await LevelStorage.open({ dataDir: dir, clusterId: 'prod', nodeId: 'n1' })).close();
  });

  test('another node of the same cluster is refused with ForeignNodeError', async () => {
    const dir = newDir();
    await (await LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' })).close();
    await assert.rejects(LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n2' }), ForeignNodeError);
  });

  test('a store with data but no identity record is damaged, not adopted', async () => {
    const dir = newDir();
    const s = await LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' });
    await s.persistReady({ entries: [{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }], mustSync: true });
    await s.close();
    const { Level } = await import('level');
    const db = new Level<Uint8Array, Uint8Array>(dataDirPaths(dir).storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.del(Uint8Array.of(0x01));
    await db.close();
    await assert.rejects(LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' }), (err: unknown) => {
      assert.ok(err instanceof CorruptStateError);
      assert.match(err.message, /identity record/);
      return true;
    });
  });

  test('a store whose CURRENT file is gone is reported, never replaced by a fresh store', async () => {
    const dir = newDir();
    const s = await LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' });
    await s.persistReady({ entries: [{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }], mustSync: true });
    await s.close();
    const { storeDir } = dataDirPaths(dir);
    await rm(join(storeDir, 'CURRENT'));
    // LevelDB's own info log (LOG, LOG.old) rotates on every open attempt; data files must not change.
    const dataFiles = async (): Promise<string[]> => (await readdir(storeDir)).filter((f) => !f.startsWith('LOG')).sort();
    const before = await dataFiles();
    await assert.rejects(LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' }), (err: unknown) => {
      assert.ok(err instanceof CorruptStoreError);
      assert.equal(err.file, join(storeDir, 'CURRENT'));
      assert.match(err.message, /Restore the data dir from a backup/);
      return true;
    });
    assert.deepEqual(await dataFiles(), before, 'nothing was created or removed');
  });

  test('a data dir with no store yet (other files may be there) is claimed', async () => {
    const dir = newDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'README'), 'operator notes');
    const s = await LevelStorage.open({ dataDir: dir, clusterId: 'c1', nodeId: 'n1' });
    assert.equal(s.lastIndex(), 0);
    await s.close();
  });
});

describe('data dir modes', () => {
  test('files deleted between the listing and the chmod (LevelDB compacting after open) are skipped; the rest are tightened', async () => {
    const dir = newDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'kept.ldb'), 'x', { mode: 0o644 });
    await writeFile(join(dir, 'compacted.ldb'), 'x', { mode: 0o644 });
    const names = await readdir(dir);
    await rm(join(dir, 'compacted.ldb'));
    await chmodFiles(dir, names, 0o600);
    assert.equal((await stat(join(dir, 'kept.ldb'))).mode & 0o777, 0o600);
  });

  test('any other chmod failure still fails (here: a name with a NUL byte)', async () => {
    await assert.rejects(chmodFiles(newDir(), ['nul\0byte'], 0o600), (err: NodeJS.ErrnoException) => err.code === 'ERR_INVALID_ARG_VALUE');
  });
});
