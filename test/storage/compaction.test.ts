import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { Level } from 'level';
import { EntryType, type Entry } from '../../src/raft/types.js';
import {
  DEFAULT_COMPACTION_POLICY,
  planCompaction,
  validateCompactionPolicy,
  type CompactionPolicy,
} from '../../src/storage/compaction.js';
import { dataDirPaths } from '../../src/storage/data-dir.js';
import { StorageOpenError } from '../../src/storage/errors.js';
import { ENTRY_KEYS_FROM, ENTRY_KEYS_TO } from '../../src/storage/keys.js';
import { COMPACTION_CHUNK_ENTRIES, LevelStorage } from '../../src/storage/level-storage.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
after(() => temp.cleanup());

/** The entry-count rule alone (images here stay below the ratio's floor, or the ratio is off). */
const byCount = (snapshotEntries: number, catchUpEntries: number): CompactionPolicy => ({
  ...DEFAULT_COMPACTION_POLICY,
  snapshotEntries,
  catchUpEntries,
});
const SMALL = { imageBytes: 0, logBytesSinceSnapshot: 0 };

describe('planCompaction', () => {
  test('the default: at least 10,000 applied entries (as etcd), and a log as large as a large image or 12 MiB', () => {
    assert.deepEqual(DEFAULT_COMPACTION_POLICY, {
      snapshotEntries: 10_000,
      catchUpEntries: 5_000,
      logToImageRatio: 1,
      minImageBytesForRatio: 1024 * 1024,
      maxReplayBytes: 12 * 1024 * 1024,
    });
    const p = DEFAULT_COMPACTION_POLICY;
    assert.equal(planCompaction(p, { applied: 9_999, snapshotIndex: 0, firstIndex: 1, ...SMALL }), undefined);
    assert.deepEqual(planCompaction(p, { applied: 10_000, snapshotIndex: 0, firstIndex: 1, ...SMALL }), {
      snapshotAt: 10_000,
      compactTo: 5_000,
    });
  });

  test('a large image waits until the log applied since it is ratio × its size; a small one only for the count', () => {
    const p = { ...DEFAULT_COMPACTION_POLICY, logToImageRatio: 0.25 };
    const at = { applied: 30_000, snapshotIndex: 10_000, firstIndex: 5_001 };
    const image = 9 * 1024 * 1024;
    assert.equal(planCompaction(p, { ...at, imageBytes: image, logBytesSinceSnapshot: image / 4 - 1 }), undefined);
    assert.deepEqual(planCompaction(p, { ...at, imageBytes: image, logBytesSinceSnapshot: image / 4 }), {
      snapshotAt: 30_000,
      compactTo: 25_000,
    });
    const small = p.minImageBytesForRatio - 1;
    assert.deepEqual(planCompaction(p, { ...at, imageBytes: small, logBytesSinceSnapshot: 0 })?.snapshotAt, 30_000);
    assert.deepEqual(
      planCompaction({ ...p, logToImageRatio: 0 }, { ...at, imageBytes: image, logBytesSinceSnapshot: 0 })?.snapshotAt,
      30_000,
    );
  });

  test('however large the image, the log after it is capped at maxReplayBytes (a restart replays it)', () => {
    const p = DEFAULT_COMPACTION_POLICY;
    const at = { applied: 130_000, snapshotIndex: 10_000, firstIndex: 5_001, imageBytes: 90 * 1024 * 1024 };
    assert.equal(planCompaction(p, { ...at, logBytesSinceSnapshot: p.maxReplayBytes - 1 }), undefined);
    assert.equal(planCompaction(p, { ...at, logBytesSinceSnapshot: p.maxReplayBytes })?.snapshotAt, 130_000);
    // Below the cap the ratio still decides.
    const image = 4 * 1024 * 1024;
    assert.equal(planCompaction(p, { ...at, imageBytes: image, logBytesSinceSnapshot: image - 1 }), undefined);
    assert.equal(planCompaction(p, { ...at, imageBytes: image, logBytesSinceSnapshot: image })?.snapshotAt, 130_000);
  });

  test('filling a store: all its snapshots together write a small multiple of the final image, and the log stays bounded by the image and the cap', () => {
    // Each put adds a key to the image and an entry to the log (the shape of bench:scale's fill:
    // 16-byte keys, 64-byte values). Under the entry count alone the work grows with N²/count.
    const p = DEFAULT_COMPACTION_POLICY;
    const entryBytes = 150;
    const imageBytesPerKey = 90;
    const base = 4096;
    let imageBytes = base;
    let snapshotIndex = 0;
    let logBytes = 0;
    let work = 0;
    let snapshots = 0;
    const n = 1_000_000;
    for (let applied = 1; applied <= n; applied++) {
      logBytes += entryBytes;
      const wanted = Math.min(p.logToImageRatio * imageBytes, p.maxReplayBytes);
      const bound = Math.max(wanted, p.snapshotEntries * entryBytes) + entryBytes;
      assert.ok(logBytes <= bound, `${logBytes} bytes of log after a snapshot of ${imageBytes} (bound ${bound})`);
      const plan = planCompaction(p, { applied, snapshotIndex, firstIndex: 1, imageBytes, logBytesSinceSnapshot: logBytes });
      if (plan === undefined) continue;
      imageBytes = base + imageBytesPerKey * applied;
      work += imageBytes;
      snapshots++;
      snapshotIndex = plan.snapshotAt;
      logBytes = 0;
    }
    const finalImage = base + imageBytesPerKey * n;
    assert.ok(work <= 10 * finalImage, `${snapshots} snapshots wrote ${(work / finalImage).toFixed(1)} × the final image`);
  });

  test('never compacts below firstIndex or past the snapshot it just took', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.record({
          imageBytes: fc.nat(10_000),
          logBytesSinceSnapshot: fc.nat(10_000),
          ratio: fc.double({ min: 0, max: 4, noNaN: true }),
          cap: fc.integer({ min: 1, max: 20_000 }),
        }),
        (snapshotEntries, catchUpEntries, snapshotIndex, gap, behind, size) => {
          const applied = snapshotIndex + gap;
          const firstIndex = Math.max(1, applied - behind);
          const policy = {
            snapshotEntries,
            catchUpEntries,
            logToImageRatio: size.ratio,
            minImageBytesForRatio: 1000,
            maxReplayBytes: size.cap,
          };
          const plan = planCompaction(policy, {
            applied,
            snapshotIndex,
            firstIndex,
            imageBytes: size.imageBytes,
            logBytesSinceSnapshot: size.logBytesSinceSnapshot,
          });
          const logWanted = Math.min(size.ratio * size.imageBytes, size.cap);
          const waitsForLog = size.imageBytes >= 1000 && size.logBytesSinceSnapshot < logWanted;
          if (gap < snapshotEntries || waitsForLog) return assert.equal(plan, undefined);
          assert.equal(plan?.snapshotAt, applied);
          if (plan?.compactTo !== undefined) {
            assert.ok(plan.compactTo >= firstIndex && plan.compactTo <= applied);
            assert.equal(applied - plan.compactTo, catchUpEntries);
          }
        },
      ),
    );
  });

  test('an invalid policy lists every problem; open refuses it', async () => {
    const bad = { snapshotEntries: 0, catchUpEntries: -1, logToImageRatio: Number.NaN, minImageBytesForRatio: -1, maxReplayBytes: 0 };
    assert.equal(validateCompactionPolicy(bad).length, 5);
    assert.match(
      validateCompactionPolicy({ ...DEFAULT_COMPACTION_POLICY, logToImageRatio: -0.5 }).join(),
      /logToImageRatio must be a finite number ≥ 0/,
    );
    assert.deepEqual(validateCompactionPolicy(DEFAULT_COMPACTION_POLICY), []);
    await assert.rejects(
      LevelStorage.open({
        dataDir: join(temp.root, 'bad'),
        clusterId: 'c',
        nodeId: 'n',
        compaction: byCount(0, 0),
      }),
      StorageOpenError,
    );
  });
});

async function storedEntryKeys(dataDir: string): Promise<number> {
  const db = new Level<Uint8Array, Uint8Array>(dataDirPaths(dataDir).storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
  let count = 0;
  for await (const _ of db.keys({ gte: ENTRY_KEYS_FROM, lt: ENTRY_KEYS_TO })) count++;
  await db.close();
  return count;
}

describe('LevelStorage compaction (§7 log compaction)', () => {
  test('snapshot + compact after apply keeps the number of stored entries bounded, across restarts', async () => {
    const dataDir = join(temp.root, 'bounded');
    const policy = byCount(100, 20);
    let s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', compaction: policy });
    let applied = 0;
    let snapshots = 0;
    for (let round = 0; round < 50; round++) {
      const from = s.lastIndex() + 1;
      const entries: Entry[] = Array.from({ length: 17 }, (_, k) => ({
        index: from + k,
        term: 1,
        type: EntryType.Normal,
        data: new Uint8Array([k]),
      }));
      await s.persistReady({ entries, hardState: { term: 1, vote: 'n1', commit: from + 16 }, mustSync: true });
      applied = from + 16;
      const snap = await s.compactAfterApply(applied, () => ({
        confState: { voters: ['n1'], learners: [] },
        data: new Uint8Array([applied & 0xff]),
      }));
      if (snap !== undefined) {
        snapshots++;
        assert.equal(snap.metadata.index, applied);
      }
      const held = s.lastIndex() - s.firstIndex() + 1;
      assert.ok(held <= policy.snapshotEntries + policy.catchUpEntries, `${held} entries held after applying ${applied}`);
      if (round % 10 === 9) {
        await s.close();
        assert.equal(await storedEntryKeys(dataDir), held, 'the disk holds exactly the entries the view holds');
        s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', compaction: policy });
      }
    }
    assert.ok(snapshots >= 7, `${snapshots} snapshots over ${applied} entries`);
    assert.equal(s.snapshot().metadata.index > 0, true);
    assert.equal(s.term(s.firstIndex() - 1), 1);
    await s.close();
  });

  test('a plan installed late: done when the log still holds it, skipped when a newer snapshot replaced the log', async () => {
    const dataDir = join(temp.root, 'late-install');
    const policy = byCount(10, 2);
    const s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', compaction: policy });
    const cs = { voters: ['n1'], learners: [] };
    const append = async (n: number) => {
      const from = s.lastIndex() + 1;
      const entries: Entry[] = Array.from({ length: n }, (_, k) => ({
        index: from + k,
        term: 1,
        type: EntryType.Normal,
        data: new Uint8Array([k]),
      }));
      await s.persistReady({ entries, hardState: { term: 1, vote: 'n1', commit: from + n - 1 }, mustSync: true });
    };
    await append(12);
    const plan = s.compactionDue(12)!;
    assert.deepEqual(plan, { snapshotAt: 12, compactTo: 10 });
    await append(5); // applied on while the image was being encoded
    const snap = await s.installSnapshot(plan, { confState: cs, data: Uint8Array.of(12) });
    assert.equal(snap?.metadata.index, 12);
    assert.equal(s.firstIndex(), 11);
    assert.equal(s.lastIndex(), 17, 'the entries applied meanwhile are kept');

    await append(13); // applied = 30: due again
    const late = s.compactionDue(30)!;
    // Meanwhile the leader sent a snapshot past the plan (this node had fallen behind).
    s.applySnapshot({ metadata: { index: 40, term: 2, confState: cs }, data: Uint8Array.of(40) });
    assert.equal(await s.installSnapshot(late, { confState: cs, data: Uint8Array.of(30) }), undefined);
    assert.equal(s.snapshot().metadata.index, 40, "the leader's snapshot stays");
    await s.close();
  });

  test('a compaction of many entries goes to disk a chunk of deletes per batch, each a log start a restart reads', async () => {
    const dataDir = join(temp.root, 'chunks');
    const cs = { voters: ['n1'], learners: [] };
    let s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', compaction: byCount(1_000_000, 0) });
    const last = Math.floor(3.5 * COMPACTION_CHUNK_ENTRIES);
    for (let from = 1; from <= last; from += 500) {
      const entries: Entry[] = Array.from({ length: Math.min(500, last - from + 1) }, (_, k) => ({
        index: from + k,
        term: 1,
        type: EntryType.Normal,
        data: Uint8Array.of(k & 0xff),
      }));
      await s.persistReady({ entries, hardState: { term: 1, vote: 'n1', commit: from + entries.length - 1 }, mustSync: true });
    }
    const compactTo = last - 10;
    // The view moves with each batch: watch it between turns of the event loop.
    const seen = [s.firstIndex()];
    let done = false;
    const installed = s.installSnapshot({ snapshotAt: last, compactTo }, { confState: cs, data: Uint8Array.of(7) }).finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (seen.at(-1) !== s.firstIndex()) seen.push(s.firstIndex());
    }
    assert.equal((await installed)?.metadata.index, last);
    assert.equal(s.firstIndex(), compactTo + 1);
    const steps = seen.slice(1).map((v, i) => v - seen[i]);
    assert.ok(steps.length >= 4, `the log start moved in ${steps.length} steps: ${seen.join(', ')}`);
    assert.ok(Math.max(...steps) <= COMPACTION_CHUNK_ENTRIES, `steps ${steps.join(', ')}`);
    await s.close();
    assert.equal(await storedEntryKeys(dataDir), 10, 'only the entries after compactTo stay on disk');
    s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1' });
    assert.equal(s.firstIndex(), compactTo + 1);
    assert.equal(s.lastIndex(), last);
    assert.equal(s.snapshot().metadata.index, last);
    await s.close();
  });

  test('a large image: the next snapshot waits for ratio × its size of applied log, counted again after a restart', async () => {
    const dataDir = join(temp.root, 'ratio');
    const policy = { snapshotEntries: 5, catchUpEntries: 2, logToImageRatio: 0.5, minImageBytesForRatio: 100, maxReplayBytes: 1024 * 1024 };
    const cs = { voters: ['n1'], learners: [] };
    let s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', compaction: policy });
    /** Appends n entries of 10 data bytes each; returns the last index. */
    const append = async (n: number): Promise<number> => {
      const from = s.lastIndex() + 1;
      const entries: Entry[] = Array.from({ length: n }, (_, k) => ({
        index: from + k,
        term: 1,
        type: EntryType.Normal,
        data: new Uint8Array(10).fill(k),
      }));
      await s.persistReady({ entries, hardState: { term: 1, vote: 'n1', commit: from + n - 1 }, mustSync: true });
      return from + n - 1;
    };
    // The first image is 1,000 bytes: the next snapshot needs 500 bytes (50 entries) of log after it.
    const first = await s.compactAfterApply(await append(5), () => ({ confState: cs, data: new Uint8Array(1000) }));
    assert.equal(first?.metadata.index, 5, 'an empty image: the entry count alone');
    assert.equal(s.compactionDue(await append(30)), undefined, '300 bytes of log after a 1,000-byte image');
    await s.close();
    s = await LevelStorage.open({ dataDir, clusterId: 'c', nodeId: 'n1', compaction: policy });
    assert.equal(s.snapshot().data.length, 1000);
    assert.equal(s.compactionDue(await append(19)), undefined, '490 bytes: one entry short');
    assert.deepEqual(s.compactionDue(await append(1)), { snapshotAt: 55, compactTo: 53 });
    await s.close();
  });
});
