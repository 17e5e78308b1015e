// Who may take the active role (HaTargets.candidates): reachable, caught-up voters. Reachable
// must not depend on the moment within a CheckQuorum period: the core clears every follower's
// recentActive at each check, and a follower answers only a heartbeat that asks it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawNode } from '../../src/raft/raw-node.js';
import { MemberRole } from '../../src/statemachine/membership.js';
import { EMPTY_HA_STATE } from '../../src/statemachine/ha-record.js';
import { HaTargets } from '../../src/server/ha-targets.js';

const ELECTION_MS = 300;

function targets(recentActive: Record<string, boolean>, heardAgoMs: Record<string, number>) {
  const now = 10_000;
  const progress = new Map(
    ['n1', 'n2', 'n3'].map((id) => [
      id,
      { match: 50, next: 51, state: 'replicate', isLearner: false, recentActive: id === 'n1' || recentActive[id] },
    ]),
  );
  const raw = { status: () => ({ state: 'leader', lastIndex: 50, progress }) } as unknown as RawNode;
  const sm = {
    ha: EMPTY_HA_STATE,
    members: () => ['n1', 'n2', 'n3'].map((id) => ({ id, address: '', role: MemberRole.Voter })),
    list: () => [],
  };
  const heard = new Map(Object.entries(heardAgoMs).map(([id, ago]) => [id, now - ago]));
  return new HaTargets('n1', { raw, stateMachine: () => sm as never, lastHeard: () => heard }, { now: () => now, windowMs: ELECTION_MS });
}

describe('HaTargets: reachable voters', () => {
  test('right after a CheckQuorum reset (no recentActive), a voter heard within the election timeout is a candidate', () => {
    assert.deepEqual(targets({ n2: false, n3: false }, { n2: 40, n3: 120 }).candidates(), ['n2', 'n3']);
  });

  test('a voter not heard from for longer than the election timeout is not, unless the core marks it active', () => {
    assert.deepEqual(targets({ n2: false, n3: false }, { n2: 40, n3: ELECTION_MS + 1 }).candidates(), ['n2']);
    assert.deepEqual(targets({ n2: false, n3: true }, { n2: 40, n3: ELECTION_MS + 1 }).candidates(), ['n2', 'n3']);
    assert.deepEqual(targets({ n2: false, n3: false }, {}).candidates(), []);
  });
});
