// Unit tests of the pure role controller: each test drives one node's controller through the
// inputs a real node would feed it and checks the actions it asks for (protocol:
// docs/design-notes.md "The active role").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyHaCommand } from '../../src/statemachine/ha-state.js';
import { RoleController } from '../../src/ha/role-controller.js';
import { EMPTY_HA_STATE, type HaCommand, type ReplicatedHaState } from '../../src/statemachine/ha-record.js';
import { LocalRole, type ControllerAction, type HaConfig } from '../../src/ha/types.js';
import { CONTROLLER_CFG } from './controller-config.js';

const CFG: HaConfig = CONTROLLER_CFG;

type Run = Extract<ControllerAction, { type: 'run' }>;

/** A controller plus a tiny replicated log, so proposals can be "committed" explicitly. */
class Node {
  readonly c: RoleController;
  state: ReplicatedHaState = EMPTY_HA_STATE;
  index = 10;
  readonly actions: ControllerAction[] = [];

  readonly id: string;

  constructor(cfg: Partial<HaConfig> = {}) {
    this.id = cfg.nodeId ?? CFG.nodeId;
    this.c = new RoleController({ ...CFG, ...cfg });
  }

  feed(input: Parameters<RoleController['handle']>[0]): ControllerAction[] {
    const out = this.c.handle(input);
    this.actions.push(...out);
    return out;
  }

  /** Apply a command as if committed at the next index, and tell the controller. */
  commit(now: number, cmd: HaCommand): ControllerAction[] {
    this.state = applyHaCommand(this.state, cmd, ++this.index);
    return this.feed({ type: 'record', now, state: this.state, index: this.index });
  }

  done(now: number, a: Run, ok = true): ControllerAction[] {
    return this.feed({ type: 'actionDone', now, kind: a.kind, epoch: a.epoch, ok });
  }

  /** Start-up demotion, then leader of `term` with a lease from a round at `now`. */
  bootAsLeader(now: number, term = 2, electedByTransfer = false): ControllerAction[] {
    this.feed({ type: 'tick', now });
    const startup = runs(this.actions).find((a) => a.reason === 'startup');
    assert.equal(startup?.kind, 'demote', 'start-up demotion comes first');
    const from = this.actions.length;
    this.done(now, startup);
    this.feed({ type: 'raft', now, role: 'leader', term, leader: this.id, electedByTransfer });
    this.feed({ type: 'lease', now, term, roundStartedAt: now });
    return this.actions.slice(from);
  }
}

const runs = (as: readonly ControllerAction[]): Run[] => as.filter((a): a is Run => a.type === 'run');
const proposals = (as: readonly ControllerAction[]): HaCommand[] => as.flatMap((a) => (a.type === 'propose' ? [a.command] : []));

describe('role controller', () => {
  test('a node demotes at start-up before doing anything else (it may hold a VIP from a past life)', () => {
    const n = new Node();
    const out = n.feed({ type: 'raft', now: 0, role: 'leader', term: 2, leader: 'n1', electedByTransfer: false });
    assert.deepEqual(
      runs(out).map((a) => [a.kind, a.reason]),
      [['demote', 'startup']],
    );
    assert.deepEqual(proposals(out), [], 'no promotion proposed before the start-up demotion ends');
  });

  test('a leader proposes Promote and runs the promote hook only once the entry is applied', () => {
    const n = new Node();
    const out = n.bootAsLeader(0);
    assert.deepEqual(proposals(out), [{ type: 'promote', holder: 'n1', term: 2 }]);
    assert.deepEqual(runs(out), [], 'nothing runs before the Promote entry commits');
    const after = n.commit(5, { type: 'promote', holder: 'n1', term: 2 });
    const [promote] = runs(after);
    assert.equal(promote?.kind, 'promote');
    assert.equal(promote?.epoch, n.index, 'epoch = index of the promote entry');
    assert.equal(promote?.notAfter, 0 + CFG.leaseMs - CFG.demoteBudgetMs);
    n.done(6, promote);
    assert.equal(n.c.role, LocalRole.Active);
    assert.ok(n.c.isActive(7));
  });

  test('an active node demotes when its lease is about to run out, then acknowledges the demotion', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    n.done(6, promote);
    assert.deepEqual(runs(n.feed({ type: 'tick', now: 179 })), [], 'renewal time left');
    const [demote] = runs(n.feed({ type: 'tick', now: 180 }));
    assert.deepEqual([demote?.kind, demote?.reason], ['demote', 'lease expiring']);
    const ack = proposals(n.done(200, demote));
    assert.deepEqual(ack, [{ type: 'demoted', holder: 'n1', epoch: promote.epoch }]);
  });

  test('a renewed lease keeps the node active', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    n.done(6, promote);
    n.feed({ type: 'lease', now: 150, term: 2, roundStartedAt: 150 });
    assert.deepEqual(runs(n.feed({ type: 'tick', now: 300 })), []);
    assert.ok(n.c.isActive(300));
  });

  test('losing leadership demotes at once', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    n.done(6, promote);
    const [demote] = runs(n.feed({ type: 'raft', now: 20, role: 'follower', term: 3, leader: 'n2', electedByTransfer: false }));
    assert.deepEqual([demote?.kind, demote?.reason], ['demote', 'lost leadership']);
    assert.equal(n.c.isActive(21), false);
  });

  test('a demotion decided while the promote hook runs preempts it (latest decision wins)', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    const [demote] = runs(n.feed({ type: 'raft', now: 20, role: 'follower', term: 3, leader: 'n2', electedByTransfer: false }));
    assert.equal(demote?.kind, 'demote');
    n.done(30, promote, false); // the killed promote reports late: ignored
    assert.equal(n.c.role, LocalRole.Demoting);
    n.done(40, demote);
    assert.equal(n.c.role, LocalRole.Inactive);
  });

  test('mode lease: after a normal election the previous holder is taken as down (its lease ended)', () => {
    const n = new Node();
    n.state = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    n.feed({ type: 'record', now: 0, state: n.state, index: 5 });
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    assert.equal(promote?.kind, 'promote');
    assert.equal(promote?.previousActive, 'n2');
  });

  test('mode lease: after a transfer election without a demotion acknowledgement, wait W before promoting', () => {
    const n = new Node();
    n.state = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    n.feed({ type: 'record', now: 0, state: n.state, index: 5 });
    n.bootAsLeader(0, 2, true);
    assert.deepEqual(runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 })), []);
    n.feed({ type: 'lease', now: 290, term: 2, roundStartedAt: 290 });
    assert.deepEqual(runs(n.feed({ type: 'tick', now: 299 })), [], 'W = 300 ms not over');
    const [promote] = runs(n.feed({ type: 'tick', now: 300 }));
    assert.equal(promote?.kind, 'promote');
  });

  test('switchover target: an acknowledged demotion lets a transfer-elected leader promote at once', () => {
    const n = new Node();
    let s = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    s = applyHaCommand(s, { type: 'demoted', holder: 'n2', epoch: 5 }, 6);
    n.state = s;
    n.feed({ type: 'record', now: 0, state: s, index: 6 });
    n.bootAsLeader(0, 2, true);
    const [promote] = runs(n.commit(3, { type: 'promote', holder: 'n1', term: 2 }));
    assert.equal(promote?.kind, 'promote');
  });

  test('mode hook: the fence hook against every unconfirmed holder must succeed before promotion', () => {
    const n = new Node({ fencing: 'hook' });
    n.state = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    n.feed({ type: 'record', now: 0, state: n.state, index: 5 });
    n.bootAsLeader(0);
    const [fence] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    assert.deepEqual([fence?.kind, fence?.target], ['fence', 'n2']);
    const after = n.done(20, fence);
    const [promote] = runs(after);
    assert.equal(promote?.kind, 'promote');
    assert.deepEqual(proposals(after), [{ type: 'fenced', holder: 'n2', epoch: 5, by: 'n1' }]);
  });

  test('mode hook: a failed fence gives the role up (back-off, leadership handed away)', () => {
    const n = new Node({ fencing: 'hook' });
    n.state = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    n.feed({ type: 'record', now: 0, state: n.state, index: 5 });
    n.bootAsLeader(0);
    const [fence] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    const after = n.done(20, fence, false);
    assert.deepEqual(runs(after), []);
    assert.ok(after.some((a) => a.type === 'transferLeadership'));
    assert.equal(n.c.role, LocalRole.Inactive);
  });

  test('a failed promote hook demotes (clean-up), then hands leadership away once the demotion is acknowledged', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    const [demote] = runs(n.done(10, promote, false));
    assert.equal(demote?.kind, 'demote');
    const acked = n.done(20, demote);
    assert.deepEqual(proposals(acked), [{ type: 'demoted', holder: 'n1', epoch: promote.epoch }]);
    assert.ok(
      !acked.some((a) => a.type === 'transferLeadership'),
      'not before the acknowledgement commits: the next holder would fence us',
    );
    const after = n.commit(25, { type: 'demoted', holder: 'n1', epoch: promote.epoch });
    assert.deepEqual(
      after.filter((a) => a.type === 'transferLeadership'),
      [{ type: 'transferLeadership', to: '' }],
    );
    assert.deepEqual(runs(after), [], 'no new attempt during the back-off');
  });

  test('the promote hook learns the previous active even when it confirmed its demotion', () => {
    const n = new Node();
    let s = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    n.feed({ type: 'record', now: 0, state: s, index: 5 });
    s = applyHaCommand(s, { type: 'demoted', holder: 'n2', epoch: 5 }, 6);
    n.state = s;
    n.feed({ type: 'record', now: 0, state: s, index: 6 });
    n.bootAsLeader(0, 2, true);
    const [promote] = runs(n.commit(3, { type: 'promote', holder: 'n1', term: 2 }));
    assert.deepEqual([promote?.kind, promote?.previousActive], ['promote', 'n2']);
  });

  test('switchover: demote, acknowledge, and only then transfer leadership', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    n.done(6, promote);
    const [demote] = runs(n.feed({ type: 'switchover', now: 10, to: 'n3', caughtUp: ['n2', 'n3'] }));
    assert.equal(demote?.reason, 'switchover to n3');
    const acked = n.done(15, demote);
    assert.deepEqual(proposals(acked), [{ type: 'demoted', holder: 'n1', epoch: promote.epoch }]);
    assert.ok(!acked.some((a) => a.type === 'transferLeadership'), 'not before the acknowledgement is applied');
    const after = n.commit(18, { type: 'demoted', holder: 'n1', epoch: promote.epoch });
    assert.deepEqual(
      after.filter((a) => a.type === 'transferLeadership'),
      [{ type: 'transferLeadership', to: 'n3' }],
    );
    assert.deepEqual(runs(after), [], 'no re-promotion during the switchover');
  });

  test('an epoch that was demoted is never promoted again: a new Promote is proposed', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    n.done(6, promote);
    const [demote] = runs(n.feed({ type: 'switchover', now: 10, to: 'n3', caughtUp: [] }));
    n.done(15, demote);
    // The switchover times out (the transfer never happened); we are still leader of term 2.
    const out = n.feed({ type: 'lease', now: 900, term: 2, roundStartedAt: 900 });
    assert.deepEqual(runs(out), [], 'the demoted epoch is not promoted again');
    assert.deepEqual(
      proposals(out).filter((c) => c.type === 'promote'),
      [{ type: 'promote', holder: 'n1', term: 2 }],
    );
  });

  test('pause stops promotion but never the lease demotion', () => {
    const n = new Node();
    n.bootAsLeader(0);
    n.commit(1, { type: 'pause' });
    assert.deepEqual(n.actions.filter((a) => a.type === 'propose' && a.command.type === 'promote').length, 1);
    const a = new Node();
    a.bootAsLeader(0);
    const [promote] = runs(a.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    a.done(6, promote);
    a.commit(7, { type: 'pause' });
    const [demote] = runs(a.feed({ type: 'tick', now: 180 }));
    assert.equal(demote?.reason, 'lease expiring');
  });

  test('a --no-active node never promotes; as leader it hands leadership away', () => {
    const n = new Node({ noActive: true });
    const out = n.bootAsLeader(0);
    assert.deepEqual(proposals(out), []);
    assert.ok(out.some((a) => a.type === 'transferLeadership'));
  });
});

// Guards the simulation campaigns cannot miss by construction (issue 16's audit, see
// docs/design-notes.md "Guards no campaign reaches"): each test fails when its guard is removed.
describe('role controller: lease guards behind other guards', () => {
  test('a lease acknowledgement of an earlier term does not give the current term a lease', () => {
    const n = new Node();
    n.bootAsLeader(0, 2);
    n.feed({ type: 'raft', now: 10, role: 'leader', term: 3, leader: 'n1', electedByTransfer: false });
    n.feed({ type: 'lease', now: 11, term: 2, roundStartedAt: 10 });
    assert.equal(n.c.leaseExpiry, Number.NEGATIVE_INFINITY, 'a round of term 2 proves nothing about term 3');
  });

  test('the lease ends with the leadership it was earned in', () => {
    const n = new Node();
    n.bootAsLeader(0, 2);
    assert.equal(n.c.leaseExpiry, CFG.leaseMs);
    n.feed({ type: 'raft', now: 5, role: 'follower', term: 3, leader: 'n2', electedByTransfer: false });
    assert.equal(n.c.leaseExpiry, Number.NEGATIVE_INFINITY);
    n.feed({ type: 'raft', now: 6, role: 'leader', term: 4, leader: 'n1', electedByTransfer: false });
    assert.equal(n.c.leaseExpiry, Number.NEGATIVE_INFINITY, 'a new term starts without a lease');
  });

  test('no promotion starts once less than the demote budget is left on the lease', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const late = 0 + CFG.leaseMs - CFG.demoteBudgetMs; // notAfter of a promotion now
    assert.deepEqual(runs(n.commit(late, { type: 'promote', holder: 'n1', term: 2 })), [], 'the executor must not be the only guard');
    assert.equal(n.c.role, LocalRole.Inactive);
  });
});

// Issue 16's guard audit: guards no simulation campaign misses, each pinned here.
describe('role controller: guards the campaigns cannot reach', () => {
  test('an active node stops claiming the role at its lease end, even with no tick since (an agent resuming from a pause)', () => {
    const n = new Node();
    n.bootAsLeader(0);
    const [promote] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    n.done(6, promote);
    assert.equal(n.c.role, LocalRole.Active);
    // No input between these calls: /primary asks isActive() before the lease check's tick runs.
    assert.ok(n.c.isActive(CFG.leaseMs - 1));
    assert.equal(n.c.isActive(CFG.leaseMs), false, 'past its lease a node must not answer /primary 200');
  });
});

describe('role controller: is every previous holder known down? (the VIP skips its probe only then)', () => {
  const promoteAfter = (n: Node, s: ReplicatedHaState, index: number): Run | undefined => {
    n.state = s;
    n.index = index;
    n.feed({ type: 'record', now: 0, state: s, index });
    n.bootAsLeader(0);
    return runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 })).find((a) => a.kind === 'promote');
  };

  test('mode lease, previous holder never confirmed (waited out by its lease): not known down, the probe runs', () => {
    const promote = promoteAfter(new Node(), applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5), 5);
    assert.equal(promote?.previousHolderDown, false);
  });

  test('previous holder confirmed its demotion in the log: known down', () => {
    let s = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    s = applyHaCommand(s, { type: 'demoted', holder: 'n2', epoch: 5 }, 6);
    assert.equal(promoteAfter(new Node(), s, 6)?.previousHolderDown, true);
  });

  test('a demotion confirmed for an older epoch does not cover a newer promotion of that node', () => {
    let s = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    s = applyHaCommand(s, { type: 'promote', holder: 'n2', term: 1 }, 7);
    s = applyHaCommand(s, { type: 'demoted', holder: 'n2', epoch: 5 }, 8);
    assert.equal(promoteAfter(new Node(), s, 8)?.previousHolderDown, false);
  });

  test('mode hook: the fence hook against the previous holder exited 0 for this promotion: known down', () => {
    const n = new Node({ fencing: 'hook' });
    n.state = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n2', term: 1 }, 5);
    n.feed({ type: 'record', now: 0, state: n.state, index: 5 });
    n.bootAsLeader(0);
    const [fence] = runs(n.commit(5, { type: 'promote', holder: 'n1', term: 2 }));
    const [promote] = runs(n.done(20, fence));
    assert.deepEqual([promote?.kind, promote?.previousHolderDown], ['promote', true]);
  });

  test('the first promotion of a cluster (nobody ever held the role): known down', () => {
    assert.equal(promoteAfter(new Node(), EMPTY_HA_STATE, 10)?.previousHolderDown, true);
  });
});
