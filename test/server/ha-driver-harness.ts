// A harness for HaDriver: the driver with its real RoleController on a fake clock; the Raft
// node, the state machine and the resource executor are stand-ins that hold exactly what the
// driver reads (the core's status is `raft`, mutable by the test).
import assert from 'node:assert/strict';
import { applyHaCommand, decodeHaCommand } from '../../src/statemachine/ha-state.js';
import type { ActionResult } from '../../src/ha/resource-executor.js';
import type { ResourceExecutor } from '../../src/ha/resource-executor.js';
import { EMPTY_HA_STATE, type HaCommand, type ReplicatedHaState } from '../../src/statemachine/ha-record.js';
import { LocalRole, type ControllerAction } from '../../src/ha/types.js';
import type { Ready } from '../../src/raft/ready.js';
import type { RawNode } from '../../src/raft/raw-node.js';
import type { LeaseAck } from '../../src/raft/types.js';
import { tickPlan, validateNodeConfig } from '../../src/server/config.js';
import { HaDriver } from '../../src/server/ha-driver.js';
import { HA_PROFILE_PREFIX } from '../../src/ha/profiles.js';
import { silent } from './helpers.js';

type RunAction = Extract<ControllerAction, { type: 'run' }>;

export function setup() {
  const { config, problems } = validateNodeConfig({
    id: 'n1',
    listen: '127.0.0.1:7101',
    dataDir: '/nonexistent/never-written',
    peers: 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103',
    logLevel: 'error',
    // Never touched: the executor is a stand-in. A VIP makes the driver re-announce.
    vip: '10.99.0.50/24',
    vipInterface: 'palisade-none0',
  });
  assert.deepEqual(problems, []);
  const cfg = config!;
  const tickMs = tickPlan(cfg).tickMs;
  let now = 1000;
  const clock = { monotonicMs: () => now, wallMs: () => now };
  let ha: ReplicatedHaState = EMPTY_HA_STATE;
  let applied = 0;
  const profile = JSON.stringify({ priority: cfg.ha.priority, failback: cfg.ha.failback, noActive: cfg.ha.noActive, check: false });
  const sm = {
    get ha() {
      return ha;
    },
    get appliedIndex() {
      return applied;
    },
    get: (key: string) => (key === HA_PROFILE_PREFIX + 'n1' ? { value: profile } : undefined),
    list: () => [],
    members: () => [],
    clusterEventLog: () => [],
  };
  const raft = { state: 'leader', term: 2, lead: 'n1', electedByTransfer: false };
  const proposals: HaCommand[] = [];
  /** A lease fact in the core that no Ready has carried yet (the Ready loop is in an fsync). */
  let coreAck: LeaseAck | undefined;
  const raw = {
    basicStatus: () => raft,
    propose: (data: Uint8Array) => void proposals.push(decodeHaCommand(data)),
    status: () => ({ state: raft.state, progress: new Map(), lastIndex: 0 }),
    takeLeaseAck: () => {
      const ack = coreAck;
      coreAck = undefined;
      return ack;
    },
  } as unknown as RawNode;
  const runs: RunAction[] = [];
  let busy = false;
  let announcements = 0;
  let onDone!: (r: ActionResult) => void;
  const executor = {
    run: (a: RunAction) => {
      runs.push(a);
      busy = true;
    },
    get busy() {
      return busy;
    },
    serving: true,
    announce: () => void announcements++,
    stop: async () => {},
  } as unknown as ResourceExecutor;
  const lastHeard = new Map<string, number>();
  const driver = new HaDriver(
    cfg,
    {
      raw,
      stateMachine: () => sm as never,
      role: () => raft.state as 'leader' | 'follower',
      kick: () => {},
      timeOfTick: () => now,
      waitFor: async () => {},
      leaderHint: () => ({ leader: 'n1', address: '' }),
      lastHeard: () => lastHeard,
      put: async () => {},
      beginTransfer: () => {
        throw new Error('no transfer expected in these tests');
      },
    },
    clock,
    silent,
    (done) => ((onDone = done), executor),
  );
  const finish = (kind: RunAction['kind'], epoch: number): void => {
    busy = false;
    onDone({ kind, epoch, ok: true, detail: '', durationMs: 0 });
  };
  return {
    cfg,
    tickMs,
    raft,
    /** HA commands proposed to the core, in order. */
    proposals,
    driver,
    runs,
    lastHeard,
    finish,
    announced: () => announcements,
    advance: (ms: number) => (now += ms),
    get now() {
      return now;
    },
    promoteRecord: () => {
      ha = applyHaCommand(ha, { type: 'promote', holder: 'n1', term: raft.term }, ++applied);
    },
    lease: () => driver.afterReady({ leaseAck: { term: raft.term, round: 1, startTick: 1 } } as unknown as Ready),
    /** A quorum acknowledged a round (started now) while no Ready can be taken. */
    ackInCore: () => (coreAck = { term: raft.term, round: 1, startTick: 1 }),
    get ackTaken() {
      return coreAck === undefined;
    },
  };
}

/** Start-up demotion done, a promote record of ours applied, a lease, the promote hook done. */
export function activeLeader() {
  const s = setup();
  s.driver.start();
  assert.equal(s.runs.at(-1)?.kind, 'demote', 'the start-up demotion');
  s.finish('demote', 0);
  s.driver.tick(); // publishes the profile (already in the store)
  s.promoteRecord();
  s.lease();
  s.driver.tick();
  const promote = s.runs.at(-1)!;
  assert.equal(promote.kind, 'promote');
  s.finish('promote', promote.epoch);
  assert.equal(s.driver.controller.role, LocalRole.Active);
  return s;
}
