// /replica (HaDriver.isReplica) on a node whose promote or demote hook has not finished: its
// service may still be the primary it was, so it is no replica yet. The hooks here end only when
// the test says so (ha-driver-harness.ts), so the order is checked, not a race: a restarted node
// answered /replica 200 while its start-up demote hook still ran (a process-test flake at load 11).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalRole } from '../../src/ha/types.js';
import { activeLeader, setup } from './ha-driver-harness.js';

test('a follower is no replica until its start-up demote hook has finished', () => {
  const s = setup();
  Object.assign(s.raft, { state: 'follower', lead: 'n2' });
  s.driver.start();
  assert.equal(s.runs.at(-1)?.kind, 'demote', 'the start-up demotion runs');
  assert.equal(s.driver.controller.role, LocalRole.Demoting);
  assert.equal(s.driver.isReplica(), false, 'still demoting at start-up');
  assert.equal(s.driver.isPrimary(), false);
  s.advance(5000);
  s.driver.tick();
  assert.equal(s.driver.isReplica(), false, 'however long the hook takes');
  s.finish('demote', 0);
  assert.equal(s.driver.isReplica(), true, 'a replica once the hook has finished');
});

test('an active leader that loses leadership is no replica until its demote hook has finished', () => {
  const s = activeLeader();
  assert.equal(s.driver.isReplica(), false, 'the active node');
  Object.assign(s.raft, { state: 'follower', lead: 'n2', term: 3 });
  // Before the driver has looked: still active in its own eyes, the service still primary.
  assert.equal(s.driver.isReplica(), false, 'holding the role');
  s.driver.tick();
  const demote = s.runs.at(-1)!;
  assert.equal(demote.kind, 'demote');
  assert.equal(s.driver.isReplica(), false, 'demoting');
  assert.equal(s.driver.isPrimary(), false);
  s.finish('demote', demote.epoch);
  assert.equal(s.driver.isReplica(), true);
});
