// The node's leader, role and membership events (src/server/node-event-publisher.ts): each is
// published once, when it changes, and only after the Readies that can change it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeRole } from '../../src/api/node-port.js';
import type { RawNode } from '../../src/raft/raw-node.js';
import type { Ready } from '../../src/raft/ready.js';
import { EntryType, NONE, StateType, type Entry } from '../../src/raft/types.js';
import { MemberRole } from '../../src/statemachine/membership.js';
import { NodeMetrics } from '../../src/server/metrics.js';
import type { NodeEvent } from '../../src/server/node-events.js';
import { NodeEventPublisher } from '../../src/server/node-event-publisher.js';
import { silent } from './helpers.js';

function publisher() {
  const core = { lead: NONE, term: 1 };
  let role: NodeRole = 'follower';
  const published: NodeEvent[] = [];
  const metrics = new NodeMetrics();
  const p = new NodeEventPublisher({
    raw: { basicStatus: () => core } as unknown as Pick<RawNode, 'basicStatus'>,
    events: { publish: (e) => published.push(e) },
    metrics,
    clock: { monotonicMs: () => 0, wallMs: () => 7 },
    logger: silent,
    role: () => role,
  });
  const setRole = (r: NodeRole): void => {
    role = r;
  };
  return { p, core, setRole, published, metrics };
}

const ready = (parts: Partial<Ready> = {}): Ready => ({
  entries: [],
  committedEntries: [],
  messages: [],
  readStates: [],
  mustSync: false,
  ...parts,
});
const confChange: Entry = { term: 1, index: 5, type: EntryType.ConfChange, data: new Uint8Array() };
const normal: Entry = { term: 1, index: 6, type: EntryType.Normal, data: new Uint8Array() };

test('a new leader is published once and counted; the role with it', () => {
  const { p, core, setRole, published, metrics } = publisher();
  core.lead = 'n2';
  core.term = 2;
  p.afterReady(ready({ softState: { lead: 'n2', state: StateType.Follower } }));
  p.afterReady(ready({ softState: { lead: 'n2', state: StateType.Follower } }));
  assert.deepEqual(published, [{ type: 'leaderChanged', leader: 'n2', term: 2, at: 7 }]);
  assert.equal(metrics.leaderChanges, 1);
  core.lead = 'n1';
  setRole('leader');
  p.afterReady(ready({ softState: { lead: 'n1', state: StateType.Leader } }));
  assert.deepEqual(published.slice(1), [
    { type: 'leaderChanged', leader: 'n1', term: 2, at: 7 },
    { type: 'roleChanged', role: 'leader', term: 2, at: 7 },
  ]);
  assert.equal(metrics.leaderChanges, 2);
});

test('a role changed by a committed membership change or a snapshot is published, without a soft state change', () => {
  const { p, setRole, published } = publisher();
  setRole('learner');
  p.afterReady(ready({ committedEntries: [normal] }));
  assert.deepEqual(published, [], 'only a membership change or a snapshot can make a follower a learner');
  p.afterReady(ready({ committedEntries: [normal, confChange] }));
  assert.deepEqual(published, [{ type: 'roleChanged', role: 'learner', term: 1, at: 7 }]);
  setRole('follower');
  p.afterReady(ready({ snapshot: { data: new Uint8Array(), metadata: { index: 9, term: 1, confState: { voters: [], learners: [] } } } }));
  assert.deepEqual(published.slice(1), [{ type: 'roleChanged', role: 'follower', term: 1, at: 7 }]);
});

test('a membership is published with each member as a voter or not', () => {
  const { p, published } = publisher();
  p.membershipChanged(4, [
    { id: 'n1', address: 'a:1', role: MemberRole.Voter },
    { id: 'n4', address: 'a:4', role: MemberRole.Learner },
  ]);
  assert.deepEqual(published, [
    {
      type: 'membershipChanged',
      members: [
        { id: 'n1', address: 'a:1', voter: true },
        { id: 'n4', address: 'a:4', voter: false },
      ],
      index: 4,
      at: 7,
    },
  ]);
});
