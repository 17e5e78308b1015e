import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyConfChange, confStateEqual, voterDelta } from '../../src/raft/conf-change.js';
import { majoritySize } from '../../src/raft/quorum.js';
import { decodeConfChange, encodeConfChange } from '../../src/raft/conf-change-codec.js';
import { ConfChangeError } from '../../src/raft/errors.js';
import { ConfChangeType } from '../../src/raft/types.js';
import type { ConfChange, ConfState } from '../../src/raft/types.js';

const cs = (voters: string[], learners: string[] = []): ConfState => ({ voters, learners });
const cc = (type: ConfChangeType, nodeId: string): ConfChange => ({ type, nodeId });

describe('applyConfChange (single-server membership change)', () => {
  test('AddVoter adds a new voter, sorted', () => {
    assert.deepEqual(applyConfChange(cs(['b', 'd']), cc(ConfChangeType.AddVoter, 'c')), cs(['b', 'c', 'd']));
  });

  test('AddVoter on a learner promotes it', () => {
    assert.deepEqual(applyConfChange(cs(['a'], ['b']), cc(ConfChangeType.AddVoter, 'b')), cs(['a', 'b']));
  });

  test('AddVoter on an existing voter is a no-op', () => {
    assert.deepEqual(applyConfChange(cs(['a', 'b'], ['l']), cc(ConfChangeType.AddVoter, 'a')), cs(['a', 'b'], ['l']));
  });

  test('AddLearner adds a learner; on a voter it demotes', () => {
    assert.deepEqual(applyConfChange(cs(['a']), cc(ConfChangeType.AddLearner, 'l')), cs(['a'], ['l']));
    assert.deepEqual(applyConfChange(cs(['a', 'b']), cc(ConfChangeType.AddLearner, 'b')), cs(['a'], ['b']));
  });

  test('RemoveNode removes a voter or a learner; unknown id is a no-op', () => {
    assert.deepEqual(applyConfChange(cs(['a', 'b'], ['l']), cc(ConfChangeType.RemoveNode, 'b')), cs(['a'], ['l']));
    assert.deepEqual(applyConfChange(cs(['a', 'b'], ['l']), cc(ConfChangeType.RemoveNode, 'l')), cs(['a', 'b']));
    assert.deepEqual(applyConfChange(cs(['a', 'b'], ['l']), cc(ConfChangeType.RemoveNode, 'zz')), cs(['a', 'b'], ['l']));
  });

  test('the last voter cannot be removed or demoted', () => {
    assert.throws(() => applyConfChange(cs(['a']), cc(ConfChangeType.RemoveNode, 'a')), ConfChangeError);
    assert.throws(() => applyConfChange(cs(['a']), cc(ConfChangeType.AddLearner, 'a')), ConfChangeError);
    assert.throws(() => applyConfChange(cs([]), cc(ConfChangeType.AddLearner, 'l')), ConfChangeError);
  });

  test('the first voter of an empty config can be added', () => {
    assert.deepEqual(applyConfChange(cs([]), cc(ConfChangeType.AddVoter, 'a')), cs(['a']));
  });

  test('the empty node id is rejected', () => {
    assert.throws(() => applyConfChange(cs(['a']), cc(ConfChangeType.AddVoter, '')), ConfChangeError);
  });

  test('the input is not mutated', () => {
    const before = cs(['a', 'b'], ['l']);
    const frozen = { voters: Object.freeze([...before.voters]), learners: Object.freeze([...before.learners]) };
    applyConfChange(frozen, cc(ConfChangeType.AddVoter, 'l'));
    assert.deepEqual(frozen, before);
  });

  test('property: any sequence of single changes keeps the invariants and changes at most one voter', () => {
    const change = fc.record({
      type: fc.constantFrom(...Object.values(ConfChangeType)),
      nodeId: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5', 'n6'),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
        let conf = cs(['n1']);
        for (const c of changes) {
          let next: ConfState;
          try {
            next = applyConfChange(conf, c);
          } catch (err) {
            assert.ok(err instanceof ConfChangeError);
            // Only refused when it would leave no voters.
            assert.deepEqual(conf.voters, [c.nodeId]);
            continue;
          }
          assert.ok(next.voters.length > 0);
          assert.deepEqual([...next.voters], [...new Set(next.voters)].sort());
          assert.deepEqual([...next.learners], [...new Set(next.learners)].sort());
          assert.ok(next.voters.every((id) => !next.learners.includes(id)));
          assert.ok(voterDelta(conf, next) <= 1);
          // Single-server changes: any majority of the old voters intersects any majority
          // of the new ones, so two leaders cannot be elected in one term (thesis §4.1).
          const union = new Set([...conf.voters, ...next.voters]).size;
          assert.ok(majoritySize(conf.voters.length) + majoritySize(next.voters.length) > union);
          conf = next;
        }
      }),
    );
  });
});

describe('voterDelta and confStateEqual', () => {
  test('voterDelta counts the symmetric difference of voters only', () => {
    assert.equal(voterDelta(cs(['a', 'b']), cs(['b', 'a'])), 0);
    assert.equal(voterDelta(cs(['a', 'b']), cs(['a', 'c'])), 2);
    assert.equal(voterDelta(cs(['a'], ['l']), cs(['a', 'l'])), 1);
  });

  test('confStateEqual ignores order', () => {
    assert.equal(confStateEqual(cs(['b', 'a'], ['l']), cs(['a', 'b'], ['l'])), true);
    assert.equal(confStateEqual(cs(['a'], ['b']), cs(['a', 'b'])), false);
    assert.equal(confStateEqual(cs(['a']), cs(['a'], ['l'])), false);
  });
});

describe('conf change codec', () => {
  test('round-trips with and without context', () => {
    const a: ConfChange = { type: ConfChangeType.AddVoter, nodeId: 'n4', context: '10.0.0.4:7000' };
    const b: ConfChange = { type: ConfChangeType.RemoveNode, nodeId: 'n2' };
    assert.deepEqual(decodeConfChange(encodeConfChange(a)), a);
    assert.deepEqual(decodeConfChange(encodeConfChange(b)), b);
    assert.equal('context' in decodeConfChange(encodeConfChange(b)), false);
  });

  test('encoding is deterministic', () => {
    const a: ConfChange = { context: 'x', nodeId: 'n1', type: ConfChangeType.AddLearner };
    const b: ConfChange = { type: ConfChangeType.AddLearner, nodeId: 'n1', context: 'x' };
    assert.deepEqual(encodeConfChange(a), encodeConfChange(b));
  });

  test('property: decode(encode(cc)) = cc', () => {
    const arb = fc.record(
      {
        type: fc.constantFrom(...Object.values(ConfChangeType)),
        nodeId: fc.string({ unit: 'grapheme' }),
        context: fc.string({ unit: 'grapheme' }),
      },
      { requiredKeys: ['type', 'nodeId'] },
    );
    fc.assert(fc.property(arb, (c) => assert.deepEqual(decodeConfChange(encodeConfChange(c)), { ...c })));
  });

  test('garbage throws ConfChangeError', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    for (const bad of [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xfe]),
      enc('not json'),
      enc('null'),
      enc('[]'),
      enc('{"t":"addVoter"}'),
      enc('{"t":"bogus","n":"a"}'),
      enc('{"t":"addVoter","n":1}'),
      enc('{"t":"addVoter","n":"a","c":5}'),
      enc('{"t":"addVoter","n":"a","x":1}'),
    ]) {
      assert.throws(() => decodeConfChange(bad), ConfChangeError);
    }
  });

  test('property: arbitrary bytes either decode to a valid change or throw ConfChangeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const c = decodeConfChange(bytes);
          assert.ok(Object.values(ConfChangeType).includes(c.type));
        } catch (err) {
          assert.ok(err instanceof ConfChangeError);
        }
      }),
    );
  });
});
