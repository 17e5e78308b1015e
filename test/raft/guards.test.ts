// Issue 16's guard audit: safety guards of the core that no simulation campaign misses when
// removed (the simulator applies committed entries within the same event, so some windows
// never open there), each pinned by a directed test. The audit table is in the issue's
// closing note; design-notes.md "Guards no campaign reaches" says why each is kept.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeType, StateType, type ConfChange } from '../../src/raft/types.js';
import { confEntry, drain, entry, makeLeader, newTestRaft, storageWithEntries as storage } from './harness.js';

describe('raft: guards the campaigns cannot reach', () => {
  test('a node does not campaign while a committed membership change is unapplied (its quorum would be counted in a stale configuration)', () => {
    // a, b, c are voters; index 2 (committed, not applied yet) adds d. Until a applies it, a
    // would count votes among {a, b, c}: 2 of 3, where the committed configuration needs 3 of 4.
    const add: ConfChange = { type: ConfChangeType.AddVoter, nodeId: 'd' };
    const a = newTestRaft('a', ['a', 'b', 'c'], { storage: storage(['a', 'b', 'c'], [entry(1, 1), confEntry(2, 1, add)], 2) });
    assert.ok(a.raftLog.applied < 2, 'the change is committed but not applied');
    const term = a.term;
    a.hup('election');
    for (let i = 0; i < 3 * a.electionTick; i++) a.tick();
    assert.equal(a.state, StateType.Follower);
    assert.equal(a.term, term, 'no campaign started');
    assert.deepEqual(
      drain(a).filter((m) => m.type === 'requestVote'),
      [],
    );
    // Applied, it campaigns in the new configuration.
    a.applyConfChange(add);
    a.raftLog.appliedTo(2);
    a.hup('election');
    assert.equal(a.state, StateType.Candidate);
    assert.deepEqual(
      drain(a)
        .filter((m) => m.type === 'requestVote')
        .map((m) => m.to)
        .sort(),
      ['b', 'c', 'd'],
    );
  });

  test('a leader sends TimeoutNow only once a committed membership change is applied (it may remove the transferee)', () => {
    // Index 2 removes c. Committed (with the no-op), not yet applied: c still looks like a voter.
    const removeC: ConfChange = { type: ConfChangeType.RemoveNode, nodeId: 'c' };
    const a = newTestRaft('a', ['a', 'b', 'c'], { storage: storage(['a', 'b', 'c'], [entry(1, 1), confEntry(2, 1, removeC)], 1) });
    makeLeader(a);
    const last = a.raftLog.lastIndex();
    for (const id of ['b', 'c']) {
      a.step({ type: 'appendEntriesResponse', from: id, to: 'a', term: a.term, index: last, reject: false, rejectHint: 0, hintTerm: 0 });
    }
    assert.equal(a.raftLog.committed, last);
    assert.ok(a.raftLog.applied < 2, 'the removal is committed but not applied');
    drain(a);
    a.transferLeadership('c');
    assert.deepEqual(
      drain(a).filter((m) => m.type === 'timeoutNow'),
      [],
      'no TimeoutNow to a node the committed configuration removed',
    );
  });

  test('a leader sends TimeoutNow only once the transferee holds its whole log (a shorter log cannot win the election)', () => {
    // c holds index 1 of a's 4 (3 of them entries, then the no-op); its answers arrive one entry at a time.
    const a = newTestRaft('a', ['a', 'b', 'c'], { storage: storage(['a', 'b', 'c'], [entry(1, 1), entry(2, 1), entry(3, 1)], 1) });
    makeLeader(a);
    const last = a.raftLog.lastIndex();
    a.step({ type: 'appendEntriesResponse', from: 'b', to: 'a', term: a.term, index: last, reject: false, rejectHint: 0, hintTerm: 0 });
    a.step({ type: 'appendEntriesResponse', from: 'c', to: 'a', term: a.term, index: 1, reject: false, rejectHint: 0, hintTerm: 0 });
    drain(a);
    a.transferLeadership('c');
    for (let index = 2; index < last; index++) {
      a.step({ type: 'appendEntriesResponse', from: 'c', to: 'a', term: a.term, index, reject: false, rejectHint: 0, hintTerm: 0 });
      assert.deepEqual(
        drain(a).filter((m) => m.type === 'timeoutNow'),
        [],
        `no TimeoutNow while c holds ${index} of ${last}`,
      );
    }
    a.step({ type: 'appendEntriesResponse', from: 'c', to: 'a', term: a.term, index: last, reject: false, rejectHint: 0, hintTerm: 0 });
    assert.deepEqual(
      drain(a)
        .filter((m) => m.type === 'timeoutNow')
        .map((m) => m.to),
      ['c'],
      'TimeoutNow once c holds everything',
    );
  });
});
