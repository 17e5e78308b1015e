// A leader that removes or demotes itself (thesis §4.2.2) with configurations that take effect
// when applied (etcd style): the voters it leaves behind may not know the change is committed,
// still count it as a voter, and need its vote. Two rules keep them electable (issue 19):
// the removed leader appends nothing after its removal but its no-op, also when it wins a later
// term with the removal still unapplied; and every vote response offers the responder's commit
// point, which a candidate holding that entry may adopt (Log Matching).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProposalDroppedError } from '../../src/raft/errors.js';
import { ConfChangeType, StateType, type ConfChange } from '../../src/raft/types.js';
import { confEntry, drain, entry, makeLeader, newTestRaft, storageWithEntries as storage } from './harness.js';

const DEMOTE_A: ConfChange = { type: ConfChangeType.AddLearner, nodeId: 'a' };
const REMOVE_B: ConfChange = { type: ConfChangeType.RemoveNode, nodeId: 'b' };

describe('a leader removed from the voters leaves them electable', () => {
  test('a leader that wins a term with its own demotion unapplied in its log appends nothing after its no-op until the demotion is applied', () => {
    // a proposed its demotion in term 1 (index 2) and lost leadership before it committed.
    const a = newTestRaft('a', ['a', 'b'], { storage: storage(['a', 'b'], [entry(1, 1), confEntry(2, 1, DEMOTE_A)], 1) });
    makeLeader(a);
    assert.equal(a.raftLog.lastIndex(), 3, 'the no-op of term 2');
    assert.equal(a.selfRemovalIndex, 2);
    assert.throws(() => a.propose(new TextEncoder().encode('x')), ProposalDroppedError);
    assert.equal(a.raftLog.lastIndex(), 3, 'nothing after the no-op');
  });

  test('a leader whose unapplied tail removes someone else (or re-adds it) accepts proposals', () => {
    const a = newTestRaft('a', ['a', 'b', 'c'], { storage: storage(['a', 'b', 'c'], [entry(1, 1), confEntry(2, 1, REMOVE_B)], 1) });
    makeLeader(a);
    assert.equal(a.selfRemovalIndex, 0);
    a.propose(new TextEncoder().encode('x'));
    assert.equal(a.raftLog.lastIndex(), 4);
  });

  test("a vote response offers the commit point capped at the candidate's last index, with its term", () => {
    const b = newTestRaft('b', ['a', 'b'], { storage: storage(['a', 'b'], [entry(1, 1), entry(2, 1), entry(3, 2)], 3), preVote: true });
    b.step({ type: 'requestVote', from: 'a', to: 'b', term: 3, preVote: true, lastIndex: 2, lastTerm: 1, transfer: false });
    const resp = drain(b).find((m) => m.type === 'requestVoteResponse');
    assert.ok(resp?.type === 'requestVoteResponse');
    assert.equal(resp.reject, true, "a's log is behind");
    assert.deepEqual([resp.commitIndex, resp.commitTerm], [2, 1]);
  });

  test("a candidate that holds the responder's commit point commits up to it; a committed membership change ends its campaign until applied", () => {
    // a and b are voters; index 2 removes b. b committed it, a did not hear (commit 1).
    const a = newTestRaft('a', ['a', 'b'], { storage: storage(['a', 'b'], [entry(1, 1), confEntry(2, 1, REMOVE_B)], 1), preVote: true });
    a.hup('preElection');
    assert.equal(a.state, StateType.PreCandidate);
    drain(a);
    // A commit point a does not hold (another term at index 2) teaches nothing.
    a.step({ type: 'requestVoteResponse', from: 'b', to: 'a', term: 2, preVote: true, reject: true, commitIndex: 2, commitTerm: 2 });
    assert.equal(a.raftLog.committed, 1);
    assert.equal(a.state, StateType.Follower, 'the rejection from a higher term lost the pre-vote');
    a.hup('preElection');
    assert.equal(a.state, StateType.PreCandidate);
    a.step({
      type: 'requestVoteResponse',
      from: 'b',
      to: 'a',
      term: a.term + 1,
      preVote: true,
      reject: false,
      commitIndex: 2,
      commitTerm: 1,
    });
    assert.equal(a.raftLog.committed, 2, 'learned from the vote response');
    assert.equal(a.state, StateType.Follower, 'a granted pre-vote counted in the old configuration is not used');
    // Once applied, a is the only voter and wins alone at its next timeout.
    a.applyConfChange(REMOVE_B);
    a.raftLog.appliedTo(2);
    for (let i = 0; i < 2 * a.electionTick && a.state !== StateType.Leader; i++) a.tick();
    assert.equal(a.state, StateType.Leader);
  });

  test('a follower turned by a higher-term rejection still learns the commit point', () => {
    const a = newTestRaft('a', ['a', 'b'], { storage: storage(['a', 'b'], [entry(1, 1), confEntry(2, 1, REMOVE_B)], 1), preVote: true });
    a.hup('preElection');
    a.step({ type: 'requestVoteResponse', from: 'b', to: 'a', term: 5, preVote: true, reject: true, commitIndex: 2, commitTerm: 1 });
    assert.equal(a.state, StateType.Follower);
    assert.equal(a.term, 5);
    assert.equal(a.raftLog.committed, 2);
  });
});
