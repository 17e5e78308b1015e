// Combining the answers of several nodes into one status view.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { combineStatus, unaskedAddresses, type StatusProbe } from '../../src/cli/cluster-view.js';
import type { MemberStatusReport, NodeStatusReport } from '../../src/client/types.js';

const member = (id: string, over: Partial<MemberStatusReport> = {}): MemberStatusReport => ({
  id,
  address: `127.0.0.1:710${id.slice(1)}`,
  role: 'unknown',
  voter: true,
  reachable: false,
  lastContactMs: undefined,
  matchIndex: 0,
  lag: 0,
  health: 'unknown',
  healthDetail: '',
  ...over,
});

const report = (nodeId: string, leader: string, term: number, members: MemberStatusReport[], commitIndex = 10): NodeStatusReport => ({
  cluster: 'c1',
  nodeId,
  leader,
  term,
  commitIndex,
  appliedIndex: commitIndex,
  members,
  version: 'test',
});

// The leader's answer: replication of every member. A follower's: only itself.
const leaderN1 = report('n1', 'n1', 4, [
  member('n1', { role: 'leader', reachable: true, matchIndex: 10 }),
  member('n2', { role: 'follower', reachable: true, lastContactMs: 20, matchIndex: 9, lag: 1 }),
  member('n3', { role: 'follower', reachable: false, lastContactMs: 5000, matchIndex: 3, lag: 7 }),
]);
const followerN2 = report('n2', 'n1', 4, [member('n1'), member('n2', { role: 'follower', reachable: true }), member('n3')], 9);

describe('combineStatus', () => {
  test("the leader's view gives replication columns; each node gives its own role", () => {
    const view = combineStatus([
      { endpoint: '127.0.0.1:7102', report: followerN2 },
      { endpoint: '127.0.0.1:7101', report: leaderN1 },
      { endpoint: '127.0.0.1:7103', error: 'connect ECONNREFUSED' },
    ]);
    assert.equal(view.leader, 'n1');
    assert.equal(view.term, 4);
    assert.equal(view.commitIndex, 10);
    assert.equal(view.cluster, 'c1');
    assert.deepEqual(
      view.members.map((m) => [m.id, m.role, m.reachable, m.matchIndex, m.lag, m.lastContactMs]),
      [
        ['n1', 'leader', true, 10, 0, 0],
        ['n2', 'follower', true, 9, 1, 20],
        ['n3', 'unknown', false, 3, 7, 5000],
      ],
    );
    assert.deepEqual(view.unreachable, [{ endpoint: '127.0.0.1:7103', error: 'connect ECONNREFUSED' }]);
  });

  test('without the leader, reachability is "did it answer us" and replication is unknown (null)', () => {
    const view = combineStatus([{ endpoint: '127.0.0.1:7102', report: followerN2 }]);
    assert.equal(view.leader, 'n1');
    const n2 = view.members.find((m) => m.id === 'n2')!;
    const n3 = view.members.find((m) => m.id === 'n3')!;
    assert.deepEqual([n2.role, n2.reachable, n2.matchIndex], ['follower', true, null]);
    assert.deepEqual([n3.role, n3.reachable, n3.lag], ['unknown', false, null]);
  });

  test('no node knows a leader: leader is null; the highest term wins as authority', () => {
    const a = report('n1', '', 5, [member('n1', { role: 'candidate', reachable: true })]);
    const b = report('n2', '', 4, [member('n1'), member('n2', { role: 'follower', reachable: true })]);
    const view = combineStatus([
      { endpoint: 'x:1', report: b },
      { endpoint: 'y:1', report: a },
    ]);
    assert.equal(view.leader, null);
    assert.equal(view.term, 5);
    assert.deepEqual(
      view.members.map((m) => [m.id, m.role]),
      [['n1', 'candidate']],
    );
  });

  test('a deposed leader of an older term is not the authority', () => {
    const old = report('n1', 'n1', 3, [member('n1', { role: 'leader', reachable: true })]);
    const current = report('n2', 'n2', 4, [member('n1', { reachable: false }), member('n2', { role: 'leader', reachable: true })]);
    const view = combineStatus([
      { endpoint: 'a:1', report: old },
      { endpoint: 'b:1', report: current },
    ]);
    assert.equal(view.leader, 'n2');
    assert.equal(view.term, 4);
  });

  test("health: a member's own answer first; a member nobody reaches is unknown, whatever it last published", () => {
    const published = (id: string, reachable: boolean, health: 'healthy' | 'unhealthy', healthDetail = '') =>
      member(id, { role: id === 'n1' ? 'leader' : 'follower', reachable, health, healthDetail });
    const leader = report('n1', 'n1', 4, [
      published('n1', true, 'healthy'),
      published('n2', true, 'unhealthy', 'exit code 1'),
      published('n3', false, 'healthy'),
    ]);
    const view = combineStatus([
      { endpoint: '127.0.0.1:7101', report: leader },
      { endpoint: '127.0.0.1:7103', error: 'connect ECONNREFUSED' },
    ]);
    assert.deepEqual(
      view.members.map((m) => [m.id, m.reachable, m.health, m.healthDetail]),
      [
        ['n1', true, 'healthy', ''],
        ['n2', true, 'unhealthy', 'exit code 1'],
        // n3 died after publishing "healthy": its verdict is stale.
        ['n3', false, 'unknown', 'not reachable; last published: healthy'],
      ],
    );
    // A follower's view knows only who answered.
    const follower = report(
      'n2',
      'n1',
      4,
      [published('n1', false, 'healthy'), published('n2', true, 'healthy'), published('n3', false, 'healthy')],
      9,
    );
    const fromFollower = combineStatus([{ endpoint: '127.0.0.1:7102', report: follower }]);
    assert.deepEqual(
      fromFollower.members.map((m) => m.health),
      ['unknown', 'healthy', 'unknown'],
    );
  });

  test('nothing answered: an empty view with every endpoint listed', () => {
    const view = combineStatus([{ endpoint: 'a:1', error: 'down' }]);
    assert.deepEqual(view, {
      cluster: '',
      leader: null,
      term: 0,
      commitIndex: 0,
      members: [],
      active: null,
      fencing: null,
      paused: false,
      degraded: null,
      unreachable: [{ endpoint: 'a:1', error: 'down' }],
    });
  });
});

test('unaskedAddresses: member addresses learned from answers and not asked yet', () => {
  const probes: StatusProbe[] = [{ endpoint: '127.0.0.1:7101', report: leaderN1 }];
  assert.deepEqual(unaskedAddresses(probes), ['127.0.0.1:7102', '127.0.0.1:7103']);
});
