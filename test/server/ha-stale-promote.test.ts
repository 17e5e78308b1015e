// A sequence that ends between the core's step-down and the next tick: the controller still sees
// itself leader of the old term. A promotion it proposes then would be forwarded by the follower
// core to the new leader and supersede that leader's own (seen in a real SIGSTOP/SIGCONT failover:
// the new active demoted "superseded by" the woken node's stale promote record).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalRole } from '../../src/ha/types.js';
import { activeLeader } from './ha-driver-harness.js';

describe('HaDriver: a promotion is proposed only while the core leads in its term', () => {
  test('a demotion that ends after the core stepped down proposes no promotion, only its confirmation', () => {
    const s = activeLeader();
    const epoch = s.driver.controller.heldEpoch;
    // Paused (SIGSTOP) for longer than the controller waits before proposing a promotion again.
    s.advance(2 * s.cfg.ha.timing.outliveMs + s.tickMs);
    s.driver.tick();
    assert.equal(s.runs.at(-1)?.kind, 'demote', 'the lease ran out');
    // A higher term reaches the core while the demote hook runs; no tick and no Ready since.
    Object.assign(s.raft, { state: 'follower', term: s.raft.term + 1, lead: 'n2' });
    const before = s.proposals.length;
    s.finish('demote', epoch);
    assert.equal(s.driver.controller.role, LocalRole.Inactive);
    const proposed = s.proposals.slice(before);
    assert.deepEqual(
      proposed.filter((c) => c.type === 'promote'),
      [],
      'no promotion proposed from a follower',
    );
    assert.ok(
      proposed.some((c) => c.type === 'demoted' && c.holder === 'n1' && c.epoch === epoch),
      `the demotion is confirmed (a follower's proposal is forwarded): ${JSON.stringify(proposed)}`,
    );
  });
});
