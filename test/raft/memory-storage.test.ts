import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStorage, SnapshotOutOfDateError } from '../../src/raft/memory-storage.js';
import { ENTRY_OVERHEAD_BYTES } from '../../src/raft/raft-log.js';
import { CompactedError, UnavailableError } from '../../src/raft/storage.js';
import { EntryType, isEmptySnapshot, type Entry } from '../../src/raft/types.js';
import { runStorageContract } from './storage-contract.js';

runStorageContract('MemoryStorage', () => new MemoryStorage());

describe('MemoryStorage bootstrap conf state', () => {
  test('withConfState: initialState reports the bootstrap voters while no snapshot exists', () => {
    const s = MemoryStorage.withConfState({ voters: ['n1', 'n2', 'n3'], learners: [] });
    assert.deepEqual(s.initialState().confState, { voters: ['n1', 'n2', 'n3'], learners: [] });
    assert.ok(isEmptySnapshot(s.snapshot()), 'the bootstrap conf state is not a real snapshot');
    assert.equal(s.firstIndex(), 1);
    assert.equal(s.lastIndex(), 0);
  });

  test('setConfState copies the arrays and may be called again before any snapshot', () => {
    const s = new MemoryStorage();
    const voters = ['n1'];
    s.setConfState({ voters, learners: [] });
    voters.push('n9');
    assert.deepEqual(s.initialState().confState.voters, ['n1']);
    s.append([{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }]);
    s.setConfState({ voters: ['n1', 'n2'], learners: [] });
    assert.deepEqual(s.initialState().confState.voters, ['n1', 'n2']);
  });

  test('a real snapshot replaces the bootstrap conf state, and setConfState is refused afterwards', () => {
    const s = MemoryStorage.withConfState({ voters: ['n1'], learners: [] });
    s.applySnapshot({ metadata: { index: 5, term: 2, confState: { voters: ['n1', 'n2'], learners: [] } }, data: new Uint8Array(0) });
    assert.deepEqual(s.initialState().confState.voters, ['n1', 'n2']);
    assert.throws(() => s.setConfState({ voters: ['n3'], learners: [] }), SnapshotOutOfDateError);
    assert.deepEqual(s.initialState().confState.voters, ['n1', 'n2']);
  });
});

// ---- MemoryStorage against a naive oracle ------------------------------------------------
//
// The oracle keeps every entry it was ever given in a plain array indexed by log index and
// only moves its bounds: it never slices or compacts. `log[first-1]` is the entry (or the
// snapshot marker) whose term must stay answerable.

interface Oracle {
  log: (Entry | undefined)[];
  first: number;
  last: number;
  snapIndex: number;
}

type Op =
  | { readonly kind: 'append'; readonly at: number; readonly terms: readonly number[]; readonly size: number }
  | { readonly kind: 'compact'; readonly at: number }
  | { readonly kind: 'createSnapshot'; readonly at: number }
  | { readonly kind: 'applySnapshot'; readonly ahead: number; readonly term: number };

type Outcome = 'ok' | 'compacted' | 'unavailable' | 'outOfDate';

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      at: fc.integer({ min: -3, max: 2 }), // relative to lastIndex+1
      terms: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 }),
      size: fc.integer({ min: 0, max: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), at: fc.integer({ min: -2, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('createSnapshot' as const), at: fc.integer({ min: -3, max: 1 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('applySnapshot' as const),
      ahead: fc.integer({ min: -2, max: 4 }), // relative to the current snapshot index
      term: fc.integer({ min: 1, max: 5 }),
    }),
  },
);

function oracleTerm(o: Oracle, i: number): number | Outcome {
  if (i < o.first - 1) return 'compacted';
  if (i > o.last) return 'unavailable';
  return o.log[i]?.term ?? 0;
}

/** Applies `op` to both; returns the outcome the oracle expects and the one MemoryStorage produced. */
function step(s: MemoryStorage, o: Oracle, op: Op): [Outcome, Outcome] {
  let want: Outcome = 'ok';
  let act: () => void;
  switch (op.kind) {
    case 'append': {
      const from = Math.max(0, o.last + 1 + op.at);
      const ents = op.terms.map((term, k): Entry => ({
        index: from + k,
        term,
        type: EntryType.Normal,
        data: new Uint8Array(op.size),
      }));
      const kept = ents.filter((e) => e.index >= o.first);
      if (kept.length > 0 && kept[0].index > o.last + 1) want = 'unavailable';
      if (want === 'ok' && kept.length > 0) {
        for (const e of kept) o.log[e.index] = e;
        o.last = kept[kept.length - 1].index;
      }
      act = () => s.append(ents);
      break;
    }
    case 'compact': {
      const at = o.last + op.at;
      if (at < o.first) want = 'compacted';
      else if (at > o.last) want = 'unavailable';
      else o.first = at + 1;
      act = () => s.compact(at);
      break;
    }
    case 'createSnapshot': {
      const at = o.last + op.at;
      if (at <= o.snapIndex) want = 'outOfDate';
      else if (at < o.first - 1) want = 'compacted';
      else if (at > o.last) want = 'unavailable';
      else o.snapIndex = at;
      act = () => s.createSnapshot(at, { voters: ['n1'], learners: [] }, new Uint8Array(0));
      break;
    }
    case 'applySnapshot': {
      const index = Math.max(0, o.snapIndex + op.ahead);
      if (o.snapIndex !== 0 && index <= o.snapIndex) want = 'outOfDate';
      else {
        o.log = [];
        o.log[index] = { index, term: op.term, type: EntryType.Normal, data: new Uint8Array(0) };
        o.first = index + 1;
        o.last = index;
        o.snapIndex = index;
      }
      act = () =>
        s.applySnapshot({ metadata: { index, term: op.term, confState: { voters: ['n1'], learners: [] } }, data: new Uint8Array(0) });
      break;
    }
    default: {
      const never: never = op;
      throw new Error(`unknown op ${JSON.stringify(never)}`);
    }
  }
  return [want, outcome(act)];
}

function outcome(f: () => void): Outcome {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof CompactedError) return 'compacted';
    if (err instanceof UnavailableError) return 'unavailable';
    if (err instanceof SnapshotOutOfDateError) return 'outOfDate';
    throw err;
  }
}

function limitOracle(ents: Entry[], maxBytes: number): Entry[] {
  const out: Entry[] = [];
  let size = 0;
  for (const e of ents) {
    size += e.data.length + ENTRY_OVERHEAD_BYTES;
    if (out.length > 0 && size > maxBytes) break;
    out.push(e);
  }
  return out;
}

function check(s: MemoryStorage, o: Oracle, maxBytes: number): void {
  assert.equal(s.firstIndex(), o.first, 'firstIndex');
  assert.equal(s.lastIndex(), o.last, 'lastIndex');
  assert.equal(s.snapshot().metadata.index, o.snapIndex, 'snapshot index');
  for (let i = Math.max(0, o.first - 3); i <= o.last + 2; i++) {
    const want = oracleTerm(o, i);
    let got: number | Outcome;
    try {
      got = s.term(i);
    } catch (err) {
      got = err instanceof CompactedError ? 'compacted' : err instanceof UnavailableError ? 'unavailable' : 'outOfDate';
    }
    assert.equal(got, want, `term(${i})`);
  }
  const all = o.log.slice(o.first, o.last + 1) as Entry[];
  assert.deepEqual(s.entries(o.first, o.last + 1), all, 'all entries');
  assert.deepEqual(s.entries(o.first, o.last + 1, maxBytes), limitOracle(all, maxBytes), `entries within ${maxBytes} bytes`);
  if (o.first > 1) assert.throws(() => s.entries(o.first - 1, o.last + 1), CompactedError);
}

describe('MemoryStorage against a naive array oracle', () => {
  test('random append / compact / createSnapshot / applySnapshot sequences agree with the oracle', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer({ min: 0, max: 80 }), (ops, maxBytes) => {
        const s = new MemoryStorage();
        const o: Oracle = { log: [], first: 1, last: 0, snapIndex: 0 };
        check(s, o, maxBytes);
        for (const op of ops) {
          const [want, got] = step(s, o, op);
          assert.equal(got, want, `outcome of ${JSON.stringify(op)}`);
          check(s, o, maxBytes);
        }
      }),
      { numRuns: 300 },
    );
  });
});
