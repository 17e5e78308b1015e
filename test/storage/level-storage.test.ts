import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { MemoryStorage, SnapshotOutOfDateError, type WritableStorage } from '../../src/raft/memory-storage.js';
import { CompactedError, UnavailableError } from '../../src/raft/storage.js';
import { EntryType, type Entry } from '../../src/raft/types.js';
import { StorageClosedError } from '../../src/storage/errors.js';
import { LogCache } from '../../src/storage/log-cache.js';
import { LevelStorage, openLevelStorage } from '../../src/storage/level-storage.js';
import { runStorageContract } from '../raft/storage-contract.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
const opened: LevelStorage[] = [];
let dirs = 0;

async function fresh(name = `d${dirs++}`): Promise<LevelStorage> {
  const s = await LevelStorage.open({ dataDir: join(temp.root, name), clusterId: 'c1', nodeId: 'n1' });
  opened.push(s);
  return s;
}

async function reopen(s: LevelStorage): Promise<LevelStorage> {
  await s.close();
  const again = await LevelStorage.open({ dataDir: s.dataDir, clusterId: 'c1', nodeId: 'n1' });
  opened.push(again);
  return again;
}

after(async () => {
  for (const s of opened) await s.close().catch(() => {});
  await temp.cleanup();
});

runStorageContract('LogCache (the in-memory view in front of LevelDB)', () => new LogCache());
runStorageContract('LevelStorage', () => fresh());

function ent(index: number, term: number, data: number[] = []): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(data) };
}

describe('LevelStorage durability', () => {
  test('reopen after close returns the same hard state, snapshot, log bounds and entries', async () => {
    let s = await fresh();
    s.setConfState({ voters: ['n1', 'n2', 'n3'], learners: [] });
    await s.persistReady({
      entries: [ent(1, 1, [1]), { index: 2, term: 1, type: EntryType.ConfChange, data: new Uint8Array([7, 7]) }, ent(3, 2)],
      hardState: { term: 2, vote: 'n2', commit: 2 },
      mustSync: true,
    });
    s = await reopen(s);
    assert.deepEqual(s.initialState(), {
      hardState: { term: 2, vote: 'n2', commit: 2 },
      confState: { voters: ['n1', 'n2', 'n3'], learners: [] },
    });
    assert.equal(s.firstIndex(), 1);
    assert.equal(s.lastIndex(), 3);
    assert.deepEqual(s.entries(1, 4), [
      ent(1, 1, [1]),
      { index: 2, term: 1, type: EntryType.ConfChange, data: new Uint8Array([7, 7]) },
      ent(3, 2),
    ]);

    s.createSnapshot(2, { voters: ['n1', 'n2'], learners: ['n4'] }, new Uint8Array([42]));
    s.compact(2);
    s = await reopen(s); // close() writes what is staged
    assert.equal(s.firstIndex(), 3);
    assert.equal(s.term(2), 1, 'term(firstIndex-1) survives a restart (§5.3 consistency check)');
    assert.deepEqual(s.snapshot(), {
      metadata: { index: 2, term: 1, confState: { voters: ['n1', 'n2'], learners: ['n4'] } },
      data: new Uint8Array([42]),
    });

    await s.persistReady({
      snapshot: { metadata: { index: 9, term: 4, confState: { voters: ['n1'], learners: [] } }, data: new Uint8Array([9]) },
      entries: [ent(10, 4)],
      hardState: { term: 4, vote: '', commit: 9 },
      mustSync: true,
    });
    s = await reopen(s);
    assert.equal(s.firstIndex(), 10);
    assert.equal(s.lastIndex(), 10);
    assert.equal(s.term(9), 4);
    assert.deepEqual(s.initialState().hardState, { term: 4, vote: '', commit: 9 });
  });

  test('persistReady turns one Ready into one batch, staged before the promise settles', async () => {
    const s = await fresh();
    const p = s.persistReady({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: 'n1', commit: 1 }, mustSync: true });
    // The core's view changes at once; the disk write is what the promise waits for.
    assert.equal(s.lastIndex(), 2);
    assert.equal(s.stagedWrites, 0, 'handed to LevelDB as one batch');
    await p;
  });

  test('a commit-only Ready is held for the next batch (one staged op, the latest), and close() writes it', async () => {
    let s = await fresh();
    await s.persistReady({ entries: [ent(1, 1), ent(2, 1), ent(3, 1)], hardState: { term: 1, vote: 'n1', commit: 0 }, mustSync: true });
    await s.persistReady({ entries: [], hardState: { term: 1, vote: 'n1', commit: 1 }, mustSync: false });
    await s.persistReady({ entries: [], hardState: { term: 1, vote: 'n1', commit: 2 }, mustSync: false });
    assert.equal(s.stagedWrites, 1, 'no write of its own; only the latest hard state is kept');
    assert.deepEqual(s.initialState().hardState, { term: 1, vote: 'n1', commit: 2 }, 'the view has it at once');

    // The next Ready's batch carries it, even when that Ready has no hard state of its own.
    await s.persistReady({ entries: [ent(4, 1)], mustSync: true });
    assert.equal(s.stagedWrites, 0);
    s = await reopen(s);
    assert.deepEqual(s.initialState().hardState, { term: 1, vote: 'n1', commit: 2 });
    assert.equal(s.lastIndex(), 4);

    await s.persistReady({ entries: [], hardState: { term: 1, vote: 'n1', commit: 4 }, mustSync: false });
    s = await reopen(s);
    assert.deepEqual(s.initialState().hardState, { term: 1, vote: 'n1', commit: 4 }, 'close() writes a held hard state');
  });

  test('a commit-only Ready is written at once when other mutations are staged (they must be synced)', async () => {
    const s = await fresh();
    await s.persistReady({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: 'n1', commit: 2 }, mustSync: true });
    s.createSnapshot(2, { voters: ['n1'], learners: [] }, new Uint8Array([5]));
    await s.persistReady({ entries: [], hardState: { term: 1, vote: 'n1', commit: 2 }, mustSync: false });
    assert.equal(s.stagedWrites, 0, 'the snapshot went out with it');
  });

  test('flushes settle in order and a flush waits for earlier batches', async () => {
    const s = await fresh();
    const order: number[] = [];
    const writes = [1, 2, 3].map((i) => s.persistReady({ entries: [ent(i, 1)], mustSync: true }).then(() => order.push(i)));
    await s.flush();
    assert.deepEqual(order, [1, 2, 3]);
    await Promise.all(writes);
  });

  test('a closed storage refuses writes and says so', async () => {
    const s = await fresh();
    await s.close();
    assert.throws(() => s.append([ent(1, 1)]), StorageClosedError);
    await assert.rejects(s.flush(), StorageClosedError);
    await s.close(); // idempotent
  });

  test('openLevelStorage is the factory: it hands out the DurableStorage interface', async () => {
    const { root, cleanup } = await makeTempRoot();
    try {
      const s = await openLevelStorage({ dataDir: join(root, 'x'), clusterId: 'c', nodeId: 'n' });
      assert.equal(s.dataDir, join(root, 'x'));
      await s.close();
    } finally {
      await cleanup();
    }
  });
});

// ---- LevelStorage against MemoryStorage, with restarts in between -------------------------

type Op =
  | { readonly kind: 'append'; readonly at: number; readonly terms: readonly number[]; readonly size: number }
  | { readonly kind: 'compact'; readonly at: number }
  | { readonly kind: 'createSnapshot'; readonly at: number }
  | { readonly kind: 'applySnapshot'; readonly ahead: number; readonly term: number }
  | { readonly kind: 'hardState'; readonly term: number; readonly vote: string }
  | { readonly kind: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.integer({ min: -3, max: 1 }), fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }), fc.integer({ min: 0, max: 4 }))
      .map(([at, terms, size]) => ({ kind: 'append' as const, at, terms, size })),
  },
  { weight: 2, arbitrary: fc.integer({ min: -2, max: 1 }).map((at) => ({ kind: 'compact' as const, at })) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 1 }).map((at) => ({ kind: 'createSnapshot' as const, at })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: 1, max: 5 }))
      .map(([ahead, term]) => ({ kind: 'applySnapshot' as const, ahead, term })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom('', 'n1', 'n2'))
      .map(([term, vote]) => ({ kind: 'hardState' as const, term, vote })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof CompactedError || err instanceof UnavailableError || err instanceof SnapshotOutOfDateError) return err.code;
    throw err;
  }
}

/** The op made concrete against the reference's current state, so both storages get the same call. */
function concrete(ref: MemoryStorage, op: Exclude<Op, { kind: 'reopen' }>): (s: WritableStorage) => unknown {
  switch (op.kind) {
    case 'append': {
      const from = Math.max(0, ref.lastIndex() + 1 + op.at);
      const ents = op.terms.map((t, k) => ent(from + k, t, Array<number>(op.size).fill((from + k) & 0xff)));
      return (s) => s.append(ents);
    }
    case 'compact': {
      const at = ref.lastIndex() + op.at;
      return (s) => s.compact(at);
    }
    case 'createSnapshot': {
      const at = ref.lastIndex() + op.at;
      return (s) => s.createSnapshot(at, { voters: ['n1'], learners: [`l${at}`] }, new Uint8Array([at & 0xff]));
    }
    case 'applySnapshot': {
      const index = Math.max(0, ref.snapshot().metadata.index + op.ahead);
      const snap = {
        metadata: { index, term: op.term, confState: { voters: ['n2'], learners: [] } },
        data: new Uint8Array([index & 0xff]),
      };
      return (s) => s.applySnapshot(snap);
    }
    case 'hardState':
      // commit 0: a restart checks commit ≤ lastIndex, which Raft keeps but random ops do not.
      return (s) => s.setHardState({ term: op.term, vote: op.vote, commit: 0 });
    default: {
      const never: never = op;
      throw new Error(`unknown op ${JSON.stringify(never)}`);
    }
  }
}

function sameView(s: WritableStorage, ref: MemoryStorage): void {
  assert.equal(s.firstIndex(), ref.firstIndex(), 'firstIndex');
  assert.equal(s.lastIndex(), ref.lastIndex(), 'lastIndex');
  assert.deepEqual(s.initialState(), ref.initialState(), 'initialState');
  assert.deepEqual(s.snapshot(), ref.snapshot(), 'snapshot');
  assert.equal(s.term(ref.firstIndex() - 1), ref.term(ref.firstIndex() - 1), 'term(firstIndex-1)');
  assert.deepEqual(s.entries(ref.firstIndex(), ref.lastIndex() + 1), ref.entries(ref.firstIndex(), ref.lastIndex() + 1), 'entries');
}

describe('LevelStorage against MemoryStorage across restarts', () => {
  test('random mutations with close/reopen in between: every reopened store shows the reference view', async () => {
    const root = await mkdtemp(join(temp.root, 'diff-'));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
        let s = await LevelStorage.open({ dataDir: join(root, `r${run++}`), clusterId: 'c1', nodeId: 'n1' });
        try {
          const ref = new MemoryStorage();
          for (const op of ops) {
            if (op.kind === 'reopen') {
              await s.close();
              s = await LevelStorage.open({ dataDir: s.dataDir, clusterId: 'c1', nodeId: 'n1' });
            } else {
              const call = concrete(ref, op);
              assert.equal(
                outcome(() => call(s)),
                outcome(() => call(ref)),
                `outcome of ${JSON.stringify(op)}`,
              );
            }
            sameView(s, ref);
          }
          await s.close();
          s = await LevelStorage.open({ dataDir: s.dataDir, clusterId: 'c1', nodeId: 'n1' });
          sameView(s, ref);
        } finally {
          await s.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
