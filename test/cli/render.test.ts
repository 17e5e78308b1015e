// Golden strings for the human output: the layout is part of what operators see and copy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Align, renderJson, renderSummary, renderTable } from '../../src/cli/render.js';
import { statusTable, statusJson } from '../../src/cli/commands/status.js';
import { membersTable } from '../../src/cli/commands/members.js';
import { kvTable, watchLine } from '../../src/cli/commands/kv.js';
import type { ClusterView } from '../../src/cli/cluster-view.js';

describe('renderTable', () => {
  test('boxes and aligns columns to the widest cell; numbers can align right', () => {
    const got = renderTable(
      [{ header: 'ID' }, { header: 'N', align: Align.Right }],
      [
        ['n1', '7'],
        ['node-long', '1234'],
      ],
    );
    assert.equal(
      got,
      [
        '+-----------+------+',
        '| ID        | N    |',
        '+-----------+------+',
        '| n1        |    7 |',
        '| node-long | 1234 |',
        '+-----------+------+',
        '',
      ].join('\n'),
    );
  });

  test('an empty table still shows its header', () => {
    assert.equal(renderTable([{ header: 'KEY' }], []), '+-----+\n| KEY |\n+-----+\n+-----+\n');
  });

  test('counts code points, so non-ASCII keys line up', () => {
    const got = renderTable([{ header: 'K' }], [['café'], ['ab']]);
    assert.equal(got.split('\n')[3], '| café |');
    assert.equal(got.split('\n')[4], '| ab   |');
  });

  test('summary and JSON helpers', () => {
    assert.equal(
      renderSummary([
        ['Leader', 'n1'],
        ['Term', '3'],
      ]),
      'Leader: n1  Term: 3\n',
    );
    assert.equal(renderJson({ a: 1 }), '{\n  "a": 1\n}\n');
  });
});

const VIEW: ClusterView = {
  cluster: 'palisade',
  leader: 'n1',
  term: 3,
  commitIndex: 42,
  members: [
    {
      id: 'n1',
      address: '127.0.0.1:7101',
      role: 'leader',
      voter: true,
      reachable: true,
      lastContactMs: 0,
      matchIndex: 42,
      lag: 0,
      activeRole: 'active',
      health: 'healthy',
      healthDetail: '',
    },
    {
      id: 'n2',
      address: '127.0.0.1:7102',
      role: 'follower',
      voter: true,
      reachable: true,
      lastContactMs: 12,
      matchIndex: 41,
      lag: 1,
      activeRole: 'inactive',
      health: 'unhealthy',
      healthDetail: 'exit code 1',
    },
    {
      id: 'n4',
      address: '127.0.0.1:7104',
      role: 'unknown',
      voter: false,
      reachable: false,
      lastContactMs: null,
      matchIndex: null,
      lag: null,
      activeRole: null,
      health: 'unknown',
      healthDetail: '',
    },
  ],
  active: { node: 'n1', epoch: 7 },
  fencing: 'lease',
  paused: false,
  degraded: null,
  unreachable: [{ endpoint: '127.0.0.1:7104', error: 'connect ECONNREFUSED 127.0.0.1:7104' }],
};

describe('status output', () => {
  test('table: summary line, one row per member, unreachable endpoints listed below', () => {
    assert.equal(
      statusTable(VIEW),
      [
        'Cluster: palisade  Leader: n1  Term: 3  Commit index: 42',
        'Active: n1 (epoch 7)  Fencing: lease  Paused: no',
        '+--------+----------------+----------+---------+-----------+--------------+-------------+-----+-------------+-------------------------+',
        '| MEMBER | ADDRESS        | ROLE     | TYPE    | REACHABLE | LAST CONTACT | MATCH INDEX | LAG | ACTIVE ROLE | HEALTH                  |',
        '+--------+----------------+----------+---------+-----------+--------------+-------------+-----+-------------+-------------------------+',
        '| n1     | 127.0.0.1:7101 | leader   | voter   | yes       |         0 ms |          42 |   0 | active      | healthy                 |',
        '| n2     | 127.0.0.1:7102 | follower | voter   | yes       |        12 ms |          41 |   1 | inactive    | unhealthy (exit code 1) |',
        '| n4     | 127.0.0.1:7104 | unknown  | learner | no        |            - |           - |   - | -           | unknown                 |',
        '+--------+----------------+----------+---------+-----------+--------------+-------------+-----+-------------+-------------------------+',
        'unreachable: 127.0.0.1:7104 (connect ECONNREFUSED 127.0.0.1:7104)',
        '',
      ].join('\n'),
    );
  });

  test('JSON carries the contract fields: cluster, leader, term, commitIndex, members[id,address,role,voter,reachable,matchIndex]', () => {
    const j = statusJson(VIEW) as Record<string, unknown>;
    for (const k of ['cluster', 'leader', 'term', 'commitIndex', 'members', 'active', 'fencing', 'paused']) assert.ok(k in j, k);
    assert.deepEqual(j.active, { node: 'n1', epoch: 7 });
    assert.equal(
      statusJson({ ...VIEW, active: null }) instanceof Object && (statusJson({ ...VIEW, active: null }) as { active: unknown }).active,
      null,
    );
    const m = (j.members as Record<string, unknown>[])[1];
    assert.deepEqual(
      { id: m.id, address: m.address, role: m.role, voter: m.voter, reachable: m.reachable, matchIndex: m.matchIndex },
      { id: 'n2', address: '127.0.0.1:7102', role: 'follower', voter: true, reachable: true, matchIndex: 41 },
    );
  });

  test('health: members[].health is healthy, unhealthy or unknown; a degraded active is named in both forms', () => {
    const j = statusJson(VIEW) as { members: { health: string; healthDetail?: string }[]; degraded: boolean };
    assert.deepEqual(
      j.members.map((m) => m.health),
      ['healthy', 'unhealthy', 'unknown'],
    );
    assert.equal(j.members[1].healthDetail, 'exit code 1');
    assert.equal(j.degraded, false);
    const degraded = { ...VIEW, degraded: 'no healthy node to take the role (on-no-healthy-candidate keep)' };
    assert.deepEqual((statusJson(degraded) as { degraded: boolean; degradedReason: string }).degraded, true);
    assert.match(statusTable(degraded), /Active: n1 \(epoch 7\) — degraded: no healthy node to take the role/);
  });
});

describe('members, kv and watch output', () => {
  test('members table is sorted by id', () => {
    assert.equal(
      membersTable([
        { id: 'n2', address: '127.0.0.1:7102', voter: false },
        { id: 'n1', address: '127.0.0.1:7101', voter: true },
      ]),
      [
        '+----+----------------+---------+',
        '| ID | ADDRESS        | TYPE    |',
        '+----+----------------+---------+',
        '| n1 | 127.0.0.1:7101 | voter   |',
        '| n2 | 127.0.0.1:7102 | learner |',
        '+----+----------------+---------+',
        '',
      ].join('\n'),
    );
  });

  test('kv list table', () => {
    assert.equal(
      kvTable([{ key: 'app/a', value: 'x', createRevision: 2, modRevision: 5, version: 2 }]),
      [
        '+-------+-------+----------+---------+---------+',
        '| KEY   | VALUE | REVISION | CREATED | VERSION |',
        '+-------+-------+----------+---------+---------+',
        '| app/a | x     |        5 |       2 |       2 |',
        '+-------+-------+----------+---------+---------+',
        '',
      ].join('\n'),
    );
  });

  test('watch lines: tab-separated, or one JSON object per line', () => {
    const kv = { key: 'k', value: 'v', createRevision: 1, modRevision: 7, version: 1 };
    assert.equal(watchLine({ type: 'put', kv, revision: 7 }, false), '7\tPUT\tk\tv\n');
    assert.equal(watchLine({ type: 'delete', kv, revision: 8 }, false), '8\tDELETE\tk\n');
    assert.equal(watchLine({ type: 'put', kv, revision: 7 }, true), '{"type":"put","revision":7,"key":"k","value":"v"}\n');
  });
});
