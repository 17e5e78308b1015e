import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HaProfile } from '../../src/ha/profiles.js';
import { seededRng } from '../../src/raft/rng.js';
import { NONE } from '../../src/raft/types.js';
import { electionRank, staggerOf, staggeredElectionTimeout } from '../../src/server/election-order.js';

const profile = (priority: number, noActive = false): HaProfile => ({ priority, failback: false, noActive });

describe('election order', () => {
  test('followers are ranked without the leader, by id when nothing else differs', () => {
    const voters = ['n3', 'n1', 'n2'];
    assert.equal(electionRank('n2', voters, 'n1', new Map()), 0);
    assert.equal(electionRank('n3', voters, 'n1', new Map()), 1);
    assert.equal(electionRank('n1', voters, NONE, new Map()), 0);
    assert.equal(electionRank('n3', voters, NONE, new Map()), 2);
  });

  test('higher priority campaigns first, and a --no-active witness last', () => {
    const voters = ['n1', 'n2', 'n3', 'n4'];
    const profiles = new Map([
      ['n1', profile(0, true)],
      ['n3', profile(10)],
      ['n4', profile(5)],
    ]);
    const order = [...voters].sort((a, b) => electionRank(a, voters, NONE, profiles) - electionRank(b, voters, NONE, profiles));
    assert.deepEqual(order, ['n3', 'n4', 'n2', 'n1']);
  });

  test('a node not among the voters ranks after all of them', () => {
    assert.equal(electionRank('n9', ['n1', 'n2'], NONE, new Map()), 2);
  });

  test('ranks never overlap: the next rank starts at least one tick after the previous one ends', () => {
    for (const e of [4, 10, 20, 30, 60, 100, 300]) {
      const { step, jitter } = staggerOf(e);
      assert.ok(jitter >= 1 && jitter < step, `E=${e}: jitter ${jitter} < step ${step}`);
    }
  });

  test('the policy gives E + rank·step + jitter', () => {
    const policy = staggeredElectionTimeout(() => new Map());
    const rng = seededRng(7);
    const { step, jitter } = staggerOf(30);
    for (let i = 0; i < 50; i++) {
      const first = policy({ id: 'n2', electionTick: 30, voters: ['n1', 'n2', 'n3'], lead: 'n1', rng });
      const second = policy({ id: 'n3', electionTick: 30, voters: ['n1', 'n2', 'n3'], lead: 'n1', rng });
      assert.ok(first >= 30 && first < 30 + jitter, `rank 0: ${first}`);
      assert.ok(second >= 30 + step && second < 30 + step + jitter, `rank 1: ${second}`);
    }
  });
});
