import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HaProfile } from '../../src/ha/profiles.js';
import type { NodeHealth } from '../../src/statemachine/ha-record.js';
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

  test('a node ready by health campaigns before an unhealthy or not-yet-checked one, whatever their priorities', () => {
    const voters = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const checked = (priority: number): HaProfile => ({ ...profile(priority), check: true });
    const profiles = new Map([
      ['n1', checked(100)], // unhealthy
      ['n2', checked(50)], // checked, no verdict yet: unknown
      ['n3', checked(0)], // healthy
      ['n4', profile(10)], // runs no check: its agent is its health
      ['n5', { ...profile(200, true), check: true }], // a healthy witness still campaigns last
    ]);
    const verdicts: NodeHealth[] = [
      { node: 'n1', health: 'unhealthy', detail: 'exit code 1' },
      { node: 'n3', health: 'healthy', detail: '' },
      { node: 'n5', health: 'healthy', detail: '' },
    ];
    const order = [...voters].sort(
      (a, b) => electionRank(a, voters, NONE, profiles, verdicts) - electionRank(b, voters, NONE, profiles, verdicts),
    );
    assert.deepEqual(order, ['n4', 'n3', 'n1', 'n2', 'n5']);
    // Without verdicts (a cluster without checks, or before any was published) nothing changes.
    assert.deepEqual(
      [...voters].sort((a, b) => electionRank(a, voters, NONE, new Map()) - electionRank(b, voters, NONE, new Map())),
      voters,
    );
  });

  test('the policy reads the verdicts each time: the unhealthy first-ranked follower moves back a rank', () => {
    let verdicts: NodeHealth[] = [];
    const policy = staggeredElectionTimeout(
      () => new Map(),
      () => verdicts,
    );
    const rng = seededRng(3);
    const { step } = staggerOf(30);
    const ctx = { id: 'n2', electionTick: 30, voters: ['n1', 'n2', 'n3'], lead: 'n1', rng };
    assert.ok(policy(ctx) < 30 + step, 'n2 ranks first among the followers');
    verdicts = [{ node: 'n2', health: 'unhealthy', detail: '' }];
    assert.ok(policy(ctx) >= 30 + step, 'unhealthy, n2 ranks after n3');
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
