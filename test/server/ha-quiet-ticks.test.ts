// Quiet ticks of the HA layer (HaDriver.quietTicks): the active leader's ticker may sleep only
// until its lease check, and a pending VIP re-announcement or a running hook ends the sleep.
// The driver runs with its real RoleController on a fake clock; the Raft node, the state
// machine and the resource executor are stand-ins that hold exactly what the driver reads.
// The sleep is checked as a tick plan: every tick the driver calls quiet must come before the
// lease check's deadline, and the tick after them must make the controller demote.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalRole } from '../../src/ha/types.js';
import { quietTicksUntil } from '../../src/server/ticker.js';
import { activeLeader, setup } from './ha-driver-harness.js';

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

  test('the failback look does not end the sleep: the active leader sleeps until its lease check', () => {
    const s = activeLeader();
    // Every tick for longer than the role's settle time (4 election timeouts), a lease renewal
    // every 100 ms: across the first failback look and the ones after it, the sleep always
    // reaches the lease check (the look rides on the leader's heartbeat ticks).
    const ticks = Math.ceil((5 * s.cfg.electionTimeoutMs) / s.tickMs);
    for (let k = 0; k < ticks; k++) {
      if (k % 10 === 0) s.lease();
      const deadline = s.driver.controller.leaseExpiry - s.cfg.ha.timing.demoteBudgetMs;
      assert.equal(s.driver.quietTicks(), quietTicksUntil(deadline, s.now, s.tickMs), `tick ${k}`);
      s.advance(s.tickMs);
      s.driver.tick();
      assert.equal(s.driver.controller.role, LocalRole.Active, `tick ${k}`);
    }
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
