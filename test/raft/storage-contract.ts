// The behaviour every WritableStorage must share (MemoryStorage, the LevelDB storage).
// Written against the interface only: run it with a factory for a fresh, empty storage.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotOutOfDateError, type WritableStorage } from '../../src/raft/memory-storage.js';
import { entrySize } from '../../src/raft/raft-log.js';
import { CompactedError, UnavailableError } from '../../src/raft/storage.js';
import { EntryType, type ConfState, type Entry, type Snapshot } from '../../src/raft/types.js';

type Make = () => Promise<WritableStorage> | WritableStorage;

function ent(index: number, term: number, data: Uint8Array = new Uint8Array(0)): Entry {
  return { index, term, type: EntryType.Normal, data };
}

/** Entries with terms[k] at index from+k. */
function run(from: number, ...terms: number[]): Entry[] {
  return terms.map((t, k) => ent(from + k, t));
}

function snap(index: number, term: number, confState: ConfState = { voters: ['n1'], learners: [] }): Snapshot {
  return { metadata: { index, term, confState }, data: new Uint8Array([index & 0xff]) };
}

function ids(ents: readonly Entry[]): [number, number][] {
  return ents.map((e) => [e.index, e.term]);
}

export function runStorageContract(name: string, make: Make): void {
  /** A storage holding a snapshot at (3, 3) and entries 4..5 with terms 4, 5 (etcd's storage_test fixture). */
  async function fixture(): Promise<WritableStorage> {
    const s = await make();
    s.applySnapshot(snap(3, 3));
    s.append(run(4, 4, 5));
    return s;
  }

  describe(`storage contract: ${name}`, () => {
    test('a fresh storage is empty: firstIndex 1, lastIndex 0, term(0) = 0, empty hard state and snapshot', async () => {
      const s = await make();
      assert.equal(s.firstIndex(), 1);
      assert.equal(s.lastIndex(), 0);
      assert.equal(s.term(0), 0);
      assert.deepEqual(s.entries(1, 1), []);
      assert.deepEqual(s.initialState().hardState, { term: 0, vote: '', commit: 0 });
      assert.equal(s.snapshot().metadata.index, 0);
    });

    test('hard state round trip: the latest setHardState wins', async () => {
      const s = await make();
      s.setHardState({ term: 1, vote: 'n1', commit: 0 });
      s.setHardState({ term: 3, vote: 'n2', commit: 7 });
      assert.deepEqual(s.initialState().hardState, { term: 3, vote: 'n2', commit: 7 });
    });

    test('append, then entries/term/firstIndex/lastIndex read it back (data and type included)', async () => {
      const s = await make();
      const cc: Entry = { index: 2, term: 1, type: EntryType.ConfChange, data: new Uint8Array([1, 2, 3]) };
      s.append([ent(1, 1, new Uint8Array([9])), cc, ent(3, 2)]);
      assert.equal(s.firstIndex(), 1);
      assert.equal(s.lastIndex(), 3);
      assert.deepEqual([s.term(0), s.term(1), s.term(2), s.term(3)], [0, 1, 1, 2]);
      const got = s.entries(1, 4);
      assert.deepEqual(ids(got), [
        [1, 1],
        [2, 1],
        [3, 2],
      ]);
      assert.equal(got[1].type, EntryType.ConfChange);
      assert.deepEqual([...got[1].data], [1, 2, 3]);
      assert.deepEqual([...got[0].data], [9]);
      assert.deepEqual(ids(s.entries(2, 3)), [[2, 1]]);
      assert.deepEqual(s.entries(4, 4), []);
    });

    test('append replaces the stored suffix from the first new index (conflicting and later entries go)', async () => {
      const s = await make();
      s.append(run(1, 1, 1, 1, 1, 1));
      s.append(run(3, 2, 2));
      assert.equal(s.lastIndex(), 4);
      assert.deepEqual(ids(s.entries(1, 5)), [
        [1, 1],
        [2, 1],
        [3, 2],
        [4, 2],
      ]);
      assert.throws(() => s.term(5), UnavailableError);
    });

    test('append at lastIndex+1 extends; appending the same entries again changes nothing', async () => {
      const s = await fixture();
      s.append(run(6, 5));
      assert.equal(s.lastIndex(), 6);
      s.append(run(4, 4, 5, 5));
      assert.deepEqual(ids(s.entries(4, 7)), [
        [4, 4],
        [5, 5],
        [6, 5],
      ]);
    });

    test('append with a gap after lastIndex throws UnavailableError and changes nothing', async () => {
      const s = await fixture();
      assert.throws(() => s.append(run(7, 5)), UnavailableError);
      assert.equal(s.lastIndex(), 5);
    });

    test('append skips entries below firstIndex (already covered by the snapshot)', async () => {
      const s = await fixture();
      s.append(run(1, 1, 2, 3)); // entirely compacted: ignored
      assert.deepEqual(ids(s.entries(4, 6)), [
        [4, 4],
        [5, 5],
      ]);
      s.append(run(2, 3, 3, 6, 6)); // 2..3 skipped, 4.. replaced
      assert.equal(s.firstIndex(), 4);
      assert.deepEqual(ids(s.entries(4, 6)), [
        [4, 6],
        [5, 6],
      ]);
      assert.equal(s.term(3), 3);
    });

    test('append([]) is a no-op', async () => {
      const s = await fixture();
      s.append([]);
      assert.equal(s.lastIndex(), 5);
    });

    test('term: compacted below firstIndex-1, unavailable beyond lastIndex, snapshot term at firstIndex-1', async () => {
      const s = await fixture();
      assert.throws(() => s.term(2), CompactedError);
      assert.equal(s.term(3), 3);
      assert.equal(s.term(4), 4);
      assert.equal(s.term(5), 5);
      assert.throws(() => s.term(6), UnavailableError);
    });

    test('entries: compacted when lo ≤ firstIndex-1, unavailable when hi > lastIndex+1', async () => {
      const s = await fixture();
      assert.throws(() => s.entries(2, 5), CompactedError);
      assert.throws(() => s.entries(3, 5), CompactedError);
      assert.throws(() => s.entries(4, 7), UnavailableError);
      assert.deepEqual(ids(s.entries(4, 6)), [
        [4, 4],
        [5, 5],
      ]);
    });

    test('entries with maxBytes: the longest prefix within the limit, never fewer than one entry', async () => {
      const s = await make();
      const data = new Uint8Array(10);
      s.append([ent(1, 1, data), ent(2, 1, data), ent(3, 1, data), ent(4, 1, data)]);
      const one = entrySize(ent(1, 1, data));
      assert.equal(s.entries(1, 5, 0).length, 1);
      assert.equal(s.entries(1, 5, one - 1).length, 1);
      assert.equal(s.entries(1, 5, one).length, 1);
      assert.equal(s.entries(1, 5, 2 * one - 1).length, 1);
      assert.equal(s.entries(1, 5, 2 * one).length, 2);
      assert.equal(s.entries(1, 5, 3 * one + 1).length, 3);
      assert.equal(s.entries(1, 5, 100 * one).length, 4);
      assert.equal(s.entries(1, 5).length, 4);
    });

    test('compact: discards entries before compactIndex; term(compactIndex) stays answerable', async () => {
      // etcd storage_test TestStorageCompact: (compactIndex, error?, firstIndex after)
      const cases: [number, 'compacted' | undefined, number][] = [
        [2, 'compacted', 4],
        [3, 'compacted', 4],
        [4, undefined, 5],
        [5, undefined, 6],
      ];
      for (const [i, err, wantFirst] of cases) {
        const s = await fixture();
        if (err === 'compacted') assert.throws(() => s.compact(i), CompactedError);
        else s.compact(i);
        assert.equal(s.firstIndex(), wantFirst, `compact(${i})`);
        assert.equal(s.lastIndex(), 5);
        assert.equal(s.term(wantFirst - 1), wantFirst - 1, `term(${wantFirst - 1}) after compact(${i})`);
        assert.throws(() => s.term(wantFirst - 2), CompactedError);
        assert.throws(() => s.entries(wantFirst - 1, 6), CompactedError);
        assert.equal(s.entries(wantFirst, 6).length, 6 - wantFirst);
      }
    });

    test('compact beyond lastIndex throws UnavailableError', async () => {
      const s = await fixture();
      assert.throws(() => s.compact(6), UnavailableError);
      assert.equal(s.firstIndex(), 4);
    });

    test('compact then append continues the log after the kept entries', async () => {
      const s = await fixture();
      s.compact(5);
      s.append(run(6, 5, 6));
      assert.deepEqual(ids(s.entries(6, 8)), [
        [6, 5],
        [7, 6],
      ]);
      assert.equal(s.term(5), 5);
    });

    test('createSnapshot records index, term of that entry, conf state and data; the log is untouched', async () => {
      const cs: ConfState = { voters: ['n1', 'n2', 'n3'], learners: ['n4'] };
      const data = new Uint8Array([42]);
      for (const [i, wantTerm] of [
        [4, 4],
        [5, 5],
      ] as const) {
        const s = await fixture();
        const got = s.createSnapshot(i, cs, data);
        assert.deepEqual(got.metadata, { index: i, term: wantTerm, confState: cs });
        assert.deepEqual([...got.data], [42]);
        assert.deepEqual(s.snapshot().metadata, got.metadata);
        assert.deepEqual([...s.snapshot().data], [42]);
        assert.deepEqual(s.initialState().confState, cs);
        assert.equal(s.firstIndex(), 4);
        assert.equal(s.lastIndex(), 5);
      }
    });

    test('createSnapshot at or below the current snapshot throws SnapshotOutOfDateError; beyond lastIndex UnavailableError', async () => {
      const s = await fixture();
      const cs: ConfState = { voters: ['n1'], learners: [] };
      assert.throws(() => s.createSnapshot(3, cs, new Uint8Array(0)), SnapshotOutOfDateError);
      assert.throws(() => s.createSnapshot(2, cs, new Uint8Array(0)), SnapshotOutOfDateError);
      assert.throws(() => s.createSnapshot(6, cs, new Uint8Array(0)), UnavailableError);
      s.createSnapshot(5, cs, new Uint8Array(0));
      assert.throws(() => s.createSnapshot(4, cs, new Uint8Array(0)), SnapshotOutOfDateError);
      assert.throws(() => s.createSnapshot(5, cs, new Uint8Array(0)), SnapshotOutOfDateError);
    });

    test('createSnapshot then compact to it: the usual log truncation sequence', async () => {
      const s = await fixture();
      s.append(run(6, 5, 5));
      s.createSnapshot(6, { voters: ['n1'], learners: [] }, new Uint8Array([6]));
      s.compact(6);
      assert.equal(s.firstIndex(), 7);
      assert.equal(s.term(6), 5);
      assert.equal(s.snapshot().metadata.index, 6);
      assert.deepEqual(ids(s.entries(7, 8)), [[7, 5]]);
    });

    test('applySnapshot replaces everything: the log restarts after the snapshot', async () => {
      const s = await fixture();
      const cs: ConfState = { voters: ['n1', 'n2'], learners: [] };
      s.applySnapshot(snap(10, 7, cs));
      assert.equal(s.firstIndex(), 11);
      assert.equal(s.lastIndex(), 10);
      assert.equal(s.term(10), 7);
      assert.throws(() => s.term(9), CompactedError);
      assert.throws(() => s.term(11), UnavailableError);
      assert.deepEqual(s.snapshot().metadata, { index: 10, term: 7, confState: cs });
      assert.deepEqual([...s.snapshot().data], [10]);
      assert.deepEqual(s.initialState().confState, cs);
      s.append(run(11, 7));
      assert.deepEqual(ids(s.entries(11, 12)), [[11, 7]]);
    });

    test('applySnapshot at or below the current snapshot throws SnapshotOutOfDateError and keeps the state', async () => {
      const s = await fixture();
      s.applySnapshot(snap(4, 4));
      assert.throws(() => s.applySnapshot(snap(3, 3)), SnapshotOutOfDateError);
      assert.throws(() => s.applySnapshot(snap(4, 4)), SnapshotOutOfDateError);
      assert.equal(s.snapshot().metadata.index, 4);
      assert.equal(s.firstIndex(), 5);
    });

    test('applySnapshot keeps the hard state', async () => {
      const s = await make();
      s.setHardState({ term: 2, vote: 'n1', commit: 1 });
      s.applySnapshot(snap(5, 2));
      assert.deepEqual(s.initialState().hardState, { term: 2, vote: 'n1', commit: 1 });
    });

    test('callers may reuse their arrays: storage keeps its own copies', async () => {
      const s = await make();
      const batch = run(1, 1, 1, 1);
      s.append(batch);
      batch.length = 0;
      batch.push(ent(1, 9));
      assert.deepEqual(ids(s.entries(1, 4)), [
        [1, 1],
        [2, 1],
        [3, 1],
      ]);

      const out = s.entries(1, 3);
      out.push(ent(3, 9));
      out[0] = ent(1, 9);
      assert.deepEqual(ids(s.entries(1, 4)), [
        [1, 1],
        [2, 1],
        [3, 1],
      ]);

      const voters = ['n1', 'n2'];
      s.createSnapshot(2, { voters, learners: [] }, new Uint8Array(0));
      voters.push('n3');
      assert.deepEqual(s.snapshot().metadata.confState.voters, ['n1', 'n2']);
      assert.deepEqual(s.initialState().confState.voters, ['n1', 'n2']);
    });
  });
}
