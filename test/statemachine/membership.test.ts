import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Membership } from '../../src/statemachine/membership.js';
import { applyConfChange } from '../../src/raft/conf-change.js';
import { ConfChangeError } from '../../src/raft/errors.js';
import { ConfChangeType, type ConfChange, type ConfState } from '../../src/raft/types.js';

const boot = (m: Membership) =>
  m.bootstrap('prod-1', [
    { id: 'n1', address: '10.0.0.1:7000', role: 'voter' },
    { id: 'n2', address: '10.0.0.2:7000', role: 'voter' },
  ]);

describe('Membership', () => {
  test('bootstrap records the cluster id and initial members, once', () => {
    const m = new Membership();
    assert.equal(m.clusterId, '');
    assert.equal(boot(m), undefined);
    assert.equal(m.clusterId, 'prod-1');
    assert.deepEqual(m.confState(), { voters: ['n1', 'n2'], learners: [] });
    assert.match(boot(m) ?? '', /already bootstrapped as prod-1/);
  });

  test('bootstrap refuses duplicate ids and a voterless member list', () => {
    assert.match(new Membership().bootstrap('c', [{ id: 'n1', address: '', role: 'learner' }]) ?? '', /at least one voter/);
    const dup = { id: 'n1', address: '', role: 'voter' } as const;
    assert.match(new Membership().bootstrap('c', [dup, dup]) ?? '', /listed twice/);
  });

  test('after ConfChange-built membership, bootstrap may only record the id', () => {
    const m = new Membership();
    m.applyConfChange({ type: 'addVoter', nodeId: 'n1', context: 'h1:7000' });
    assert.match(boot(m) ?? '', /already known from membership changes/);
    assert.equal(m.bootstrap('prod-1', []), undefined);
    assert.equal(m.clusterId, 'prod-1');
    assert.deepEqual(m.members(), [{ id: 'n1', address: 'h1:7000', role: 'voter' }]);
  });

  test('§6 (single-server): add a learner with its address, promote it, remove a voter', () => {
    const m = new Membership();
    boot(m);
    assert.equal(m.applyConfChange({ type: 'addLearner', nodeId: 'n3', context: '10.0.0.3:7000' }).kind, 'applied');
    assert.deepEqual(m.get('n3'), { id: 'n3', address: '10.0.0.3:7000', role: 'learner' });
    m.applyConfChange({ type: 'addVoter', nodeId: 'n3' }); // no context: keeps the address
    assert.deepEqual(m.get('n3'), { id: 'n3', address: '10.0.0.3:7000', role: 'voter' });
    m.applyConfChange({ type: 'removeNode', nodeId: 'n1' });
    assert.deepEqual(
      m.members().map((x) => x.id),
      ['n2', 'n3'],
    );
  });

  test('a change the Raft core would skip (removing the last voter) is rejected, state unchanged', () => {
    const m = new Membership();
    m.bootstrap('c', [{ id: 'n1', address: 'a', role: 'voter' }]);
    const r = m.applyConfChange({ type: 'removeNode', nodeId: 'n1' });
    assert.equal(r.kind, 'rejected');
    assert.deepEqual(m.confState(), { voters: ['n1'], learners: [] });
  });

  test('property: the table always agrees with the core ConfState for the same changes', () => {
    const cc: fc.Arbitrary<ConfChange> = fc
      .record({ type: fc.constantFrom(...Object.values(ConfChangeType)), nodeId: fc.constantFrom('n1', 'n2', 'n3', 'n4') })
      .map((c) => ({ ...c }));
    fc.assert(
      fc.property(fc.array(cc, { maxLength: 30 }), (changes) => {
        const m = new Membership();
        boot(m);
        let core: ConfState = { voters: ['n1', 'n2'], learners: [] };
        for (const c of changes) {
          try {
            core = applyConfChange(core, c);
          } catch (e) {
            assert.ok(e instanceof ConfChangeError); // the core skips it
          }
          m.applyConfChange(c);
          assert.deepEqual(m.confState(), core);
        }
      }),
    );
  });
});
