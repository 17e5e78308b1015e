// How a removed node learns it was removed (src/server/removal.ts): the proof rule, checked
// against its cases, and the watch that only asks while the node has no leader.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { provesRemoval, RemovalWatch, RemovedFromClusterError, type LocalMembership, type MemberAnswer } from '../../src/server/removal.js';
import { exitCodeFor, ExitCode } from '../../src/cli/exit-codes.js';

const local: LocalMembership = { cluster: 'c', self: 'n3', wasMember: true };
const answer = (over: Partial<MemberAnswer> = {}): MemberAnswer => ({ cluster: 'c', nodeId: 'n1', members: ['n1', 'n2'], ...over });

describe('provesRemoval: a member of our cluster whose linearizable member list (§6, ReadIndex) lacks us', () => {
  test('we were a member, the cluster now says we are not: removed', () => {
    assert.equal(provesRemoval(local, answer()), true);
  });
  test('a member that still lists us (e.g. we were added back under the same id), another cluster, or ourselves prove nothing', () => {
    assert.equal(provesRemoval(local, answer({ members: ['n1', 'n2', 'n3'] })), false);
    assert.equal(provesRemoval(local, answer({ cluster: 'other' })), false);
    assert.equal(provesRemoval(local, answer({ nodeId: 'n3' })), false);
  });
  test('a node that was never a member (started with --join before `members add`) never concludes it was removed', () => {
    assert.equal(provesRemoval({ ...local, wasMember: false }, answer()), false);
  });
});

describe('RemovalWatch', () => {
  function setup(probeAnswer: (address: string) => MemberAnswer | Error) {
    let now = 0;
    let leaderless = false;
    const probed: string[] = [];
    const removedBy: string[] = [];
    const errors: string[] = [];
    const watch = new RemovalWatch({
      local: () => ({
        ...local,
        peers: [
          { id: 'n1', address: 'a1' },
          { id: 'n2', address: 'a2' },
        ],
      }),
      hasLeader: () => !leaderless,
      monotonicMs: () => now,
      intervalMs: 1000,
      probe: async (address) => {
        probed.push(address);
        const a = probeAnswer(address);
        if (a instanceof Error) throw a;
        return a;
      },
      onRemoved: (by) => removedBy.push(by),
      onProbeError: (address) => errors.push(address),
    });
    return {
      watch,
      probed,
      removedBy,
      errors,
      set: (t: number, noLeader: boolean) => {
        now = t;
        leaderless = noLeader;
      },
    };
  }

  test('a node that hears from a leader never asks; one without for a whole interval asks every member', async () => {
    const s = setup(() => answer({ members: ['n1', 'n2', 'n3'] }));
    s.set(0, false);
    assert.equal(await s.watch.check(), false);
    s.set(5000, true); // leaderless from now on
    assert.equal(await s.watch.check(), false);
    s.set(5999, true);
    assert.equal(await s.watch.check(), false);
    assert.deepEqual(s.probed, [], 'not leaderless long enough yet');
    s.set(6000, true);
    assert.equal(await s.watch.check(), false, 'the members still list us');
    assert.deepEqual(s.probed.sort(), ['a1', 'a2']);
    s.set(6500, false); // a leader again: the clock restarts
    await s.watch.check();
    s.set(7000, true);
    await s.watch.check();
    assert.equal(s.probed.length, 2);
  });

  test('one proving answer is enough (the other member is down); onRemoved is called once', async () => {
    const s = setup((address) => (address === 'a1' ? new Error('connection refused') : answer({ nodeId: 'n2' })));
    s.set(0, true);
    await s.watch.check();
    s.set(1000, true);
    assert.equal(await s.watch.check(), true);
    assert.deepEqual(s.removedBy, ['n2']);
    assert.deepEqual(s.errors, ['a1']);
    s.set(5000, true);
    assert.equal(await s.watch.check(), false, 'stopped after the proof');
    assert.deepEqual(s.removedBy, ['n2']);
  });
});

test('a removed node stops with its own error, which the agent maps to its own exit code', () => {
  const err = new RemovedFromClusterError('n3', 'prod', 'n1');
  assert.match(err.message, /this node \(n3\) was removed from cluster prod \(member n1 no longer lists it\)/);
  assert.match(err.message, /wipe its data dir and `palisade members add n3 <address>` it to rejoin/);
  assert.equal(exitCodeFor(err), ExitCode.Removed);
  assert.equal(ExitCode.Removed, 7);
});
