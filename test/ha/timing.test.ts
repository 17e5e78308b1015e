// The lease arithmetic of src/ha/timing.ts against its definition in real time. Clocks run at
// any rate in [1−ρ, 1+ρ] of real time; a duration d on a clock takes between d/(1+ρ) and
// d/(1−ρ) real milliseconds. The campaigns run at one drift bound and one margin, where the
// margin can hide a missing drift factor (the guard audit of issue 16 found both factors
// uncaught); these properties range over every bound and margin.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { computeHaTiming, leaseRenewalMs } from '../../src/ha/timing.js';
import type { TimingInput } from '../../src/ha/timing.js';

const input: fc.Arbitrary<TimingInput> = fc.record({
  tickMs: fc.integer({ min: 1, max: 100 }),
  electionTick: fc.integer({ min: 2, max: 100 }),
  heartbeatTick: fc.constant(1),
  maxClockDrift: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
  marginMs: fc.double({ min: 0, max: 2, noNaN: true }),
  demoteBudgetMs: fc.constant(0),
  rttAllowanceMs: fc.constant(0),
  fencing: fc.constantFrom('hook' as const, 'lease' as const),
});

describe('lease arithmetic in real time (DESIGN "Single active")', () => {
  test('the lease ends, on the slowest leader clock, before stickiness ends on the fastest follower clock', () => {
    fc.assert(
      fc.property(input, (i) => {
        const t = computeHaTiming(i);
        fc.pre(t.leaseMs > 0);
        const rho = i.maxClockDrift;
        const leaseEndsByReal = t.leaseMs / (1 - rho);
        const stickinessEndsNoEarlierThan = t.stickinessMs / (1 + rho);
        assert.ok(
          leaseEndsByReal + i.marginMs / (1 - rho) <= stickinessEndsNoEarlierThan + 1e-9,
          `L=${t.leaseMs} ends at real ${leaseEndsByReal}, stickiness E=${t.stickinessMs} may end at real ${stickinessEndsNoEarlierThan}`,
        );
      }),
      { numRuns: 500 },
    );
  });

  test('a transfer-elected leader waits, on its fastest clock, until the old lease has ended on the slowest one', () => {
    fc.assert(
      fc.property(input, (i) => {
        const t = computeHaTiming(i);
        fc.pre(t.leaseMs > 0);
        const rho = i.maxClockDrift;
        const waitEndsNoEarlierThan = t.outliveMs / (1 + rho);
        const oldLeaseEndsByReal = t.leaseMs / (1 - rho);
        assert.ok(
          waitEndsNoEarlierThan >= oldLeaseEndsByReal + i.marginMs / (1 + rho) - 1e-9,
          `W=${t.outliveMs} may end at real ${waitEndsNoEarlierThan}, the old lease L=${t.leaseMs} at real ${oldLeaseEndsByReal}`,
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('the lease renewal cadence (leaseRenewalMs, issue 20)', () => {
  const withBudgets: fc.Arbitrary<TimingInput> = fc.record({
    tickMs: fc.integer({ min: 1, max: 50 }),
    electionTick: fc.integer({ min: 3, max: 200 }),
    heartbeatTick: fc.integer({ min: 1, max: 10 }),
    maxClockDrift: fc.double({ min: 0, max: 0.2, noNaN: true }),
    marginMs: fc.double({ min: 0, max: 20, noNaN: true }),
    demoteBudgetMs: fc.integer({ min: 0, max: 2000 }),
    rttAllowanceMs: fc.integer({ min: 0, max: 500 }),
    fencing: fc.constantFrom('hook' as const, 'lease' as const),
  });

  test('a multiple of the heartbeat; beyond one heartbeat only when it fits twice into L − budget and leaves the round trip', () => {
    fc.assert(
      fc.property(withBudgets, (i) => {
        const t = computeHaTiming(i);
        const renewal = leaseRenewalMs(t, i.rttAllowanceMs);
        const k = renewal / t.heartbeatMs;
        assert.ok(Number.isInteger(k) && k >= 1, `renewal ${renewal} vs heartbeat ${t.heartbeatMs}`);
        if (k > 1) {
          const usable = t.leaseMs - t.demoteBudgetMs;
          assert.ok(2 * renewal <= usable + 1e-9, t.explanation);
          assert.ok(renewal + i.rttAllowanceMs <= usable + 1e-9, t.explanation);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('the agent defaults (50 ms heartbeat, 300 ms election timeout, mode hook): every second heartbeat', () => {
    const t = computeHaTiming({
      tickMs: 10,
      electionTick: 30,
      heartbeatTick: 5,
      maxClockDrift: 0.01,
      marginMs: 10,
      demoteBudgetMs: 10,
      rttAllowanceMs: 50,
      fencing: 'hook',
    });
    assert.deepEqual(t.problems, []);
    assert.equal(leaseRenewalMs(t, 50), 100, t.explanation);
  });
});
