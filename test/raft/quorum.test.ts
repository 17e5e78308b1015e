import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { majorityIndex, majoritySize, VoteResult, voteResult } from '../../src/raft/quorum.js';

// Naive oracles (etcd-io/raft quorum/quick_test.go style): no cleverness, just counting.
function naiveMajorityIndex(acked: ReadonlyMap<string, number>): number {
  if (acked.size === 0) return 0;
  // The largest index such that at least a majority of voters acked ≥ it.
  let best = 0;
  for (const candidate of acked.values()) {
    const count = [...acked.values()].filter((v) => v >= candidate).length;
    if (count > acked.size / 2 && candidate > best) best = candidate;
  }
  return best;
}

function naiveVoteResult(voters: string[], votes: ReadonlyMap<string, boolean>): VoteResult {
  if (voters.length === 0) return VoteResult.Won;
  const yes = voters.filter((id) => votes.get(id) === true).length;
  const no = voters.filter((id) => votes.get(id) === false).length;
  if (yes * 2 > voters.length) return VoteResult.Won;
  if (no * 2 >= voters.length) return VoteResult.Lost;
  return VoteResult.Pending;
}

const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'), { maxLength: 9 });

describe('majoritySize', () => {
  test('floor(n/2)+1', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(majoritySize), [1, 1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('majorityIndex (§5.3: committed once replicated on a majority)', () => {
  test('empty voter set → 0', () => {
    assert.equal(
      majorityIndex([], () => 7),
      0,
    );
  });

  test('examples', () => {
    const m = new Map([
      ['a', 5],
      ['b', 3],
      ['c', 9],
    ]);
    assert.equal(
      majorityIndex(m.keys(), (id) => m.get(id) ?? 0),
      5,
    );
    assert.equal(
      majorityIndex(['a', 'b', 'c', 'd'], (id) => m.get(id) ?? 0),
      3,
    );
    assert.equal(
      majorityIndex(['a'], (id) => m.get(id) ?? 0),
      5,
    );
  });

  test('a duplicated voter id counts once', () => {
    const m = new Map([
      ['a', 9],
      ['b', 1],
      ['c', 1],
    ]);
    assert.equal(
      majorityIndex(['a', 'a', 'a', 'b', 'c'], (id) => m.get(id) ?? 0),
      1,
    );
  });

  test('property: equals the naive oracle', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.nat(20), { minLength: 9, maxLength: 9 }), (voters, idx) => {
        const acked = new Map<string, number>(voters.map((id, i) => [id, idx[i]]));
        assert.equal(
          majorityIndex(voters, (id) => acked.get(id)!),
          naiveMajorityIndex(acked),
        );
      }),
    );
  });
});

describe('voteResult (§5.2: a candidate wins with votes from a majority)', () => {
  test('empty voter set → Won', () => {
    assert.equal(voteResult([], new Map()), VoteResult.Won);
  });

  test('examples', () => {
    const v = ['a', 'b', 'c'];
    assert.equal(voteResult(v, new Map([['a', true]])), VoteResult.Pending);
    assert.equal(
      voteResult(
        v,
        new Map([
          ['a', true],
          ['b', true],
        ]),
      ),
      VoteResult.Won,
    );
    assert.equal(
      voteResult(
        v,
        new Map([
          ['a', true],
          ['b', false],
        ]),
      ),
      VoteResult.Pending,
    );
    assert.equal(
      voteResult(
        v,
        new Map([
          ['a', false],
          ['b', false],
        ]),
      ),
      VoteResult.Lost,
    );
    // Even split of 4: 2 yes is not a majority, 2 no makes one impossible.
    assert.equal(
      voteResult(
        ['a', 'b', 'c', 'd'],
        new Map([
          ['a', true],
          ['b', true],
          ['c', false],
          ['d', false],
        ]),
      ),
      VoteResult.Lost,
    );
  });

  test('votes of non-voters are ignored', () => {
    assert.equal(
      voteResult(
        ['a', 'b', 'c'],
        new Map([
          ['a', true],
          ['x', true],
          ['y', true],
        ]),
      ),
      VoteResult.Pending,
    );
  });

  test('property: equals the naive oracle', () => {
    const vote = fc.option(fc.boolean(), { nil: undefined });
    fc.assert(
      fc.property(ids, fc.array(vote, { minLength: 12, maxLength: 12 }), (voters, raw) => {
        const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'x', 'y', 'z'];
        const votes = new Map<string, boolean>();
        all.forEach((id, i) => {
          const v = raw[i];
          if (v !== undefined) votes.set(id, v);
        });
        assert.equal(voteResult(voters, votes), naiveVoteResult(voters, votes));
      }),
    );
  });
});
