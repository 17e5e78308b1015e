// The log's rules, after etcd-io/raft log_test.go and log_unstable_test.go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import { entrySize, LogInvariantError, RaftLog } from '../../src/raft/raft-log.js';
import { CompactedError, UnavailableError } from '../../src/raft/storage.js';
import { Unstable } from '../../src/raft/unstable.js';
import { EntryType, type Entry, type Snapshot } from '../../src/raft/types.js';

function ent(index: number, term: number, size = 0): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(size) };
}

/** Entries from `from` on with the given terms. */
function run(from: number, ...terms: number[]): Entry[] {
  return terms.map((t, k) => ent(from + k, t));
}

function snap(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: { voters: ['n1'], learners: [] } }, data: new Uint8Array(0) };
}

function ids(ents: readonly Entry[]): [number, number][] {
  return ents.map((e) => [e.index, e.term]);
}

/** A log over a storage holding a snapshot at (snapIndex, snapTerm) and the given stored entries. */
function logWith(stored: Entry[], snapIndex = 0, snapTerm = 0): { log: RaftLog; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  if (snapIndex > 0) storage.applySnapshot(snap(snapIndex, snapTerm));
  storage.append(stored);
  return { log: new RaftLog(storage), storage };
}

describe('RaftLog.findConflict', () => {
  const previous = run(1, 1, 2, 3);
  const cases: [Entry[], number][] = [
    // no conflict, empty
    [[], 0],
    // no conflict: we hold all of them
    [run(1, 1, 2, 3), 0],
    [run(2, 2, 3), 0],
    [run(3, 3), 0],
    // no conflict, but new entries: the first new index
    [run(1, 1, 2, 3, 4, 4), 4],
    [run(2, 2, 3, 4, 4), 4],
    [run(3, 3, 4, 4), 4],
    [run(4, 4, 4), 4],
    // conflicts with existing entries
    [run(1, 4, 4), 1],
    [run(2, 1, 4, 4), 2],
    [run(3, 1, 2, 4, 4), 3],
  ];
  for (const [ents, want] of cases) {
    test(`findConflict(${JSON.stringify(ids(ents))}) = ${want}`, () => {
      const { log } = logWith([]);
      log.append(previous);
      assert.equal(log.findConflict(ents), want);
    });
  }
});

describe('RaftLog.findConflictByTerm (fast back-off hint)', () => {
  // [snapshot (index, term), then terms from snapshot index + 1], (index, term), want index
  const fromStart: [number, number, number][] = [
    [100, 2, 100], // beyond lastIndex: unknown term, a possible match
    [5, 6, 5],
    [5, 5, 5],
    [5, 4, 2],
    [5, 2, 2],
    [5, 1, 0],
    [1, 2, 1],
    [1, 1, 0],
    [0, 0, 0],
  ];
  for (const [index, term, want] of fromStart) {
    test(`log 1..5 with terms 2,2,5,5,5: (${index}, ${term}) → ${want}`, () => {
      const { log } = logWith([]);
      log.append(run(1, 2, 2, 5, 5, 5));
      const got = log.findConflictByTerm(index, term);
      assert.equal(got.index, want);
      assert.equal(got.term, log.term(want) ?? 0);
    });
  }
  const compacted: [number, number, number][] = [
    [30, 3, 30], // beyond lastIndex
    [14, 9, 14],
    [14, 4, 14],
    [14, 3, 12],
    [14, 2, 9], // 10 has term 3 > 2; 9 is compacted: unknown, a possible match
    [11, 5, 11],
    [10, 5, 10],
    [10, 3, 10],
    [10, 2, 9],
    [9, 2, 9], // compacted
    [4, 2, 4], // compacted
    [0, 0, 0],
  ];
  for (const [index, term, want] of compacted) {
    test(`snapshot (10, 3) then 11..14 with terms 3,3,4,4: (${index}, ${term}) → ${want}`, () => {
      const { log } = logWith([], 10, 3);
      log.append(run(11, 3, 3, 4, 4));
      const got = log.findConflictByTerm(index, term);
      assert.equal(got.index, want);
      assert.equal(got.term, log.term(want) ?? 0);
    });
  }
});

describe('RaftLog.isUpToDate (§5.4.1 election restriction)', () => {
  // our log ends at (3, 3)
  const cases: [number, number, boolean, string][] = [
    [2, 4, true, 'a later last term wins whatever the index'],
    [3, 4, true, 'a later last term wins whatever the index'],
    [4, 4, true, 'a later last term wins whatever the index'],
    [2, 2, false, 'an earlier last term loses whatever the index'],
    [3, 2, false, 'an earlier last term loses whatever the index'],
    [4, 2, false, 'an earlier last term loses whatever the index'],
    [2, 3, false, 'same last term: the shorter log loses'],
    [3, 3, true, 'same last term: an equal log is up to date'],
    [4, 3, true, 'same last term: the longer log wins'],
  ];
  for (const [lastIndex, term, want, why] of cases) {
    test(`(${lastIndex}, ${term}) → ${want}: ${why}`, () => {
      const { log } = logWith([]);
      log.append(run(1, 1, 2, 3));
      assert.equal(log.isUpToDate(lastIndex, term), want);
    });
  }
});

describe('RaftLog.append', () => {
  // stored (1,1),(2,2); append; want lastIndex, all entries, unstable offset
  const cases: [Entry[], number, [number, number][], number][] = [
    [
      [],
      2,
      [
        [1, 1],
        [2, 2],
      ],
      3,
    ],
    [
      run(3, 2),
      3,
      [
        [1, 1],
        [2, 2],
        [3, 2],
      ],
      3,
    ],
    // conflicts with index 1: the stored suffix from 1 is replaced
    [run(1, 2), 1, [[1, 2]], 1],
    // conflicts with index 2
    [
      run(2, 3, 3),
      3,
      [
        [1, 1],
        [2, 3],
        [3, 3],
      ],
      2,
    ],
  ];
  for (const [ents, wantLast, wantAll, wantOffset] of cases) {
    test(`append(${JSON.stringify(ids(ents))}) over stored 1..2`, () => {
      const { log } = logWith(run(1, 1, 2));
      assert.equal(log.append(ents), wantLast);
      assert.deepEqual(ids(log.allEntries()), wantAll);
      assert.equal(log.unstable.offset, wantOffset);
    });
  }

  test('appending below the commit index throws: committed entries are never replaced', () => {
    const { log } = logWith(run(1, 1, 2));
    log.commitTo(2);
    assert.throws(() => log.append(run(2, 3)), LogInvariantError);
    assert.equal(log.append(run(3, 3)), 3);
  });
});

describe('RaftLog.maybeAppend (§5.3 consistency check)', () => {
  // our log: (1,1),(2,2),(3,3); commit 1
  const lastIndex = 3;
  const lastTerm = 3;
  const commit = 1;
  type Case = [
    prevTerm: number,
    prevIndex: number,
    committed: number,
    ents: Entry[],
    want: number | undefined,
    wantCommit: number,
    why: string,
  ];
  const cases: Case[] = [
    [lastTerm - 1, lastIndex, lastIndex, run(lastIndex + 1, 4), undefined, commit, 'rejected: prevTerm differs'],
    [lastTerm, lastIndex + 1, lastIndex, run(lastIndex + 2, 4), undefined, commit, 'rejected: prevIndex beyond our log'],
    [lastTerm, lastIndex, lastIndex, [], lastIndex, lastIndex, 'matches our last entry'],
    [lastTerm, lastIndex, lastIndex + 1, [], lastIndex, lastIndex, 'commit is capped at the last new index'],
    [lastTerm, lastIndex, lastIndex - 1, [], lastIndex, lastIndex - 1, 'commit follows the leader'],
    [lastTerm, lastIndex, 0, [], lastIndex, commit, 'commit never decreases'],
    [0, 0, lastIndex, [], 0, commit, 'commit never decreases (empty prefix)'],
    [lastTerm, lastIndex, lastIndex, run(lastIndex + 1, 4), lastIndex + 1, lastIndex, 'appends after our last entry'],
    [lastTerm, lastIndex, lastIndex + 1, run(lastIndex + 1, 4), lastIndex + 1, lastIndex + 1, 'appends and commits them'],
    [lastTerm, lastIndex, lastIndex + 2, run(lastIndex + 1, 4), lastIndex + 1, lastIndex + 1, 'commit capped at the last new index'],
    [lastTerm, lastIndex, lastIndex + 2, run(lastIndex + 1, 4, 4), lastIndex + 2, lastIndex + 2, 'appends two'],
    [lastTerm - 1, lastIndex - 1, lastIndex, run(lastIndex, 4), lastIndex, lastIndex, 'replaces a conflicting last entry'],
    [lastTerm - 2, lastIndex - 2, lastIndex, run(lastIndex - 1, 4), lastIndex - 1, lastIndex - 1, 'replaces a conflicting suffix'],
    [lastTerm - 2, lastIndex - 2, lastIndex, run(lastIndex - 1, 4, 4), lastIndex, lastIndex, 'replaces a conflicting suffix with two'],
  ];
  for (const [prevTerm, prevIndex, committed, ents, want, wantCommit, why] of cases) {
    test(`maybeAppend(${prevIndex}, ${prevTerm}, ${committed}, ${JSON.stringify(ids(ents))}): ${why}`, () => {
      const { log } = logWith([]);
      log.append(run(1, 1, 2, 3));
      log.committed = commit;
      assert.equal(log.maybeAppend(prevIndex, prevTerm, committed, ents), want);
      assert.equal(log.committed, wantCommit);
      if (want !== undefined && ents.length > 0) {
        // the appended entries are now ours
        assert.deepEqual(ids(log.slice(ents[0].index, want + 1)), ids(ents));
      }
    });
  }

  test('a conflict at or below the commit index throws (a leader never overwrites committed entries)', () => {
    const { log } = logWith([]);
    log.append(run(1, 1, 2, 3));
    log.committed = 1;
    assert.throws(() => log.maybeAppend(0, 0, lastIndex, run(1, 4)), LogInvariantError);
  });

  test('§5.3 matching entries are never truncated: a stale, shorter append keeps the longer log', () => {
    const { log } = logWith(run(1, 1, 1));
    log.append(run(3, 2, 2, 2));
    // A delayed copy of an earlier append (prev (1,1), entries 2..3) arrives after the longer one.
    assert.equal(log.maybeAppend(1, 1, 0, run(2, 1, 2)), 3);
    assert.equal(log.lastIndex(), 5);
    assert.deepEqual(ids(log.allEntries()), [
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
      [5, 2],
    ]);
    // Same with the overlap entirely in storage.
    assert.equal(log.maybeAppend(0, 0, 0, run(1, 1)), 1);
    assert.equal(log.lastIndex(), 5);
  });

  test('§5.3 property: re-sending any prefix of the leader log never shortens a follower that holds it all', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (bumps, split, a, b) => {
          // a leader log with non-decreasing terms
          let term = 1;
          const leader = bumps.map((bump, k) => ent(k + 1, (term += bump)));
          const stored = leader.slice(0, split % (leader.length + 1));
          const { log } = logWith(stored);
          log.append(leader.slice(stored.length));
          const lo = a % leader.length; // prevIndex
          const hi = lo + (b % (leader.length - lo + 1)); // exclusive end of the resent range
          const prevTerm = lo === 0 ? 0 : leader[lo - 1].term;
          assert.equal(log.maybeAppend(lo, prevTerm, 0, leader.slice(lo, hi)), hi);
          assert.deepEqual(ids(log.allEntries()), ids(leader));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('RaftLog commit', () => {
  test('commitTo never decreases and throws beyond lastIndex', () => {
    const { log } = logWith([]);
    log.append(run(1, 1, 2, 3));
    log.committed = 2;
    log.commitTo(3);
    assert.equal(log.committed, 3);
    log.commitTo(1);
    assert.equal(log.committed, 3);
    assert.throws(() => log.commitTo(4), LogInvariantError);
  });

  test('§5.4.2 maybeCommit commits only an entry of the given (current) term', () => {
    const { log } = logWith([]);
    log.append(run(1, 1, 2, 2, 3));
    // A term-3 leader whose quorum holds index 3 (term 2) must not commit it by counting.
    assert.equal(log.maybeCommit(3, 3), false);
    assert.equal(log.committed, 0);
    // Once its own entry (4, term 3) is on a quorum, everything before it commits too.
    assert.equal(log.maybeCommit(4, 3), true);
    assert.equal(log.committed, 4);
    assert.equal(log.maybeCommit(4, 3), false, 'no progress, no commit');
    assert.equal(log.maybeCommit(5, 3), false, 'unknown index');
  });

  test('maybeCommit with term 0 never commits', () => {
    const { log } = logWith([], 5, 0);
    log.append(run(6, 0));
    assert.equal(log.maybeCommit(6, 0), false);
  });

  test('appliedTo stays within [applied, committed]', () => {
    const { log } = logWith(run(1, 1, 1, 1));
    log.commitTo(2);
    log.appliedTo(1);
    log.appliedTo(2);
    assert.throws(() => log.appliedTo(3), LogInvariantError);
    assert.throws(() => log.appliedTo(1), LogInvariantError);
    assert.equal(log.applied, 2);
  });
});

describe('RaftLog.nextCommittedEntries', () => {
  // snapshot (3, 1); stored 4; unstable 5, 6; commit 5
  function setup(applied: number): RaftLog {
    const { log } = logWith(run(4, 1), 3, 1);
    log.append(run(4, 1, 1, 1));
    log.stableTo(4, 1);
    log.maybeCommit(5, 1);
    log.appliedTo(applied);
    return log;
  }
  const cases: [number, [number, number][]][] = [
    [
      3,
      [
        [4, 1],
        [5, 1],
      ],
    ],
    [4, [[5, 1]]],
    [5, []],
  ];
  for (const [applied, want] of cases) {
    test(`applied ${applied}: committed entries not yet applied, unstable ones included`, () => {
      const log = setup(applied);
      assert.deepEqual(ids(log.nextCommittedEntries()), want);
      assert.equal(log.hasNextCommittedEntries(), want.length > 0);
    });
  }

  test('nothing while a snapshot is pending (the snapshot is applied first)', () => {
    const log = setup(3);
    log.restore(snap(10, 2));
    assert.equal(log.hasPendingSnapshot(), true);
    assert.deepEqual(log.nextCommittedEntries(), []);
    assert.equal(log.hasNextCommittedEntries(), false);
  });

  test('limited to maxNextEntsSize bytes, at least one entry', () => {
    const storage = new MemoryStorage();
    storage.append([ent(1, 1, 10), ent(2, 1, 10), ent(3, 1, 10)]);
    const one = entrySize(ent(1, 1, 10));
    const log = new RaftLog(storage, one * 2);
    log.commitTo(3);
    assert.deepEqual(ids(log.nextCommittedEntries()), [
      [1, 1],
      [2, 1],
    ]);
    log.appliedTo(2);
    assert.deepEqual(ids(log.nextCommittedEntries()), [[3, 1]]);
    const tight = new RaftLog(storage, 0);
    tight.commitTo(3);
    assert.deepEqual(ids(tight.nextCommittedEntries()), [[1, 1]]);
  });
});

describe('RaftLog stable', () => {
  // log (1,1),(2,2) all unstable; stableTo(i, t) → unstable offset
  const cases: [number, number, number, string][] = [
    [1, 1, 2, 'stable up to 1'],
    [2, 2, 3, 'stable up to 2'],
    [2, 1, 1, 'stale term: the entry was replaced while being written, ignored'],
    [3, 1, 1, 'unknown index, ignored'],
  ];
  for (const [i, t, want, why] of cases) {
    test(`stableTo(${i}, ${t}): ${why}`, () => {
      const { log } = logWith([]);
      log.append(run(1, 1, 2));
      log.stableTo(i, t);
      assert.equal(log.unstable.offset, want);
    });
  }

  // snapshot (5, 2) in storage; optionally unstable (6, 2)
  const snapCases: [number, number, boolean, number][] = [
    [6, 2, false, 6],
    [5, 2, false, 6],
    [4, 2, false, 6],
    [6, 3, false, 6],
    [6, 2, true, 7],
    [5, 2, true, 6],
    [4, 2, true, 6],
    [6, 3, true, 6],
    [5, 3, true, 6],
    [4, 3, true, 6],
  ];
  for (const [i, t, withEntry, want] of snapCases) {
    test(`over a stored snapshot at (5, 2)${withEntry ? ' with unstable (6, 2)' : ''}: stableTo(${i}, ${t}) → offset ${want}`, () => {
      const { log } = logWith([], 5, 2);
      if (withEntry) log.append(run(6, 2));
      log.stableTo(i, t);
      assert.equal(log.unstable.offset, want);
    });
  }

  test('unstableEntries is what the next Ready persists; stableTo drops it', () => {
    const { log, storage } = logWith(run(1, 1, 1));
    log.append(run(3, 1, 2));
    const pending = log.unstableEntries();
    assert.deepEqual(ids(pending), [
      [3, 1],
      [4, 2],
    ]);
    storage.append(pending);
    log.stableTo(4, 2);
    assert.deepEqual(log.unstableEntries(), []);
    assert.deepEqual(ids(log.allEntries()), [
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
    ]);
  });

  test('stableSnapTo drops the pending snapshot only at its index', () => {
    const { log } = logWith([]);
    log.restore(snap(10, 2));
    log.stableSnapTo(9);
    assert.equal(log.hasPendingSnapshot(), true);
    log.stableSnapTo(10);
    assert.equal(log.hasPendingSnapshot(), false);
  });
});

describe('RaftLog bounds, terms and compaction', () => {
  test('a log over a compacted storage starts committed and applied at the snapshot (§7)', () => {
    const { log } = logWith([], 1000, 1000);
    assert.deepEqual(log.allEntries(), []);
    assert.equal(log.firstIndex(), 1001);
    assert.equal(log.lastIndex(), 1000);
    assert.equal(log.lastTerm(), 1000);
    assert.equal(log.committed, 1000);
    assert.equal(log.applied, 1000);
    assert.equal(log.unstable.offset, 1001);
    assert.equal(log.term(1000), 1000);
  });

  test('term: compacted and unavailable indexes answer undefined; the snapshot index answers its term', () => {
    const { log } = logWith([], 100, 1);
    for (let i = 1; i < 100; i++) log.append([ent(100 + i, i)]);
    assert.equal(log.term(99), undefined);
    assert.equal(log.term(100), 1);
    assert.equal(log.term(150), 50);
    assert.equal(log.term(199), 99);
    assert.equal(log.term(200), undefined);
  });

  test('term with a pending snapshot: only the snapshot index is known, not the gap nor storage', () => {
    const { log } = logWith([], 100, 1);
    log.restore(snap(105, 1));
    assert.equal(log.term(100), undefined);
    assert.equal(log.term(101), undefined);
    assert.equal(log.term(104), undefined);
    assert.equal(log.term(105), 1);
    assert.equal(log.firstIndex(), 106);
    assert.equal(log.lastIndex(), 105);
    assert.equal(log.committed, 105);
  });

  test('slice bounds: compacted below firstIndex, unavailable beyond lastIndex+1', () => {
    const { log } = logWith([], 100, 1);
    for (let i = 101; i <= 200; i++) log.append([ent(i, 1)]);
    assert.throws(() => log.slice(99, 102), CompactedError);
    assert.throws(() => log.slice(100, 102), CompactedError);
    assert.deepEqual(log.slice(101, 101), []);
    assert.deepEqual(log.slice(150, 150), []);
    assert.deepEqual(log.slice(201, 201), []);
    assert.throws(() => log.slice(201, 202), UnavailableError);
    assert.throws(() => log.slice(202, 202), UnavailableError);
    assert.throws(() => log.slice(5, 4), RangeError);
    assert.throws(() => log.entries(100), CompactedError);
    assert.deepEqual(log.entries(201), []);
  });

  test('slice across stable and unstable entries, with byte limits', () => {
    // storage 101..149, unstable 150..199, every entry the same size
    const storage = new MemoryStorage();
    storage.applySnapshot(snap(100, 1));
    const all: Entry[] = [];
    for (let i = 101; i < 200; i++) all.push(ent(i, i, 4));
    storage.append(all.slice(0, 49));
    const log = new RaftLog(storage);
    log.append(all.slice(49));
    assert.equal(log.unstable.offset, 150);
    const one = entrySize(all[0]);
    const idx = (ents: Entry[]): number[] => ents.map((e) => e.index);
    const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo }, (_, k) => lo + k);
    assert.deepEqual(idx(log.slice(101, 200)), range(101, 200));
    assert.deepEqual(idx(log.slice(120, 150)), range(120, 150), 'stable only');
    assert.deepEqual(idx(log.slice(150, 170)), range(150, 170), 'unstable only');
    assert.deepEqual(idx(log.slice(140, 160)), range(140, 160), 'across the boundary');
    assert.deepEqual(idx(log.slice(140, 160, 0)), [140], 'at least one entry');
    assert.deepEqual(idx(log.slice(150, 160, 0)), [150], 'at least one unstable entry');
    assert.deepEqual(idx(log.slice(140, 160, one * 5)), range(140, 145), 'limit inside storage');
    assert.deepEqual(idx(log.slice(140, 160, one * 10)), range(140, 150), 'limit exactly at the boundary');
    assert.deepEqual(idx(log.slice(140, 160, one * 12 + 1)), range(140, 152), 'limit inside unstable');
    assert.deepEqual(idx(log.entries(190, one * 100)), range(190, 200));
  });

  test('compaction under the log: reads below the new firstIndex fail, the kept term still matches', () => {
    const { log, storage } = logWith(run(1, 1, 1, 2, 2, 3));
    log.commitTo(5);
    log.appliedTo(5);
    storage.createSnapshot(4, { voters: ['n1'], learners: [] }, new Uint8Array(0));
    storage.compact(4);
    assert.equal(log.firstIndex(), 5);
    assert.equal(log.term(3), undefined);
    assert.equal(log.term(4), 2);
    assert.equal(log.matchTerm(4, 2), true);
    assert.throws(() => log.entries(4), CompactedError);
    assert.deepEqual(ids(log.allEntries()), [[5, 3]]);
    assert.equal(log.maybeAppend(4, 2, 5, run(5, 3, 3)), 6);
    assert.equal(log.lastIndex(), 6);
  });

  test('restore: the pending snapshot replaces the log and commits its index', () => {
    const { log } = logWith(run(1, 1, 1, 1));
    log.append(run(4, 2));
    const s = snap(10, 3);
    log.restore(s);
    assert.equal(log.snapshot(), s);
    assert.equal(log.hasPendingSnapshot(), true);
    assert.equal(log.committed, 10);
    assert.equal(log.firstIndex(), 11);
    assert.equal(log.lastIndex(), 10);
    assert.equal(log.lastTerm(), 3);
    assert.deepEqual(log.unstableEntries(), []);
    assert.deepEqual(log.allEntries(), []);
    // the leader continues after the snapshot
    assert.equal(log.maybeAppend(10, 3, 11, run(11, 3)), 11);
    assert.equal(log.committed, 11);
    assert.deepEqual(ids(log.unstableEntries()), [[11, 3]]);
  });

  test('snapshot() falls back to storage when none is pending', () => {
    const { log, storage } = logWith([], 7, 2);
    assert.equal(log.snapshot(), storage.snapshot());
    assert.equal(log.hasPendingSnapshot(), false);
  });

  test('toString names the indexes', () => {
    const { log } = logWith(run(1, 1));
    assert.match(log.toString(), /committed=0, applied=0, unstable.offset=2/);
  });
});

describe('Unstable', () => {
  function unstable(entries: Entry[], offset: number, snapshot?: Snapshot): Unstable {
    const u = new Unstable(offset);
    u.entries = entries;
    u.snapshot = snapshot;
    return u;
  }

  test('maybeFirstIndex: known only with a pending snapshot', () => {
    assert.equal(unstable(run(5, 1), 5).maybeFirstIndex(), undefined);
    assert.equal(unstable([], 0).maybeFirstIndex(), undefined);
    assert.equal(unstable(run(5, 1), 5, snap(4, 1)).maybeFirstIndex(), 5);
    assert.equal(unstable([], 5, snap(4, 1)).maybeFirstIndex(), 5);
  });

  test('maybeLastIndex: last entry, else the snapshot index', () => {
    assert.equal(unstable(run(5, 1), 5).maybeLastIndex(), 5);
    assert.equal(unstable(run(5, 1), 5, snap(4, 1)).maybeLastIndex(), 5);
    assert.equal(unstable([], 5, snap(4, 1)).maybeLastIndex(), 4);
    assert.equal(unstable([], 0).maybeLastIndex(), undefined);
  });

  test('maybeTerm', () => {
    // [entries, offset, snapshot, index, want]
    const cases: [Entry[], number, Snapshot | undefined, number, number | undefined][] = [
      [run(5, 1), 5, undefined, 5, 1],
      [run(5, 1), 5, undefined, 6, undefined],
      [run(5, 1), 5, undefined, 4, undefined],
      [run(5, 1), 5, snap(4, 1), 5, 1],
      [run(5, 1), 5, snap(4, 1), 6, undefined],
      [run(5, 1), 5, snap(4, 1), 4, 1],
      [run(5, 1), 5, snap(4, 1), 3, undefined],
      [[], 5, snap(4, 1), 5, undefined],
      [[], 5, snap(4, 1), 4, 1],
      [[], 0, undefined, 5, undefined],
    ];
    for (const [ents, offset, s, i, want] of cases) {
      assert.equal(unstable(ents, offset, s).maybeTerm(i), want, `maybeTerm(${i}) over ${JSON.stringify(ids(ents))}`);
    }
  });

  test('restore drops the entries and restarts after the snapshot', () => {
    const u = unstable(run(5, 1), 5, snap(4, 1));
    const s = snap(6, 2);
    u.restore(s);
    assert.equal(u.offset, 7);
    assert.deepEqual(u.entries, []);
    assert.equal(u.snapshot, s);
  });

  test('stableTo', () => {
    // [entries, offset, snapshot, i, t, want offset, want len]
    const cases: [Entry[], number, Snapshot | undefined, number, number, number, number][] = [
      [[], 0, undefined, 5, 1, 0, 0],
      [run(5, 1), 5, undefined, 5, 1, 6, 0],
      [run(5, 1, 1), 5, undefined, 5, 1, 6, 1],
      [run(6, 2), 6, undefined, 6, 1, 6, 1], // term mismatch
      [run(5, 1), 5, undefined, 4, 1, 5, 1], // old entry
      [run(5, 1), 5, undefined, 4, 2, 5, 1], // old entry
      [run(5, 1), 5, snap(4, 1), 5, 1, 6, 0],
      [run(5, 1, 1), 5, snap(4, 1), 5, 1, 6, 1],
      [run(6, 2), 6, snap(5, 1), 6, 1, 6, 1], // term mismatch
      [run(5, 1), 5, snap(4, 1), 4, 1, 5, 1], // the snapshot's index: not an entry
      [run(5, 2), 5, snap(4, 2), 4, 1, 5, 1], // old entry
    ];
    for (const [ents, offset, s, i, t, wantOffset, wantLen] of cases) {
      const u = unstable(ents, offset, s);
      u.stableTo(i, t);
      assert.equal(u.offset, wantOffset, `stableTo(${i}, ${t}) over ${JSON.stringify(ids(ents))}`);
      assert.equal(u.entries.length, wantLen);
    }
  });

  test('truncateAndAppend', () => {
    // [entries, offset, to append, want offset, want entries]
    const cases: [Entry[], number, Entry[], number, [number, number][]][] = [
      [
        run(5, 1),
        5,
        run(6, 1, 1),
        5,
        [
          [5, 1],
          [6, 1],
          [7, 1],
        ],
      ], // append to the end
      [
        run(5, 1),
        5,
        run(5, 2, 2),
        5,
        [
          [5, 2],
          [6, 2],
        ],
      ], // replace all
      [
        run(5, 1),
        5,
        run(4, 2, 2, 2),
        4,
        [
          [4, 2],
          [5, 2],
          [6, 2],
        ],
      ], // replace, reaching into storage
      [
        run(5, 1, 1, 1),
        5,
        run(6, 2),
        5,
        [
          [5, 1],
          [6, 2],
        ],
      ], // truncate and append
      [
        run(5, 1, 1, 1),
        5,
        run(7, 2, 2),
        5,
        [
          [5, 1],
          [6, 1],
          [7, 2],
          [8, 2],
        ],
      ],
    ];
    for (const [ents, offset, add, wantOffset, want] of cases) {
      const u = unstable(ents, offset);
      u.truncateAndAppend(add);
      assert.equal(u.offset, wantOffset);
      assert.deepEqual(ids(u.entries), want);
    }
  });

  test('truncateAndAppend refuses a gap and keeps its own copy of the array', () => {
    const u = unstable(run(5, 1), 5);
    assert.throws(() => u.truncateAndAppend(run(7, 1)), RangeError);
    const batch = run(4, 2, 2);
    u.truncateAndAppend(batch);
    batch.pop();
    assert.equal(u.entries.length, 2);
  });

  test('slice returns a fresh array and checks its bounds', () => {
    const u = unstable(run(5, 1, 1, 1), 5);
    const got = u.slice(5, 7);
    got.push(ent(99, 9));
    assert.equal(u.entries.length, 3);
    assert.throws(() => u.slice(4, 6), RangeError);
    assert.throws(() => u.slice(6, 9), RangeError);
    assert.throws(() => u.slice(7, 6), RangeError);
  });
});
