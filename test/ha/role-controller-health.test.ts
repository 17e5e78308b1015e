// The role controller's health decisions (issue 15), driven through the inputs a real node feeds
// it: an unhealthy active hands the role to the best healthy node through an ordered switchover,
// keeps it (degraded) without one, never promotes itself while not healthy, at most one health
// failover per cooldown, none while paused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyHaCommand } from '../../src/statemachine/ha-state.js';
import { Health } from '../../src/statemachine/ha-record.js';
import { RoleController } from '../../src/ha/role-controller.js';
import { EMPTY_HA_STATE, type HaCommand, type ReplicatedHaState } from '../../src/statemachine/ha-record.js';
import { LocalRole, type ControllerAction, type HaConfig, type HealthPolicy } from '../../src/ha/types.js';
import { CONTROLLER_CFG } from './controller-config.js';

const POLICY: HealthPolicy = { checked: true, failoverCooldownMs: 5000, onNoHealthyCandidate: 'keep' };

const CFG: HaConfig = { ...CONTROLLER_CFG, health: POLICY };

type Run = Extract<ControllerAction, { type: 'run' }>;
const runs = (as: readonly ControllerAction[]): Run[] => as.filter((a): a is Run => a.type === 'run');
const proposals = (as: readonly ControllerAction[]): HaCommand[] => as.flatMap((a) => (a.type === 'propose' ? [a.command] : []));
const transfers = (as: readonly ControllerAction[]): string[] => as.flatMap((a) => (a.type === 'transferLeadership' ? [a.to] : []));

/** One controller and a tiny replicated log (commands "commit" when the test says so). */
class Node {
  readonly c: RoleController;
  state: ReplicatedHaState = EMPTY_HA_STATE;
  index = 10;
  term = 2;

  constructor(policy: Partial<HealthPolicy> = {}) {
    this.c = new RoleController({ ...CFG, health: { ...POLICY, ...policy } });
  }

  feed(input: Parameters<RoleController['handle']>[0]): ControllerAction[] {
    return this.c.handle(input);
  }

  commit(now: number, ...cmds: HaCommand[]): ControllerAction[] {
    for (const cmd of cmds) this.state = applyHaCommand(this.state, cmd, ++this.index);
    return this.feed({ type: 'record', now, state: this.state, index: this.index });
  }

  /** Start-up demotion done, leader of `term` with a lease from `now`. */
  boot(now: number): ControllerAction[] {
    const [startup] = runs(this.feed({ type: 'record', now, state: this.state, index: this.index }));
    return [
      ...this.feed({ type: 'actionDone', now, kind: 'demote', epoch: startup.epoch, ok: true }),
      ...this.feed({ type: 'raft', now, role: 'leader', term: this.term, leader: 'n1', electedByTransfer: false }),
      ...this.feed({ type: 'lease', now, term: this.term, roundStartedAt: now }),
    ];
  }

  renew(now: number): ControllerAction[] {
    return this.feed({ type: 'lease', now, term: this.term, roundStartedAt: now });
  }

  /** Healthy, elected, promoted: the active node with n2 and n3 as candidates. */
  active(now: number): Run {
    this.boot(now);
    this.feed({ type: 'health', now, health: Health.Healthy, detail: '' });
    this.commit(now, { type: 'health', node: 'n1', health: Health.Healthy, detail: '' });
    this.feed({ type: 'candidates', now, ids: ['n2', 'n3'] });
    const [promote] = runs(this.commit(now + 1, { type: 'promote', holder: 'n1', term: this.term }));
    assert.equal(promote?.kind, 'promote');
    this.feed({ type: 'actionDone', now: now + 2, kind: 'promote', epoch: promote.epoch, ok: true });
    assert.equal(this.c.role, LocalRole.Active);
    return promote;
  }
}

describe('role controller: service health', () => {
  test('a checked node is unknown until its check passes: it neither promotes nor proposes; then publishes and promotes', () => {
    const n = new Node();
    const booted = n.boot(0);
    assert.deepEqual(
      proposals(booted).filter((c) => c.type === 'promote'),
      [],
      'no promotion while unknown',
    );
    assert.deepEqual(proposals(booted), [{ type: 'health', node: 'n1', health: Health.Unknown, detail: '' }], 'it publishes unknown');
    n.commit(1, { type: 'health', node: 'n1', health: Health.Unknown, detail: '' });
    const out = n.feed({ type: 'health', now: 2, health: Health.Healthy, detail: 'ok' });
    assert.deepEqual(proposals(out), [
      { type: 'health', node: 'n1', health: Health.Healthy, detail: 'ok' },
      { type: 'promote', holder: 'n1', term: 2 },
    ]);
  });

  test('a node without a check is healthy: it promotes at once and publishes nothing', () => {
    const n = new Node({ checked: false });
    const out = n.boot(0);
    assert.deepEqual(proposals(out), [{ type: 'promote', holder: 'n1', term: 2 }]);
    assert.equal(n.c.health, Health.Healthy);
  });

  test('the active turning unhealthy: health failover recorded, demote first, transfer to the best healthy node after the demotion is confirmed', () => {
    const n = new Node();
    const promote = n.active(0);
    n.commit(
      5,
      { type: 'health', node: 'n2', health: Health.Healthy, detail: '' },
      { type: 'health', node: 'n3', health: Health.Healthy, detail: '' },
    );
    n.renew(100);
    const out = n.feed({ type: 'health', now: 100, health: Health.Unhealthy, detail: 'exit code 1' });
    assert.deepEqual(proposals(out), [
      { type: 'health', node: 'n1', health: Health.Unhealthy, detail: 'exit code 1' },
      { type: 'healthFailover', from: 'n1', to: 'n2' },
    ]);
    const [demote] = runs(out);
    assert.deepEqual([demote?.kind, demote?.reason], ['demote', 'service unhealthy: handing the role to n2']);
    assert.deepEqual(transfers(out), [], 'no transfer before the demotion ran');
    const acked = n.feed({ type: 'actionDone', now: 120, kind: 'demote', epoch: promote.epoch, ok: true });
    assert.deepEqual(proposals(acked), [{ type: 'demoted', holder: 'n1', epoch: promote.epoch }]);
    assert.deepEqual(transfers(acked), [], 'no transfer before the demotion is committed');
    const after = n.commit(130, { type: 'healthFailover', from: 'n1', to: 'n2' }, { type: 'demoted', holder: 'n1', epoch: promote.epoch });
    assert.deepEqual(transfers(after), ['n2']);
  });

  test('the target is the best HEALTHY candidate: unhealthy and unknown ones are skipped', () => {
    const n = new Node();
    n.active(0);
    n.commit(
      5,
      { type: 'health', node: 'n2', health: Health.Unhealthy, detail: 'down' },
      { type: 'health', node: 'n3', health: Health.Healthy, detail: '' },
    );
    n.renew(100);
    const out = n.feed({ type: 'health', now: 100, health: Health.Unhealthy, detail: '' });
    assert.deepEqual(
      proposals(out).filter((c) => c.type === 'healthFailover'),
      [{ type: 'healthFailover', from: 'n1', to: 'n3' }],
    );
  });

  test('no healthy candidate: the active keeps the role and is degraded; a candidate turning healthy ends it', () => {
    const n = new Node();
    n.active(0);
    n.commit(
      5,
      { type: 'health', node: 'n2', health: Health.Unhealthy, detail: '' },
      { type: 'health', node: 'n3', health: Health.Unknown, detail: '' },
    );
    n.renew(100);
    const out = n.feed({ type: 'health', now: 100, health: Health.Unhealthy, detail: '' });
    assert.deepEqual(runs(out), [], 'keeps the role');
    assert.equal(n.c.degraded, true);
    assert.equal(n.c.isActive(101), true);
    n.renew(150);
    const later = n.commit(150, { type: 'health', node: 'n3', health: Health.Healthy, detail: '' });
    assert.deepEqual(
      runs(later).map((r) => r.reason),
      ['service unhealthy: handing the role to n3'],
    );
  });

  test('--on-no-healthy-candidate demote: the unhealthy active demotes and does not promote itself again', () => {
    const n = new Node({ onNoHealthyCandidate: 'demote' });
    n.active(0);
    n.commit(
      5,
      { type: 'health', node: 'n2', health: Health.Unhealthy, detail: '' },
      { type: 'health', node: 'n3', health: Health.Unhealthy, detail: '' },
    );
    n.renew(100);
    const out = n.feed({ type: 'health', now: 100, health: Health.Unhealthy, detail: '' });
    const [demote] = runs(out);
    assert.match(demote?.reason ?? '', /no healthy node to take the role/);
    const done = n.feed({ type: 'actionDone', now: 120, kind: 'demote', epoch: demote.epoch, ok: true });
    n.commit(130, ...proposals(done));
    n.renew(200);
    const tick = n.feed({ type: 'tick', now: 200 });
    assert.deepEqual(
      proposals(tick).filter((c) => c.type === 'promote'),
      [],
      'an unhealthy leader never proposes its own promotion',
    );
    assert.equal(n.c.role, LocalRole.Inactive);
  });

  test('an unhealthy (or unknown) inactive leader hands leadership to a healthy voter instead of promoting', () => {
    const n = new Node();
    n.boot(0);
    n.commit(
      1,
      { type: 'health', node: 'n2', health: Health.Healthy, detail: '' },
      { type: 'health', node: 'n3', health: Health.Unknown, detail: '' },
    );
    const out = n.feed({ type: 'candidates', now: 2, ids: ['n3', 'n2'] });
    assert.deepEqual(transfers(out), ['n2'], 'n3 is first by priority, but its check has not passed yet');
    assert.deepEqual(
      proposals(out).filter((c) => c.type === 'promote'),
      [],
    );
    assert.deepEqual(transfers(n.feed({ type: 'tick', now: 100 })), [], 'not again before the retry interval');
    assert.deepEqual(
      transfers(n.feed({ type: 'tick', now: 2 + 2 * CFG.outliveMs })),
      ['n2'],
      'retried: the first transfer may have failed',
    );
  });

  test('at most one health failover per cooldown: one seen in the log starts it on every node', () => {
    const n = new Node();
    n.active(0);
    n.commit(5, { type: 'health', node: 'n2', health: Health.Healthy, detail: '' });
    // Another node handed the role over at t=1000 (this node sees it applied then).
    n.renew(1000);
    n.commit(1000, { type: 'healthFailover', from: 'n3', to: 'n1' });
    n.renew(2000);
    const within = n.feed({ type: 'health', now: 2000, health: Health.Unhealthy, detail: '' });
    assert.deepEqual(runs(within), [], 'within the cooldown: keep');
    assert.equal(n.c.degraded, true);
    assert.deepEqual(runs(n.renew(5999)), []);
    const afterCooldown = n.renew(6000);
    assert.deepEqual(
      runs(afterCooldown).map((r) => r.reason),
      ['service unhealthy: handing the role to n2'],
    );
    assert.equal(n.c.quietUntil, Number.NEGATIVE_INFINITY);
  });

  test('a failover already in the log when the agent starts does not start a cooldown', () => {
    const n = new Node();
    n.state = applyHaCommand(n.state, { type: 'healthFailover', from: 'n3', to: 'n2' }, 5);
    n.active(0);
    n.commit(5, { type: 'health', node: 'n2', health: Health.Healthy, detail: '' });
    n.renew(100);
    assert.equal(runs(n.feed({ type: 'health', now: 100, health: Health.Unhealthy, detail: '' })).length, 1);
  });

  test('pause stops health failovers; the verdict is still published', () => {
    const n = new Node();
    n.active(0);
    n.commit(5, { type: 'health', node: 'n2', health: Health.Healthy, detail: '' }, { type: 'pause' });
    n.renew(100);
    const out = n.feed({ type: 'health', now: 100, health: Health.Unhealthy, detail: 'x' });
    assert.deepEqual(runs(out), []);
    assert.deepEqual(proposals(out), [{ type: 'health', node: 'n1', health: Health.Unhealthy, detail: 'x' }]);
    n.renew(150);
    const resumed = n.commit(150, { type: 'resume' });
    assert.equal(runs(resumed)[0]?.kind, 'demote', 'after resume the failover goes ahead');
  });

  test('a node that recovered within the cooldown is preferred only after the others', () => {
    const n = new Node();
    n.active(0);
    n.commit(
      5,
      { type: 'health', node: 'n2', health: Health.Unhealthy, detail: '' },
      { type: 'health', node: 'n3', health: Health.Healthy, detail: '' },
    );
    n.renew(6000);
    n.commit(6000, { type: 'health', node: 'n2', health: Health.Healthy, detail: '' });
    n.renew(7000);
    const out = n.feed({ type: 'health', now: 7000, health: Health.Unhealthy, detail: '' });
    assert.deepEqual(
      proposals(out).filter((c) => c.type === 'healthFailover'),
      [{ type: 'healthFailover', from: 'n1', to: 'n3' }],
      'n2 is first by priority but recovered 1 s ago',
    );
  });

  test('an operator switchover without a target picks a healthy voter', () => {
    const n = new Node({ checked: false });
    n.boot(0);
    n.commit(1, { type: 'health', node: 'n2', health: Health.Unhealthy, detail: '' });
    const [promote] = runs(n.commit(2, { type: 'promote', holder: 'n1', term: 2 }));
    n.feed({ type: 'actionDone', now: 3, kind: 'promote', epoch: promote.epoch, ok: true });
    n.renew(10);
    const out = n.feed({ type: 'switchover', now: 10, to: '', caughtUp: ['n2', 'n3'] });
    assert.deepEqual(
      runs(out).map((r) => r.reason),
      ['switchover to n3'],
    );
  });
});

describe('role controller: a verdict outlives its check', () => {
  test('a node restarted without a check withdraws the "unhealthy" a past life published', () => {
    const n = new Node({ checked: false });
    n.state = applyHaCommand(n.state, { type: 'health', node: 'n1', health: Health.Unhealthy, detail: 'service down' }, ++n.index);
    const published = proposals(n.boot(0)).filter((c) => c.type === 'health');
    assert.deepEqual(
      published.map((c) => c.type === 'health' && [c.node, c.health]),
      [['n1', Health.Healthy]],
    );
  });

  test('a node that never had a check publishes nothing', () => {
    const n = new Node({ checked: false });
    assert.deepEqual(
      proposals(n.boot(0)).filter((c) => c.type === 'health'),
      [],
    );
  });
});
