import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { Level } from 'level';
import { EntryType, type Entry } from '../../src/raft/types.js';
import { DEFAULT_COMPACTION_POLICY, planCompaction, validateCompactionPolicy } from '../../src/storage/compaction.js';
import { dataDirPaths } from '../../src/storage/data-dir.js';
import { StorageOpenError } from '../../src/storage/errors.js';
import { ENTRY_KEYS_FROM, ENTRY_KEYS_TO } from '../../src/storage/keys.js';
import { LevelStorage } from '../../src/storage/level-storage.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
after(() => temp.cleanup());

describe('planCompaction', () => {
  test('the default follows etcd: snapshot every 10,000 applied entries, keep 5,000 for catch-up', () => {
    assert.deepEqual(DEFAULT_COMPACTION_POLICY, { snapshotEntries: 10_000, catchUpEntries: 5_000 });
    assert.equal(planCompaction(DEFAULT_COMPACTION_POLICY, { applied: 9_999, snapshotIndex: 0, firstIndex: 1 }), undefined);
    assert.deepEqual(planCompaction(DEFAULT_COMPACTION_POLICY, { applied: 10_000, snapshotIndex: 0, firstIndex: 1 }), {
      snapshotAt: 10_000,
      compactTo: 5_000,
    });
  });

  test('never compacts below firstIndex or past the snapshot it just took', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        (snapshotEntries, catchUpEntries, snapshotIndex, gap, behind) => {
          const applied = snapshotIndex + gap;
          const firstIndex = Math.max(1, applied - behind);
          const plan = planCompaction({ snapshotEntries, catchUpEntries }, { applied, snapshotIndex, firstIndex });
          if (gap < snapshotEntries) return assert.equal(plan, undefined);
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
    assert.equal(validateCompactionPolicy({ snapshotEntries: 0, catchUpEntries: -1 }).length, 2);
    assert.deepEqual(validateCompactionPolicy(DEFAULT_COMPACTION_POLICY), []);
    await assert.rejects(
      LevelStorage.open({
        dataDir: join(temp.root, 'bad'),
        clusterId: 'c',
        nodeId: 'n',
        compaction: { snapshotEntries: 0, catchUpEntries: 0 },
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
    const policy = { snapshotEntries: 100, catchUpEntries: 20 };
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
    const policy = { snapshotEntries: 10, catchUpEntries: 2 };
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
});
