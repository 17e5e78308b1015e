// The client's session validity (design item 4): it must end, on this client's clock, before the
// leader's clock can expire the session, for any pair of clock rates within the drift bound.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_DRIFT_BOUND,
  DEFAULT_MARGIN_MS,
  SessionClock,
  guaranteedValidityMs,
  sessionClockProblems,
  type SessionClockConfig,
} from '../../src/client/session-clock.js';

const config = (ttlMs: number, driftBound = DEFAULT_DRIFT_BOUND, marginMs = DEFAULT_MARGIN_MS): SessionClockConfig => ({
  ttlMs,
  driftBound,
  marginMs,
});

describe('session clock', () => {
  test('validity is the send time of the create plus ttl·(1−ρ)/(1+ρ) − margin', () => {
    const clock = new SessionClock(config(10_000), 500);
    assert.equal(clock.validUntil, 500 + (10_000 * 0.99) / 1.01 - 100);
    assert.ok(clock.isValid(clock.validUntil - 1));
    assert.ok(!clock.isValid(clock.validUntil), 'the instant itself is no longer guaranteed');
    assert.equal(clock.remainingMs(clock.validUntil + 50), 0);
  });

  test('an acknowledged keep-alive extends from ITS send time; a late ack of an older send never shortens', () => {
    const clock = new SessionClock(config(3000), 0);
    clock.acked(1000);
    const v = guaranteedValidityMs(config(3000));
    assert.equal(clock.validUntil, 1000 + v);
    clock.acked(400);
    assert.equal(clock.validUntil, 1000 + v);
  });

  test('keep-alives every ttl/3 after the last acknowledged send; after failures sooner, doubling, bounded', () => {
    const clock = new SessionClock(config(9000), 0);
    assert.equal(clock.nextKeepAliveAt(10, 0), 3000);
    clock.acked(3005);
    assert.equal(clock.nextKeepAliveAt(3100, 0), 6005);
    assert.equal(clock.nextKeepAliveAt(7000, 0), 7000, 'late: at once');
    assert.equal(clock.nextKeepAliveAt(7000, 1), 7050);
    assert.equal(clock.nextKeepAliveAt(7000, 2), 7100);
    assert.equal(clock.nextKeepAliveAt(7000, 60), 7000 + 9000 / 6);
  });

  test('bad configurations are refused with every problem', () => {
    assert.deepEqual(sessionClockProblems(config(10_000)), []);
    assert.equal(sessionClockProblems(config(0, 1, -1)).length, 3);
    assert.match(sessionClockProblems(config(1000, 0.01, 700)).join(), /too little validity/);
    assert.throws(() => new SessionClock(config(1000, 0.01, 700), 0), RangeError);
  });

  // Real time t; the client's clock reads a·t, the leader's b·t, both rates within [1−ρ, 1+ρ].
  // The leader receives each keep-alive `delay` after it was sent and expires the session ttl
  // (its clock) after the last receipt. The client's validity, mapped to real time, must end
  // strictly before that, however the keep-alives are spaced.
  test('property: the client gives the session up before the leader can expire it, for any rates within the bound', () => {
    const rho = DEFAULT_DRIFT_BOUND;
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 300_000 }),
        fc.double({ min: 1 - rho, max: 1 + rho, noNaN: true }),
        fc.double({ min: 1 - rho, max: 1 + rho, noNaN: true }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 400_000 }), delay: fc.integer({ min: 0, max: 5000 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (ttlMs, a, b, sends) => {
          let realSend = 0;
          const clock = new SessionClock(config(ttlMs), a * realSend);
          let serverExpiresAt = realSend + sends[0].delay + ttlMs / b;
          for (const { gap, delay } of sends) {
            realSend += gap;
            const receipt = realSend + delay;
            if (receipt >= serverExpiresAt) break; // the session had expired: no ack
            clock.acked(a * realSend);
            serverExpiresAt = Math.max(serverExpiresAt, receipt + ttlMs / b);
          }
          const clientGivesUpAt = clock.validUntil / a;
          return clientGivesUpAt < serverExpiresAt;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
