import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeError } from '../../src/raft/errors.js';
import { ProgressState } from '../../src/raft/progress.js';
import { VoteResult } from '../../src/raft/quorum.js';
import { ProgressTracker } from '../../src/raft/tracker.js';

function tracker(voters: string[], learners: string[] = [], lastIndex = 10): ProgressTracker {
  const t = new ProgressTracker(4);
  t.applyConfState({ voters, learners }, lastIndex);
  return t;
}

describe('ProgressTracker membership', () => {
  test('new members start probing at lastIndex+1 with match 0, counted as recently active', () => {
    const t = tracker(['c', 'a', 'b'], ['l']);
    assert.deepEqual(t.voters(), ['a', 'b', 'c']);
    assert.deepEqual(t.learners(), ['l']);
    assert.deepEqual(t.confState(), { voters: ['a', 'b', 'c'], learners: ['l'] });
    for (const pr of t.progress.values()) {
      assert.deepEqual([pr.state, pr.match, pr.next, pr.recentActive], [ProgressState.Probe, 0, 11, true]);
    }
    assert.equal(t.isVoter('a'), true);
    assert.equal(t.isLearner('a'), false);
    assert.equal(t.isLearner('l'), true);
    assert.equal(t.isVoter('l'), false);
    assert.equal(t.isMember('l'), true);
    assert.equal(t.isMember('zz'), false);
  });

  test('applyConfState keeps existing progress, drops removed ids, flips learners', () => {
    const t = tracker(['a', 'b', 'c'], ['l']);
    t.progress.get('a')!.maybeUpdate(10);
    t.progress.get('l')!.maybeUpdate(7);
    const b = t.progress.get('b')!;
    t.applyConfState({ voters: ['a', 'b', 'l'], learners: ['c'] }, 20);
    assert.equal(t.progress.get('b'), b, 'same Progress object kept');
    assert.equal(t.progress.get('a')!.match, 10);
    assert.equal(t.isVoter('l'), true);
    assert.equal(t.progress.get('l')!.match, 7);
    assert.equal(t.isLearner('c'), true);
    t.applyConfState({ voters: ['a', 'b', 'l', 'd'], learners: [] }, 20);
    assert.equal(t.isMember('c'), false);
    assert.equal(t.progress.get('d')!.next, 21);
  });

  test('applyConfState rejects an id that is both voter and learner', () => {
    const t = new ProgressTracker(4);
    assert.throws(() => t.applyConfState({ voters: ['a'], learners: ['a'] }, 0), ConfChangeError);
  });

  test('an empty config is accepted (a fresh node before it learns its config)', () => {
    const t = tracker([]);
    assert.deepEqual(t.confState(), { voters: [], learners: [] });
    assert.equal(t.committed(), 0);
  });

  test('visit goes in sorted id order', () => {
    const t = tracker(['n3', 'n1', 'n2'], ['n0']);
    const seen: string[] = [];
    t.visit((id) => seen.push(id));
    assert.deepEqual(seen, ['n0', 'n1', 'n2', 'n3']);
  });
});

describe('ProgressTracker commit (§5.3, §5.4.2)', () => {
  test('committed is the majority-th largest match among voters; learners do not count', () => {
    const t = tracker(['a', 'b', 'c'], ['l1', 'l2']);
    t.progress.get('a')!.maybeUpdate(9);
    t.progress.get('l1')!.maybeUpdate(9);
    t.progress.get('l2')!.maybeUpdate(9);
    assert.equal(t.committed(), 0);
    t.progress.get('b')!.maybeUpdate(4);
    assert.equal(t.committed(), 4);
    t.progress.get('c')!.maybeUpdate(6);
    assert.equal(t.committed(), 6);
  });
});

describe('ProgressTracker CheckQuorum', () => {
  test('quorumActive needs a majority of voters recently active; learners do not count', () => {
    const t = tracker(['a', 'b', 'c'], ['l']);
    for (const pr of t.progress.values()) pr.recentActive = false;
    t.progress.get('l')!.recentActive = true;
    t.progress.get('a')!.recentActive = true;
    assert.equal(t.quorumActive(), false);
    t.progress.get('c')!.recentActive = true;
    assert.equal(t.quorumActive(), true);
  });
});

describe('ProgressTracker votes (§5.2)', () => {
  test('a candidate wins with a majority of granted votes', () => {
    const t = tracker(['a', 'b', 'c', 'd', 'e']);
    t.recordVote('a', true);
    t.recordVote('b', true);
    assert.deepEqual(t.tallyVotes(), { granted: 2, rejected: 0, result: VoteResult.Pending });
    t.recordVote('c', false);
    t.recordVote('d', true);
    assert.deepEqual(t.tallyVotes(), { granted: 3, rejected: 1, result: VoteResult.Won });
  });

  test('each server votes at most once: the first recorded vote wins', () => {
    const t = tracker(['a', 'b', 'c']);
    t.recordVote('b', false);
    t.recordVote('b', true);
    t.recordVote('c', false);
    assert.deepEqual(t.tallyVotes(), { granted: 0, rejected: 2, result: VoteResult.Lost });
  });

  test('votes from learners and strangers are ignored', () => {
    const t = tracker(['a', 'b', 'c'], ['l']);
    t.recordVote('a', true);
    t.recordVote('l', true);
    t.recordVote('x', true);
    assert.deepEqual(t.tallyVotes(), { granted: 1, rejected: 0, result: VoteResult.Pending });
  });

  test('resetVotes starts a new election', () => {
    const t = tracker(['a', 'b', 'c']);
    t.recordVote('a', false);
    t.recordVote('b', false);
    t.resetVotes();
    t.recordVote('a', true);
    t.recordVote('b', true);
    assert.equal(t.tallyVotes().result, VoteResult.Won);
  });
});
