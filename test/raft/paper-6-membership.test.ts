// §6 of the Raft paper (cluster membership changes), in the single-server form of Ongaro's
// thesis §4.1–§4.3 that palisade uses instead of joint consensus: one voter added or removed
// per change, learners (non-voting members, thesis §4.2.1) to catch new servers up, and the
// removed leader stepping down (§4.2.2). A change takes effect when it is applied (etcd style).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProposalDroppedError } from '../../src/raft/errors.js';
import { ConfChangeType, StateType } from '../../src/raft/types.js';
import { drain, Harness, makeLeader, newTestRaft } from './harness.js';

const ABC = ['a', 'b', 'c'];

function cluster(ids: string[] = ABC): Harness {
  const h = new Harness(ids);
  h.elect('a');
  h.propose('a', 'x');
  return h;
}

describe('§6 membership: learners', () => {
  test('thesis §4.2.1: a new server joins as a non-voting member; the leader replicates log entries to it', () => {
    const h = cluster();
    h.addEmptyNode('d');
    h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'd' });
    h.propose('a', 'y');
    assert.deepEqual(h.appliedTexts('d'), ['x', 'y']);
    assert.deepEqual(h.get('a').node.confState(), { voters: ABC, learners: ['d'] });
  });

  test('thesis §4.2.1: a non-voting member is not considered for majorities', () => {
    const h = cluster();
    h.addEmptyNode('d');
    h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'd' });
    const commit = h.raft('a').raftLog.committed;
    h.isolate('b');
    h.isolate('c');
    h.propose('a', 'y');
    assert.equal(h.raft('d').raftLog.lastIndex(), h.raft('a').raftLog.lastIndex(), 'd has the entry');
    assert.equal(h.raft('a').raftLog.committed, commit, 'but a + d is not a majority of {a,b,c}');
  });

  test('thesis §4.2.1: a learner neither campaigns nor has its vote counted', () => {
    const learner = newTestRaft('d', ABC, { learners: ['d'] });
    for (let i = 0; i < 5 * learner.electionTick; i++) learner.tick();
    assert.equal(learner.state, StateType.Follower);
    assert.deepEqual(drain(learner), []);

    const r = newTestRaft('a', ABC, { learners: ['d'] });
    r.hup('election');
    r.step({ type: 'requestVoteResponse', from: 'd', to: 'a', term: 1, preVote: false, reject: false });
    assert.equal(r.state, StateType.Candidate, "a learner's vote does not count");
    r.step({ type: 'requestVoteResponse', from: 'b', to: 'a', term: 1, preVote: false, reject: false });
    assert.equal(r.state, StateType.Leader);
  });

  test('thesis §4.2.1: once caught up, a learner is promoted to a voter and then counts for commitment', () => {
    const h = cluster();
    h.addEmptyNode('d');
    h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'd' });
    h.proposeConfChange('a', { type: ConfChangeType.AddVoter, nodeId: 'd' });
    for (const id of ['a', 'b', 'c']) {
      assert.deepEqual(h.get(id).node.confState(), { voters: ['a', 'b', 'c', 'd'], learners: [] }, id);
    }
    // Four voters: a quorum is three. a + d alone cannot commit; a + b + d can.
    const commit = h.raft('a').raftLog.committed;
    h.isolate('b');
    h.isolate('c');
    h.propose('a', 'y');
    assert.equal(h.raft('a').raftLog.committed, commit);
    h.heal();
    h.tickAll(1);
    assert.deepEqual(h.appliedTexts('d'), ['x', 'y']);
  });
});

describe('§6 membership: adding and removing servers', () => {
  test('thesis §4.2.1: a new server with an empty log catches up from the leader', () => {
    const h = cluster();
    h.propose('a', 'y');
    h.addEmptyNode('d');
    h.proposeConfChange('a', { type: ConfChangeType.AddVoter, nodeId: 'd' });
    h.propose('a', 'z');
    assert.deepEqual(h.appliedTexts('d'), ['x', 'y', 'z']);
    assert.equal(h.raft('d').raftLog.committed, h.raft('a').raftLog.committed);
  });

  test('thesis §4.2.1: a server that joins with an empty log learns the whole configuration and does not elect itself alone', () => {
    // The founders' membership must be in the log (bootstrap.ts) for a joiner to learn it.
    const h = new Harness(ABC, { bootstrapInLog: true });
    h.elect('a');
    h.addEmptyNode('d');
    h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'd' });
    assert.deepEqual(h.get('d').node.confState(), { voters: ABC, learners: ['d'] });
    h.proposeConfChange('a', { type: ConfChangeType.AddVoter, nodeId: 'd' });
    assert.deepEqual(h.get('d').node.confState(), { voters: ['a', 'b', 'c', 'd'], learners: [] });
    // With the leader gone, d needs votes like everyone else: d and c are not a majority of four.
    h.isolate('a');
    h.isolate('b');
    h.tickAll(3 * h.raft('d').electionTick);
    assert.notEqual(h.raft('d').state, StateType.Leader);
    assert.notEqual(h.raft('c').state, StateType.Leader);
    // The new voter can lead once the cluster is whole again.
    h.heal();
    h.tickAll(3 * h.raft('d').electionTick);
    const lead = h.leader()!;
    h.transferLeadership(lead, 'd');
    assert.equal(h.leader(), 'd');
    h.propose('d', 'y');
    for (const id of ['a', 'b', 'c']) assert.deepEqual(h.appliedTexts(id), ['y'], id);
  });

  test('thesis §4.1: a removed follower no longer receives entries and no longer counts for commitment', () => {
    const h = cluster();
    h.proposeConfChange('a', { type: ConfChangeType.RemoveNode, nodeId: 'c' });
    for (const id of ['a', 'b']) assert.deepEqual(h.get(id).node.confState(), { voters: ['a', 'b'], learners: [] });
    const before = h.raft('c').raftLog.lastIndex();
    h.propose('a', 'y');
    assert.deepEqual(h.appliedTexts('b'), ['x', 'y'], 'a + b is now a majority');
    assert.equal(h.raft('c').raftLog.lastIndex(), before, 'c hears nothing more');
    h.tickAll(3 * h.raft('c').electionTick);
    assert.equal(h.leader(), 'a', 'the removed node does not disturb the cluster');
  });

  test('thesis §4.2.2: a leader that is removed from the configuration steps down once the change is committed; the most caught-up voter takes over at once (TimeoutNow)', () => {
    const h = cluster();
    const term = h.raft('a').term;
    h.proposeConfChange('a', { type: ConfChangeType.RemoveNode, nodeId: 'a' });
    assert.equal(h.raft('a').state, StateType.Follower);
    const lead = h.leader();
    assert.ok(lead === 'b' || lead === 'c', `new leader ${lead}`);
    assert.equal(h.raft(lead).term, term + 1, 'no ticks were needed: a transfer, not a timeout');
    assert.ok(h.delivered.some((m) => m.type === 'timeoutNow' && m.from === 'a' && m.to === lead));
    h.propose(lead, 'y');
    const other = lead === 'b' ? 'c' : 'b';
    assert.deepEqual(h.appliedTexts(other), ['x', 'y']);
    h.tickAll(3 * h.raft('a').electionTick);
    assert.equal(h.raft('a').state, StateType.Follower, 'the removed leader never campaigns');
  });

  test('thesis §4.1: a leader proposes only one membership change at a time; the next waits until the previous one is applied', () => {
    const h = cluster();
    h.isolate('b');
    h.isolate('c');
    h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'd' });
    assert.throws(() => h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'e' }), ProposalDroppedError);
    h.heal();
    h.tickAll(1);
    assert.deepEqual(h.get('a').node.confState().learners, ['d']);
    h.proposeConfChange('a', { type: ConfChangeType.AddLearner, nodeId: 'e' });
    assert.deepEqual(h.get('a').node.confState().learners, ['d', 'e']);
  });

  test('thesis §4.1 (the bug fix of its §4.1 errata): a new leader accepts a membership change only after its no-op entry is applied', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    const cc = { type: ConfChangeType.AddLearner, nodeId: 'd' } as const;
    assert.throws(() => r.proposeConfChange(cc), ProposalDroppedError, 'no-op not committed');
    r.step({ type: 'appendEntriesResponse', from: 'b', to: 'a', term: 1, index: 1, reject: false, rejectHint: 0, hintTerm: 0 });
    assert.equal(r.raftLog.committed, 1);
    assert.throws(() => r.proposeConfChange(cc), ProposalDroppedError, 'no-op committed but not applied');
    r.raftLog.appliedTo(1);
    r.proposeConfChange(cc);
    assert.equal(r.raftLog.lastIndex(), 2);
  });

  test('§6: a change that would leave no voters is refused at proposal', () => {
    const h = new Harness(['a']);
    h.elect('a');
    assert.throws(() => h.proposeConfChange('a', { type: ConfChangeType.RemoveNode, nodeId: 'a' }), /no voters/);
    assert.equal(h.leader(), 'a');
  });
});
