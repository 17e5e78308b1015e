import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StateMachine, type StateMachineOptions } from '../../src/statemachine/state-machine.js';
import { ApplyOrderError } from '../../src/statemachine/errors.js';
import { encodeConfChange } from '../../src/raft/conf-change-codec.js';
import { EntryType, type Entry } from '../../src/raft/types.js';
import { entriesOf, log } from './arbitraries.js';

// Small bounds so that random logs exercise every eviction path.
const SMALL: StateMachineOptions = {
  history: { maxEvents: 5, maxBytes: 200 },
  dedup: { perClient: 2, maxClients: 2 },
  clusterEvents: 3,
};

const normal = (index: number, data: Uint8Array): Entry => ({ index, term: 1, type: EntryType.Normal, data });

describe('StateMachine.apply', () => {
  test('applies Normal commands and ConfChange entries, tracking the applied index and term', () => {
    const sm = StateMachine.create();
    const entries = [
      ...entriesOf([
        { type: 'bootstrap', clusterId: 'c1', members: [{ id: 'n1', address: 'h1:7000', role: 'voter' }] },
        { type: 'put', key: 'config/a', value: '1' },
      ]),
      { index: 3, term: 2, type: EntryType.ConfChange, data: encodeConfChange({ type: 'addLearner', nodeId: 'n2', context: 'h2:7000' }) },
    ];
    const results = entries.map((e) => sm.apply(e));
    assert.deepEqual(results[0], { kind: 'command', index: 1, outcome: { type: 'bootstrap', clusterId: 'c1' }, duplicate: false });
    assert.deepEqual(results[2], {
      kind: 'confChange',
      index: 3,
      change: { type: 'addLearner', nodeId: 'n2', context: 'h2:7000' },
      confState: { voters: ['n1'], learners: ['n2'] },
    });
    assert.equal(sm.appliedIndex, 3);
    assert.equal(sm.appliedTerm, 2);
    assert.equal(sm.clusterId, 'c1');
    assert.deepEqual(sm.members(), [
      { id: 'n1', address: 'h1:7000', role: 'voter' },
      { id: 'n2', address: 'h2:7000', role: 'learner' },
    ]);
    assert.equal(sm.get('config/a')?.value, '1');
  });

  test("a new leader's empty no-op entry is a noop", () => {
    const sm = StateMachine.create();
    assert.deepEqual(sm.apply(normal(1, new Uint8Array(0))), { kind: 'command', index: 1, outcome: { type: 'noop' }, duplicate: false });
  });

  test('garbage entry data is a recorded rejection, not a crash, and the log moves on', () => {
    const sm = StateMachine.create();
    const r1 = sm.apply(normal(1, new Uint8Array([0xde, 0xad])));
    assert.equal(r1.kind, 'rejected');
    assert.equal(r1.kind === 'rejected' && r1.code, 'SM_COMMAND_UNDECODABLE');
    const r2 = sm.apply({ index: 2, term: 1, type: EntryType.ConfChange, data: new Uint8Array([1, 2, 3]) });
    assert.equal(r2.kind === 'rejected' && r2.code, 'RAFT_CONF_CHANGE_INVALID');
    assert.equal(sm.rejectionStats.count, 2);
    assert.equal(sm.rejectionStats.lastIndex, 2);
    assert.equal(sm.appliedIndex, 2);
    assert.deepEqual(sm.apply(entriesOf([{ type: 'put', key: 'k', value: 'v' }], 3)[0]).kind, 'command');
  });

  test('a second bootstrap is rejected', () => {
    const sm = StateMachine.create();
    const b = { type: 'bootstrap', clusterId: 'c', members: [{ id: 'n1', address: '', role: 'voter' }] } as const;
    const [, second] = entriesOf([b, b]).map((e) => sm.apply(e));
    assert.equal(second?.kind === 'rejected' && second.code, 'SM_BOOTSTRAP_REJECTED');
  });

  test('entries must come in order, exactly once (ApplyOrderError)', () => {
    const sm = StateMachine.create();
    assert.throws(() => sm.apply(normal(2, new Uint8Array(0))), ApplyOrderError);
    sm.apply(normal(1, new Uint8Array(0)));
    assert.throws(
      () => sm.apply(normal(1, new Uint8Array(0))),
      (e: unknown) => e instanceof ApplyOrderError && e.expected === 2 && e.got === 1,
    );
  });

  test('cluster events are numbered and bounded', () => {
    const sm = StateMachine.create({ clusterEvents: 2 });
    const ev = (at: number) => ({ type: 'recordEvent', event: { kind: 'election', at, nodeId: 'n1', term: 1, detail: '' } }) as const;
    entriesOf([ev(10), ev(20), ev(30)]).forEach((e) => sm.apply(e));
    assert.deepEqual(
      sm.clusterEventLog().map((e) => [e.seq, e.at]),
      [
        [2, 20],
        [3, 30],
      ],
    );
    assert.deepEqual(
      sm.clusterEventLog(2).map((e) => e.seq),
      [3],
    );
  });
});

describe('§7 snapshots: restore(snapshot at i) then apply the rest == apply everything', () => {
  const check = (options: StateMachineOptions) =>
    fc.property(log, fc.nat(), (entries, cut) => {
      const at = entries.length === 0 ? 0 : cut % (entries.length + 1);
      const full = StateMachine.create(options);
      const fullResults = entries.map((e) => full.apply(e));

      const prefix = StateMachine.create(options);
      entries.slice(0, at).forEach((e) => prefix.apply(e));
      const restored = StateMachine.restore(prefix.snapshot(), options);
      assert.deepEqual(restored.snapshot(), prefix.snapshot(), 'restore is lossless');
      const restResults = entries.slice(at).map((e) => restored.apply(e));

      assert.deepEqual(restResults, fullResults.slice(at), 'same results for the rest of the log');
      // The snapshot is a canonical dump: equal bytes, equal state.
      assert.deepEqual(restored.snapshot(), full.snapshot());
      assert.equal(restored.appliedIndex, full.appliedIndex);
      assert.deepEqual(restored.list(), full.list());
      assert.deepEqual(restored.members(), full.members());
      assert.equal(restored.oldestRevision, full.oldestRevision);
    });

  test('default bounds', () => {
    fc.assert(check({}), { numRuns: 200 });
  });

  test('tiny bounds (history, dedup and event ring all evicting)', () => {
    fc.assert(check(SMALL), { numRuns: 200 });
  });

  test('restoring again and again along the log (a node that keeps installing snapshots) changes nothing', () => {
    fc.assert(
      fc.property(log, fc.array(fc.boolean(), { maxLength: 60 }), (entries, restoreAfter) => {
        const straight = StateMachine.create(SMALL);
        let hopping = StateMachine.create(SMALL);
        entries.forEach((e, i) => {
          assert.deepEqual(hopping.apply(e), straight.apply(e));
          if (restoreAfter[i]) hopping = StateMachine.restore(hopping.snapshot(), SMALL);
        });
        assert.deepEqual(hopping.snapshot(), straight.snapshot());
      }),
    );
  });
});
