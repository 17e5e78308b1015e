// The Ready contract of RawNode (src/raft/ready.ts): what a Ready holds and when, advance(),
// and restarting from what was persisted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import { Raft } from '../../src/raft/raft.js';
import { RawNode } from '../../src/raft/raw-node.js';
import type { Ready } from '../../src/raft/ready.js';
import { seededRng } from '../../src/raft/rng.js';
import { ConfChangeType, EntryType, StateType, type NodeId } from '../../src/raft/types.js';
import { Harness } from './harness.js';

const text = (s: string) => new TextEncoder().encode(s);

function rawNode(id: NodeId, voters: NodeId[], storage = MemoryStorage.withConfState({ voters, learners: [] }), applied?: number): RawNode {
  return withCore(id, voters, storage, applied).node;
}

/** A RawNode and the core inside it, for tests that set the core's fields by hand. */
function withCore(id: NodeId, voters: NodeId[], storage = MemoryStorage.withConfState({ voters, learners: [] }), applied?: number) {
  const core = new Raft({
    id,
    electionTick: 10,
    heartbeatTick: 1,
    storage,
    rng: seededRng(7),
    preVote: false,
    ...(applied !== undefined ? { applied } : {}),
  });
  return { node: new RawNode(core), core };
}

/** Execute a Ready the way the contract says (persist, then advance) and return it. */
function handle(node: RawNode, storage: MemoryStorage): Ready {
  const rd = node.ready();
  if (rd.snapshot) storage.applySnapshot(rd.snapshot);
  storage.append(rd.entries);
  if (rd.hardState) storage.setHardState(rd.hardState);
  node.advance(rd);
  return rd;
}

describe('RawNode Ready contents', () => {
  test('a single voter campaigning: role, hard state, its no-op to persist and to apply, in one Ready', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a'], learners: [] });
    const node = rawNode('a', ['a'], storage);
    assert.equal(node.hasReady(), false, 'nothing happened yet');
    node.campaign();
    assert.equal(node.hasReady(), true);
    const rd = handle(node, storage);
    assert.deepEqual(rd.softState, { lead: 'a', state: StateType.Leader });
    assert.deepEqual(rd.hardState, { term: 1, vote: 'a', commit: 1 });
    assert.deepEqual(
      rd.entries.map((e) => [e.index, e.term, e.type]),
      [[1, 1, EntryType.Normal]],
    );
    // Committed entries may include entries of this same Ready: they are persisted first.
    assert.deepEqual(
      rd.committedEntries.map((e) => e.index),
      [1],
    );
    assert.deepEqual(rd.messages, []);
    assert.equal(rd.mustSync, true);
    assert.equal(node.hasReady(), false);
  });

  test('hardState and softState appear only when they changed', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a'], learners: [] });
    const node = rawNode('a', ['a'], storage);
    node.campaign();
    handle(node, storage);
    node.propose(text('x'));
    const rd = handle(node, storage);
    assert.equal(rd.softState, undefined, 'still leader');
    assert.deepEqual(rd.hardState, { term: 1, vote: 'a', commit: 2 }, 'commit moved');
    assert.deepEqual(
      rd.entries.map((e) => new TextDecoder().decode(e.data)),
      ['x'],
    );
    assert.deepEqual(
      rd.committedEntries.map((e) => e.index),
      [2],
    );
    node.readIndex('r');
    const rd2 = handle(node, storage);
    assert.equal(rd2.hardState, undefined);
    assert.equal(rd2.softState, undefined);
    assert.deepEqual(rd2.entries, []);
    assert.deepEqual(rd2.readStates, [{ index: 2, context: 'r' }]);
    assert.equal(rd2.mustSync, false);
  });

  test('hasReady sees a change of term, vote or commit alone (compared in place, field by field)', () => {
    // In a real run such a change always comes with messages or entries; set the fields by hand
    // so that each one is the only change hasReady can see.
    const storage = MemoryStorage.withConfState({ voters: ['a'], learners: [] });
    const { node, core: r } = withCore('a', ['a'], storage);
    node.campaign();
    handle(node, storage);
    assert.equal(node.hasReady(), false);
    const before = { term: r.term, vote: r.vote, commit: r.raftLog.committed };
    r.term += 1;
    assert.equal(node.hasReady(), true, 'term');
    r.term = before.term;
    r.vote = 'b';
    assert.equal(node.hasReady(), true, 'vote');
    r.vote = before.vote;
    r.raftLog.committed = before.commit - 1;
    assert.equal(node.hasReady(), true, 'commit');
    r.raftLog.committed = before.commit;
    assert.equal(node.hasReady(), false, 'back as it was');
  });

  test('messages to peers are in the Ready; term and vote changes must be synced', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a', 'b', 'c'], learners: [] });
    const { node, core } = withCore('a', ['a', 'b', 'c'], storage);
    core.leaderContactElapsed = core.electionTick;
    node.campaign();
    const rd = handle(node, storage);
    assert.deepEqual(rd.softState, { lead: '', state: StateType.Candidate });
    assert.deepEqual(rd.hardState, { term: 1, vote: 'a', commit: 0 });
    assert.deepEqual(rd.entries, []);
    assert.deepEqual(
      rd.messages.map((m) => [m.type, m.to, m.term]),
      [
        ['requestVote', 'b', 1],
        ['requestVote', 'c', 1],
      ],
    );
    assert.equal(rd.mustSync, true, 'the vote must be durable before the requests leave');
  });

  test('a follower whose only change is the commit index need not fsync', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a', 'b', 'c'], learners: [] });
    const node = rawNode('a', ['a', 'b', 'c'], storage);
    node.step({
      type: 'appendEntries',
      from: 'b',
      to: 'a',
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      commit: 0,
      entries: [{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }],
    });
    handle(node, storage);
    node.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 1, round: 1 });
    const rd = handle(node, storage);
    assert.deepEqual(rd.hardState, { term: 1, vote: '', commit: 1 });
    assert.deepEqual(
      rd.committedEntries.map((e) => e.index),
      [1],
    );
    assert.equal(rd.mustSync, false);
  });

  test('a Ready carries the lease fact of the leader when a quorum acknowledged a round', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    const seen: Ready[] = [];
    h.readyObservers.push((id, rd) => {
      if (id === 'a') seen.push(rd);
    });
    h.tick('a');
    const withLease = seen.filter((rd) => rd.leaseAck);
    assert.equal(withLease.length, 1);
    // Round 1 went out at the election; the tick started round 2.
    assert.deepEqual(withLease[0].leaseAck, { term: 1, round: 2, startTick: h.raft('a').tickCount });
  });

  test('takeLeaseAck hands the lease fact out while a Ready is in flight, and the next Ready does not repeat it', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a'], learners: [] });
    const node = rawNode('a', ['a'], storage);
    node.campaign();
    handle(node, storage);
    node.propose(text('x'));
    const inFlight = node.ready(); // being persisted: no other Ready can be taken meanwhile
    assert.equal(inFlight.leaseAck, undefined);
    node.tick(); // a single voter acknowledges its own round at once
    const ack = node.takeLeaseAck();
    assert.ok(ack !== undefined, 'the fact is available before the Ready in flight is advanced');
    assert.equal(ack.term, 1);
    assert.equal(node.takeLeaseAck(), undefined, 'handed out once');
    storage.append(inFlight.entries);
    if (inFlight.hardState) storage.setHardState(inFlight.hardState);
    node.advance(inFlight);
    while (node.hasReady()) assert.equal(handle(node, storage).leaseAck, undefined, 'not repeated in a Ready');
  });
});

describe('RawNode advance()', () => {
  test('ready() twice without advance() throws, advance() twice throws, and no Ready is offered in between', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a'], learners: [] });
    const node = rawNode('a', ['a'], storage);
    node.campaign();
    const rd = node.ready();
    assert.equal(node.hasReady(), false, 'a Ready is outstanding');
    assert.throws(() => node.ready(), /before advance/);
    node.advance(rd);
    assert.throws(() => node.advance(rd), /not the outstanding one/);
  });

  test('a committed membership change takes effect at advance(), not before', () => {
    const storage = MemoryStorage.withConfState({ voters: ['a'], learners: [] });
    const node = rawNode('a', ['a'], storage);
    node.campaign();
    handle(node, storage);
    node.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 'l' });
    const rd = node.ready();
    assert.deepEqual(
      rd.committedEntries.map((e) => e.type),
      [EntryType.ConfChange],
    );
    assert.deepEqual(node.confState(), { voters: ['a'], learners: [] }, 'not yet applied');
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    node.advance(rd);
    assert.deepEqual(node.confState(), { voters: ['a'], learners: ['l'] });
    assert.equal(node.status().applied, rd.committedEntries.at(-1)!.index);
  });
});

describe('RawNode restart from storage', () => {
  function clusterWithHistory(): { h: Harness; storage: MemoryStorage } {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    for (const s of ['x', 'y']) h.propose('a', s);
    return { h, storage: h.crash('b') };
  }

  test('term, vote and commit are recovered from the persisted hard state', () => {
    const { storage } = clusterWithHistory();
    const node = rawNode('b', ['a', 'b', 'c'], storage);
    const st = node.status();
    assert.deepEqual([st.term, st.vote, st.commit, st.lastIndex, st.state, st.lead], [1, 'a', 3, 3, StateType.Follower, '']);
  });

  test('committed but unapplied entries are handed out again', () => {
    const { storage } = clusterWithHistory();
    const node = rawNode('b', ['a', 'b', 'c'], storage);
    const rd = node.ready();
    assert.deepEqual(
      rd.committedEntries.map((e) => e.index),
      [1, 2, 3],
    );
    assert.deepEqual(rd.entries, [], 'nothing new to persist');
    assert.equal(rd.hardState, undefined, 'the hard state is what was loaded');
  });

  test('entries up to config.applied are not handed out again', () => {
    const { storage } = clusterWithHistory();
    const node = rawNode('b', ['a', 'b', 'c'], storage, 2);
    assert.deepEqual(
      node.ready().committedEntries.map((e) => e.index),
      [3],
    );
  });

  test('a restarted node rejoins its cluster and catches up', () => {
    const { h, storage } = clusterWithHistory();
    h.propose('a', 'z');
    const b = h.restart('b', storage);
    h.tick('a');
    assert.deepEqual(h.appliedTexts('b'), ['x', 'y', 'z']);
    assert.equal(b.node.status().lead, 'a');
  });
});
