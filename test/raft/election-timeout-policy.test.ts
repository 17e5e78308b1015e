// RaftConfig.electionTimeout: the core asks the policy whenever it redraws a follower's
// timeout, clamps the answer into [electionTick, 2·electionTick), and redraws once a follower
// learns its leader (a policy may rank the followers without the leader).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ElectionTimeoutContext } from '../../src/raft/config.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import { Raft } from '../../src/raft/raft.js';
import { seededRng } from '../../src/raft/rng.js';
import { NONE } from '../../src/raft/types.js';

function raftWith(policy: (ctx: ElectionTimeoutContext) => number, seen: ElectionTimeoutContext[] = []): Raft {
  return new Raft({
    id: 'a',
    electionTick: 10,
    heartbeatTick: 1,
    storage: MemoryStorage.withConfState({ voters: ['a', 'b', 'c'], learners: [] }),
    rng: seededRng(1),
    electionTimeout: (ctx) => {
      seen.push(ctx);
      return policy(ctx);
    },
  });
}

describe('election timeout policy', () => {
  test('the policy decides the timeout, with the voters and the leader it knows', () => {
    const seen: ElectionTimeoutContext[] = [];
    const r = raftWith(() => 13, seen);
    assert.equal(r.randomizedElectionTimeout, 13);
    assert.equal(seen.at(-1)?.lead, NONE);
    assert.deepEqual([...(seen.at(-1)?.voters ?? [])].sort(), ['a', 'b', 'c']);
    assert.equal(seen.at(-1)?.electionTick, 10);
  });

  test('answers outside [E, 2E) are clamped: no policy can campaign before E or after 2E', () => {
    assert.equal(raftWith(() => 0).randomizedElectionTimeout, 10);
    assert.equal(raftWith(() => -5).randomizedElectionTimeout, 10);
    assert.equal(raftWith(() => 1000).randomizedElectionTimeout, 19);
    assert.equal(raftWith(() => 12.7).randomizedElectionTimeout, 12);
    const fallback = raftWith(() => Number.NaN).randomizedElectionTimeout;
    assert.ok(fallback >= 10 && fallback < 20, `NaN falls back to Raft's draw, got ${fallback}`);
  });

  test('a follower redraws once it learns its leader, and only then', () => {
    const seen: ElectionTimeoutContext[] = [];
    const r = raftWith((ctx) => (ctx.lead === 'b' ? 15 : 11), seen);
    r.becomeFollower(1, NONE);
    assert.equal(r.randomizedElectionTimeout, 11);
    const before = seen.length;
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0, round: 1 });
    assert.equal(r.randomizedElectionTimeout, 15);
    assert.equal(seen.length, before + 1);
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0, round: 2 });
    assert.equal(seen.length, before + 1, 'the same leader again: no redraw');
  });

  test('the timeout drawn is the one the follower waits for', () => {
    const r = raftWith(() => 14);
    r.becomeFollower(1, 'b');
    r.leaderContactElapsed = r.electionTick;
    for (let i = 0; i < 13; i++) r.tick();
    assert.equal(r.state, 'follower');
    r.tick();
    assert.notEqual(r.state, 'follower', 'campaigns at the 14th tick');
  });
});

describe('PreVote retries (RaftConfig.preVoteRetryTicks)', () => {
  function preCandidate(retry: number | undefined): Raft {
    const r = new Raft({
      id: 'a',
      electionTick: 10,
      heartbeatTick: 1,
      storage: MemoryStorage.withConfState({ voters: ['a', 'b', 'c'], learners: [] }),
      rng: seededRng(1),
      preVote: true,
      electionTimeout: () => 10,
      ...(retry !== undefined ? { preVoteRetryTicks: retry } : {}),
    });
    r.becomeFollower(1, NONE);
    r.leaderContactElapsed = r.electionTick;
    for (let i = 0; i < 10; i++) r.tick();
    assert.equal(r.state, 'preCandidate');
    r.msgs = [];
    return r;
  }
  const asked = (r: Raft) => {
    const out = r.msgs
      .filter((m) => m.type === 'requestVote' && m.preVote)
      .map((m) => m.to)
      .sort();
    r.msgs = [];
    return out;
  };

  test('off by default: an unanswered PreVote is asked again only at the next timeout', () => {
    const r = preCandidate(undefined);
    for (let i = 0; i < 9; i++) {
      r.tick();
      assert.deepEqual(asked(r), [], `tick ${i + 1}`);
    }
  });

  test('the voters that have not answered are asked again on the first ticks, then no more', () => {
    const r = preCandidate(3);
    r.step({ type: 'requestVoteResponse', from: 'b', to: 'a', term: r.term, preVote: true, reject: true });
    assert.equal(r.state, 'preCandidate', 'one rejection of three is not a loss');
    r.tick();
    assert.deepEqual(asked(r), ['c'], 'b answered, c did not');
    r.tick();
    assert.deepEqual(asked(r), ['c']);
    r.tick();
    assert.deepEqual(asked(r), ['c']);
    r.tick();
    assert.deepEqual(asked(r), [], 'only the first 3 ticks');
  });

  test('a retried PreVote that is granted wins the pre-election', () => {
    const r = preCandidate(3);
    r.tick();
    assert.deepEqual(asked(r), ['b', 'c']);
    r.step({ type: 'requestVoteResponse', from: 'c', to: 'a', term: r.term + 1, preVote: true, reject: false });
    assert.equal(r.state, 'candidate');
  });
});
