// Quiet ticks of the HA layer (HaDriver.quietTicks): the active leader's ticker may sleep only
// until its lease check, and a pending VIP re-announcement or a running hook ends the sleep.
// The driver runs with its real RoleController on a fake clock; the Raft node, the state
// machine and the resource executor are stand-ins that hold exactly what the driver reads.
// The sleep is checked as a tick plan: every tick the driver calls quiet must come before the
// lease check's deadline, and the tick after them must make the controller demote.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyHaCommand } from '../../src/statemachine/ha-state.js';
import type { ActionResult } from '../../src/ha/resource-executor.js';
import type { ResourceExecutor } from '../../src/ha/resource-executor.js';
import { EMPTY_HA_STATE, type ReplicatedHaState } from '../../src/statemachine/ha-record.js';
import { LocalRole, type ControllerAction } from '../../src/ha/types.js';
import type { Ready } from '../../src/raft/ready.js';
import type { RawNode } from '../../src/raft/raw-node.js';
import type { LeaseAck } from '../../src/raft/types.js';
import { tickPlan, validateNodeConfig } from '../../src/server/config.js';
import { HaDriver } from '../../src/server/ha-driver.js';
import { HA_PROFILE_PREFIX } from '../../src/ha/profiles.js';
import { silent } from './helpers.js';

type RunAction = Extract<ControllerAction, { type: 'run' }>;

function setup() {
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
  /** A lease fact in the core that no Ready has carried yet (the Ready loop is in an fsync). */
  let coreAck: LeaseAck | undefined;
  const raw = {
    basicStatus: () => raft,
    propose: () => {},
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
function activeLeader() {
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

describe('HaDriver.quietTicks', () => {
  test('the active leader sleeps until its lease check, and the tick after the quiet ones demotes', () => {
    const s = activeLeader();
    s.lease();
    const deadline = s.driver.controller.leaseExpiry - s.cfg.ha.timing.demoteBudgetMs;
    const quiet = s.driver.quietTicks();
    assert.ok(quiet >= 1 && Number.isFinite(quiet), `quiet ${quiet}`);
    // Perform the quiet ticks at their latest (a tick apart from now): none may demote...
    for (let k = 1; k <= quiet; k++) {
      s.advance(s.tickMs);
      assert.ok(s.now < deadline, `quiet tick ${k} at ${s.now} is not before the lease check at ${deadline}`);
      s.driver.tick();
      assert.equal(s.driver.controller.role, LocalRole.Active, `quiet tick ${k}`);
    }
    // ...and the next one, less than a tick after the deadline, must.
    s.advance(s.tickMs);
    assert.ok(s.now >= deadline && s.now < deadline + s.tickMs, `acting tick at ${s.now}, deadline ${deadline}`);
    s.driver.tick();
    assert.equal(s.runs.at(-1)?.kind, 'demote');
    assert.equal(s.driver.controller.role, LocalRole.Demoting);
    assert.equal(s.driver.quietTicks(), 0, 'no sleep while the demote hook runs');
  });

  test('a renewed lease lengthens the sleep; a pending VIP re-announcement ends it', () => {
    const s = activeLeader();
    s.lease();
    const first = s.driver.quietTicks();
    s.advance(3 * s.tickMs);
    s.lease();
    assert.ok(s.driver.quietTicks() >= first - 1, 'the deadline moved with the lease');
    // A peer heard again after a silence of an election timeout: announce at the next tick.
    s.lastHeard.set('n2', s.now);
    s.driver.tick();
    s.advance(s.cfg.electionTimeoutMs + s.tickMs);
    s.lastHeard.set('n2', s.now);
    s.lease();
    s.driver.tick();
    assert.equal(s.announced(), 1);
    // Another silence, ended 50 ms before a second announcement is allowed: it is deferred,
    // and the sleep ends at the tick that announces (well before the lease check).
    s.advance(950);
    s.lastHeard.set('n2', s.now);
    s.lease();
    s.driver.tick();
    assert.equal(s.announced(), 1, 'deferred');
    const quiet = s.driver.quietTicks();
    assert.equal(quiet, Math.ceil(50 / s.tickMs) - 1);
    s.advance((quiet + 1) * s.tickMs);
    s.driver.tick();
    assert.equal(s.announced(), 2, 'announced at the tick after the quiet ones');
  });

  test('an inactive follower that is no holder sleeps without a bound; an inactive leader does not', () => {
    const s = setup();
    s.raft.state = 'follower';
    s.raft.lead = 'n2';
    s.driver.start();
    assert.equal(s.driver.quietTicks(), 0, 'the start-up demotion runs');
    s.finish('demote', 0);
    assert.equal(s.driver.quietTicks(), 0, 'the profile is not published yet');
    s.driver.tick();
    assert.equal(s.driver.quietTicks(), Number.POSITIVE_INFINITY);
    // Elected, inactive, waiting for its promote record to commit: it ticks.
    s.raft.state = 'leader';
    s.raft.lead = 'n1';
    s.driver.tick();
    assert.equal(s.driver.controller.role, LocalRole.Inactive);
    assert.equal(s.driver.quietTicks(), 0);
    s.driver.abandon();
    assert.equal(s.driver.quietTicks(), Number.POSITIVE_INFINITY);
  });
});

describe('HaDriver lease renewal between Readies', () => {
  test('an acknowledgement the core holds while a Ready is persisted renews the lease at the next tick', () => {
    const s = activeLeader();
    s.lease();
    const deadline = s.driver.controller.leaseExpiry - s.cfg.ha.timing.demoteBudgetMs;
    // Just before the lease check, a round is acknowledged, but the Ready loop is in an fsync:
    // no Ready carries the fact. The tick at the check must still see it, and not demote.
    s.advance(deadline - s.now - 1);
    s.ackInCore();
    s.advance(s.tickMs);
    s.driver.tick();
    assert.ok(s.ackTaken, 'the tick took the fact out of the core');
    assert.equal(s.driver.controller.role, LocalRole.Active, 'renewed, not demoted');
    assert.ok(s.driver.controller.leaseExpiry > deadline + s.cfg.ha.timing.demoteBudgetMs, 'the lease moved on');
    // Without a renewal, the same check demotes.
    s.advance(s.driver.controller.leaseExpiry - s.cfg.ha.timing.demoteBudgetMs - s.now);
    s.driver.tick();
    assert.equal(s.runs.at(-1)?.kind, 'demote');
  });
});
