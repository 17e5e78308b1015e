// The "degraded" event of the HA driver (issue 15): an active node whose service is unhealthy and
// that keeps the role records it once per episode. Found on real agents: the reason ("no healthy
// node" / "failover cooldown") is worked out from the leader's progress, whose recentActive flag
// CheckQuorum clears at every election timeout, and the driver recorded a replicated event each
// time the reason flipped. The driver runs with its real RoleController and an embedded check on
// a fake controller clock; the Raft node, the state machine and the executor are stand-ins.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyHaCommand, isHaCommand } from '../../src/statemachine/ha-state.js';
import { HA_PROFILE_PREFIX } from '../../src/ha/profiles.js';
import type { ActionResult, ResourceExecutor } from '../../src/ha/resource-executor.js';
import { EMPTY_HA_STATE, type ReplicatedHaState } from '../../src/statemachine/ha-record.js';
import { LocalRole, type ControllerAction } from '../../src/ha/types.js';
import type { Ready } from '../../src/raft/ready.js';
import type { RawNode } from '../../src/raft/raw-node.js';
import { decodeCommand } from '../../src/statemachine/commands.js';
import { validateNodeConfig } from '../../src/server/config.js';
import { HaDriver } from '../../src/server/ha-driver.js';
import { silent, waitUntil } from './helpers.js';

type RunAction = Extract<ControllerAction, { type: 'run' }>;

/** n1: the active leader with an embedded check (fall 1, rise 1), n2 a healthy caught-up voter. */
async function activeLeader(extra: Record<string, unknown> = {}) {
  const service = { up: true };
  const transfers: string[] = [];
  const { config, problems } = validateNodeConfig({
    id: 'n1',
    listen: '127.0.0.1:7101',
    dataDir: '/nonexistent/never-written',
    peers: 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103',
    logLevel: 'error',
    check: async () => service.up,
    checkIntervalMs: 20,
    checkFall: 1,
    checkRise: 1,
    ...extra,
  });
  assert.deepEqual(problems, []);
  let now = 1000;
  let ha: ReplicatedHaState = EMPTY_HA_STATE;
  let applied = 0;
  const apply = (cmd: Parameters<typeof applyHaCommand>[1]): void => void (ha = applyHaCommand(ha, cmd, ++applied));
  const profile = JSON.stringify({ priority: 0, failback: false, noActive: false, check: true });
  const sm = {
    get ha() {
      return ha;
    },
    get appliedIndex() {
      return applied;
    },
    get: (key: string) => (key === HA_PROFILE_PREFIX + 'n1' ? { value: profile } : undefined),
    list: () => [],
    members: () => [
      { id: 'n1', address: '', role: 'voter' },
      { id: 'n2', address: '', role: 'voter' },
    ],
    clusterEventLog: () => [],
  };
  const raft = { state: 'leader', term: 2, lead: 'n1', electedByTransfer: false };
  const n2 = { match: 0, isLearner: false, recentActive: true };
  const degradedEvents: string[] = [];
  const raw = {
    basicStatus: () => raft,
    propose: (data: Uint8Array) => {
      if (isHaCommand(data)) return;
      const c = decodeCommand(data);
      if (c.type === 'recordEvent' && c.event.detail.startsWith('degraded:')) degradedEvents.push(c.event.detail);
    },
    status: () => ({ state: 'leader', progress: new Map([['n2', n2]]), lastIndex: 0 }),
    takeLeaseAck: () => undefined,
  } as unknown as RawNode;
  const runs: RunAction[] = [];
  let onDone!: (r: ActionResult) => void;
  const executor = {
    run: (a: RunAction) => void runs.push(a),
    busy: false,
    serving: true,
    announce: () => {},
    stop: async () => {},
  } as unknown as ResourceExecutor;
  const driver = new HaDriver(
    config!,
    {
      raw,
      stateMachine: () => sm as never,
      role: () => 'leader',
      kick: () => {},
      timeOfTick: () => now,
      waitFor: async () => {},
      leaderHint: () => ({ leader: 'n1', address: '' }),
      lastHeard: () => new Map(),
      put: async () => {},
      beginTransfer: () => assert.fail('no leadership transfer: the cooldown holds the role here'),
    },
    { monotonicMs: () => now, wallMs: () => now },
    silent,
    (done) => ((onDone = done), executor),
  );
  const finish = (kind: RunAction['kind'], epoch: number): void => onDone({ kind, epoch, ok: true, detail: '', durationMs: 0 });
  driver.start();
  finish('demote', 0);
  await waitUntil('the check to pass', () => driver.controller.health === 'healthy', 5000);
  apply({ type: 'promote', holder: 'n1', term: raft.term });
  driver.afterReady({ leaseAck: { term: raft.term, round: 1, startTick: 1 } } as unknown as Ready);
  driver.tick();
  finish('promote', runs.at(-1)!.epoch);
  assert.equal(driver.controller.role, LocalRole.Active);
  return { driver, service, transfers, runs, apply, raft, n2, degradedEvents, advance: (ms: number) => (now += ms) };
}

describe('HaDriver: the degraded event', () => {
  test('once per episode, however often the reason flips', async () => {
    const { driver, service, raft, n2, degradedEvents, apply, advance } = await activeLeader();
    try {
      assert.equal(driver.controller.role, LocalRole.Active);
      // A health failover was just applied: the cooldown keeps the next one away.
      apply({ type: 'healthFailover', from: 'n3', to: 'n1' });
      driver.tick();

      service.up = false;
      await waitUntil('the check to fail', () => driver.controller.health === 'unhealthy', 5000);
      const reasons = new Set<string>();
      for (let i = 0; i < 20; i++) {
        n2.recentActive = i % 2 === 0; // CheckQuorum's reset, seen by the reason
        advance(10);
        driver.afterReady({ leaseAck: { term: raft.term, round: 2 + i, startTick: 1 } } as unknown as Ready);
        driver.tick();
        assert.equal(driver.controller.role, LocalRole.Active, 'the active keeps the role (cooldown)');
        reasons.add(driver.status().degradedReason.split(' ')[0]);
      }
      assert.deepEqual([...reasons].sort(), ['failover', 'no'], 'the reason of the moment flips, as status shows it');
      assert.equal(degradedEvents.length, 1, `one degraded event per episode, got:\n${degradedEvents.join('\n')}`);

      // The service recovers: the episode ends; a new one is recorded again.
      service.up = true;
      await waitUntil('the check to pass', () => driver.controller.health === 'healthy', 5000);
      driver.tick();
      service.up = false;
      await waitUntil('the check to fail', () => driver.controller.health === 'unhealthy', 5000);
      driver.tick();
      assert.equal(degradedEvents.length, 2, 'a new episode, a new event');
    } finally {
      await driver.stop();
    }
  });
});

describe('HaDriver: the candidates at the moment the service fails', () => {
  test('with on-no-healthy-candidate demote, a healthy caught-up voter gets the role (no "no healthy node" demotion)', async () => {
    const { driver, service, runs } = await activeLeader({ onNoHealthyCandidate: 'demote', failoverCooldownMs: 1 });
    try {
      const before = runs.length;
      service.up = false;
      await waitUntil('the check to fail', () => driver.controller.health === 'unhealthy', 5000);
      driver.tick();
      const demote = runs.slice(before).find((r) => r.kind === 'demote');
      assert.ok(demote !== undefined, 'the unhealthy active demotes');
      assert.match(demote.reason, /handing the role to n2/, `reason: ${demote.reason}`);
    } finally {
      await driver.stop();
    }
  });
});
