// The node's ticker (src/server/ticker.ts) on a fake clock and fake timers: ticks on time,
// quiet ticks slept through and performed late in one burst, catch-up before inputs, never a
// tick ahead of its nominal time, and ticks missed by a late process dropped as an interval
// drops them. The property at the end drives a model follower (an election timer reset by
// heartbeats) through the ticker and checks that it times out at exactly the tick an ideal
// every-tick interval would have used.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_QUIET_TICKS, quietTicksUntil, Ticker } from '../../src/server/ticker.js';
import { FakeTime } from './fake-time.js';

const TICK = 10;

/**
 * A started ticker on `time`; `onTick` sees each tick, the core's tick count is the ticker's;
 * `afterTicks` (if given) gets the count after each wake-up's ticks.
 */
function startTicker(time: FakeTime, onTick: () => void, quiet: () => number, afterTicks?: (count: number) => void): Ticker {
  let count = 0;
  const ticker = new Ticker({
    tickMs: TICK,
    clock: time.clock,
    timers: time,
    onTick: () => {
      onTick();
      return ++count;
    },
    quietTicks: quiet,
    ...(afterTicks ? { afterTicks: () => afterTicks(count) } : {}),
  });
  ticker.start();
  return ticker;
}

function setup(quiet: () => number = () => 0) {
  const time = new FakeTime();
  const readings: number[] = [];
  const start = time.now;
  const ticker = startTicker(time, () => readings.push(time.now), quiet);
  return { time, ticker, readings, start };
}

describe('Ticker', () => {
  test('with no quiet ticks it ticks once per tickMs, each tick at or after its nominal time', () => {
    const { time, ticker, readings, start } = setup();
    time.advanceTo(start + 100 * TICK + 5);
    assert.equal(ticker.count, 100);
    readings.forEach((at, k) => assert.ok(at >= start + (k + 1) * TICK, `tick ${k + 1} at ${at}`));
    assert.equal(time.fires, 100, 'one wake-up per tick');
    assert.equal(ticker.timeOfTick(42), readings[41]);
  });

  test('it sleeps through quiet ticks and performs them in one burst at the tick that acts', () => {
    const { time, ticker, readings, start } = setup(() => 9);
    time.advanceTo(start + 100 * TICK + 5);
    assert.equal(ticker.count, 100);
    assert.equal(time.fires, 10, 'one wake-up per ten ticks');
    // Every tick of a burst is performed at the acting tick's time, after its own nominal time.
    readings.forEach((at, k) => assert.ok(at >= start + (k + 1) * TICK));
    assert.equal(readings[0], readings[9]);
  });

  // The HA driver and the session keeper look once per wake-up, after its ticks (issue 20).
  test('afterTicks: once per wake-up that performed ticks, after the last of them', () => {
    const time = new FakeTime();
    const start = time.now;
    const looks: number[] = [];
    const ticker = startTicker(
      time,
      () => {},
      () => 9,
      (count) => looks.push(count),
    );
    time.advanceTo(start + 30 * TICK + 5);
    assert.deepEqual(looks, [10, 20, 30], 'one look per burst of ten, after its last tick');
    time.advanceTo(start + 33 * TICK + 5);
    ticker.catchUp(); // an input mid-sleep: the owed ticks, then one look
    assert.deepEqual(looks, [10, 20, 30, 33]);
    ticker.catchUp(); // nothing due: no ticks, no look
    assert.deepEqual(looks, [10, 20, 30, 33]);
    time.jump(start + 95 * TICK + 5); // late: the rest of the plan is performed, then one look
    time.runOverdue();
    assert.deepEqual(looks, [10, 20, 30, 33, 40]);
  });

  test('catchUp performs the ticks that are due and no more; the timer keeps its plan', () => {
    const { time, ticker, start } = setup(() => 49);
    time.advanceTo(start + 23 * TICK + 7);
    assert.equal(ticker.count, 0, 'asleep');
    ticker.catchUp();
    assert.equal(ticker.count, 23);
    ticker.catchUp();
    assert.equal(ticker.count, 23, 'nothing new is due');
    time.advanceTo(start + 50 * TICK + 5);
    assert.equal(ticker.count, 50);
    assert.equal(time.fires, 1);
  });

  test('replan wakes it at the next tick when the quiet period ends early', () => {
    let quiet = 49;
    const { time, ticker, start } = setup(() => quiet);
    time.advanceTo(start + 10 * TICK + 3);
    ticker.catchUp();
    assert.equal(ticker.count, 10);
    quiet = 0;
    ticker.replan();
    time.advanceTo(start + 11 * TICK + 5);
    assert.equal(ticker.count, 11, 'ticking on time again');
    quiet = 1000;
    ticker.replan(); // a longer quiet period never delays the timer already set
    time.advanceTo(start + 12 * TICK + 5);
    assert.equal(ticker.count, 12);
  });

  test('replan during a sleep keeps the ticks it already owes: performed at the wake-up, not dropped', () => {
    let quiet = 49;
    const { time, ticker, start } = setup(() => quiet);
    time.advanceTo(start + 10 * TICK + 3);
    assert.equal(ticker.count, 0, 'asleep, ten ticks owed');
    // The state changed without a message (a proposal, an HA input): the next tick acts.
    quiet = 0;
    ticker.replan();
    time.runOverdue();
    assert.equal(ticker.count, 10, 'the owed ticks, performed at once');
    time.advanceTo(start + 11 * TICK + 5);
    assert.equal(ticker.count, 11, 'then on time');
    // Early in a sleep the replanned wake-up is the next acting tick, not the old one.
    quiet = 20;
    time.advanceTo(start + 12 * TICK + 5);
    assert.equal(ticker.count, 12);
    time.advanceTo(start + 14 * TICK + 5);
    quiet = 3;
    ticker.replan();
    time.advanceTo(start + 16 * TICK + 5);
    assert.equal(ticker.count, 16, 'three quiet ticks after the last one performed, then the acting one');
  });

  test('a late process does not replay the ticks it missed beyond the planned ones', () => {
    const { time, ticker, start } = setup(() => 4);
    time.advanceTo(start + 5 * TICK + 5);
    assert.equal(ticker.count, 5);
    time.jump(start + 205 * TICK + 3); // stopped for two seconds
    time.runOverdue();
    assert.equal(ticker.count, 10, 'the five planned ticks, not two hundred');
    time.advanceTo(start + 210 * TICK + 5);
    assert.equal(ticker.count, 15, 'the phase is kept');
  });

  // The active node's lease check (issue 19): a process stopped across the check's deadline
  // must make the check as soon as it runs again, before it steps any input, not sleep on
  // through the rest of a plan made before the stop. The plan is in nominal times, so the
  // ticks it covered are due at once.
  test('stopped across a lease-check deadline, it makes the check as soon as it runs again', () => {
    for (const input of [false, true]) {
      const time = new FakeTime();
      const start = time.now;
      const deadline = start + 8 * TICK + 4;
      const checks: number[] = [];
      const ticker = startTicker(
        time,
        () => {
          if (time.now >= deadline && checks.length === 0) checks.push(time.now);
        },
        () => (checks.length > 0 ? 0 : quietTicksUntil(deadline, time.now, TICK)),
      );
      time.advanceTo(start + 2 * TICK + 5);
      assert.equal(ticker.count, 0, 'asleep until the tick of the check');
      time.jump(start + 11 * TICK + 7); // stopped past the deadline
      if (input)
        ticker.catchUp(); // a message was waiting: its owed ticks come first
      else time.runOverdue();
      assert.deepEqual(checks, [start + 11 * TICK + 7], `checked at once on ${input ? 'the first input' : 'the overdue timer'}`);
    }
  });

  test('stopped across a lease-check deadline, a check made after the ticks (the HA driver) is made at once too', () => {
    for (const input of [false, true]) {
      const time = new FakeTime();
      const start = time.now;
      const deadline = start + 8 * TICK + 4;
      const checks: number[] = [];
      const ticker = startTicker(
        time,
        () => {},
        () => (checks.length > 0 ? 0 : quietTicksUntil(deadline, time.now, TICK)),
        () => {
          if (time.now >= deadline && checks.length === 0) checks.push(time.now);
        },
      );
      time.advanceTo(start + 2 * TICK + 5);
      assert.equal(ticker.count, 0, 'asleep until the tick of the check');
      time.jump(start + 11 * TICK + 7);
      if (input) ticker.catchUp();
      else time.runOverdue();
      assert.deepEqual(checks, [start + 11 * TICK + 7], `checked at once on ${input ? 'the first input' : 'the overdue timer'}`);
    }
  });

  test('quietTicks is bounded; stop() cancels the timer', () => {
    const { time, ticker, start } = setup(() => Number.POSITIVE_INFINITY);
    time.advanceTo(start + MAX_QUIET_TICKS * TICK + 5);
    assert.equal(ticker.count, 0);
    time.advanceTo(start + (MAX_QUIET_TICKS + 1) * TICK + 5);
    assert.equal(ticker.count, MAX_QUIET_TICKS + 1);
    ticker.stop();
    assert.equal(time.armed, 0);
    ticker.catchUp();
    assert.equal(ticker.count, MAX_QUIET_TICKS + 1);
  });
});

/**
 * A follower's election timer: `timeout` ticks without a heartbeat and it acts (and starts
 * over). Its quiet ticks are the ones before the acting one (Raft.quietTicks for a follower).
 */
class ModelFollower {
  elapsed = 0;
  readonly actedAt: number[] = [];
  constructor(readonly timeout: number) {}
  quietTicks(): number {
    return Math.max(0, this.timeout - this.elapsed - 1);
  }
  tick(now: number): void {
    if (++this.elapsed >= this.timeout) {
      this.elapsed = 0;
      this.actedAt.push(now);
    }
  }
  heartbeat(): void {
    this.elapsed = 0;
  }
}

/** The nominal tick times at which an every-tick interval makes the model act. */
function idealActions(start: number, end: number, timeout: number, heartbeats: readonly number[]): number[] {
  const out: number[] = [];
  let elapsed = 0;
  let h = 0;
  for (let k = 1; start + k * TICK <= end; k++) {
    const at = start + k * TICK;
    while (h < heartbeats.length && heartbeats[h] < at) {
      elapsed = 0;
      h++;
    }
    if (++elapsed >= timeout) {
      elapsed = 0;
      out.push(at);
    }
  }
  return out;
}

/**
 * Runs the model through a ticker (or, with `mutant`, a broken variant of the node's use of it)
 * and returns where its actions differ from the ideal interval's, if anywhere.
 */
function runModel(timeout: number, gaps: readonly number[], mutant?: 'noCatchUp' | 'eagerCatchUp'): string | undefined {
  const time = new FakeTime();
  const model = new ModelFollower(timeout);
  const start = time.now;
  const ticker = startTicker(
    time,
    () => model.tick(time.now),
    () => model.quietTicks(),
  );
  const heartbeats: number[] = [];
  let t = start;
  for (const gap of gaps) {
    t += gap;
    time.advanceTo(t);
    // Skip heartbeats that fall exactly on a nominal tick: which comes first is then a race in
    // a real process too, and the ideal model would have to pick one.
    if ((t - start) % TICK === 0) continue;
    if (mutant !== 'noCatchUp') ticker.catchUp();
    if (mutant === 'eagerCatchUp') for (let i = 0; i < 3; i++) ticker.tickOnce();
    model.heartbeat();
    heartbeats.push(t);
    ticker.replan();
    if (ticker.count > Math.floor((time.now - start) / TICK))
      return `tick ${ticker.count} performed before its nominal time (now ${time.now - start} ms)`;
  }
  // Halfway between two nominal ticks, so every action is clearly before or after it.
  const end = start + Math.ceil((t + 3 * timeout * TICK - start) / TICK) * TICK + TICK / 2;
  time.advanceTo(end);
  const ideal = idealActions(start, end, timeout, heartbeats).map((a) => a - start);
  const actual = model.actedAt.filter((a) => a <= end).map((a) => a - start);
  if (actual.length !== ideal.length) return `acted at ${JSON.stringify(actual)}, an interval would at ${JSON.stringify(ideal)}`;
  for (let i = 0; i < ideal.length; i++) {
    // On time: at or after the nominal tick, within the timer's 1 ms rounding allowance.
    if (actual[i] < ideal[i] || actual[i] > ideal[i] + 2) return `action ${i} at ${actual[i]} ms, nominal ${ideal[i]} ms`;
  }
  return undefined;
}

const gapsArb = fc.array(
  fc.oneof(
    fc.integer({ min: 1, max: 3 * TICK }).map((ms) => ms + 0.5), // heartbeats in time
    fc.integer({ min: 3 * TICK, max: 40 * TICK }).map((ms) => ms + 0.25), // silences past the timeout
  ),
  { maxLength: 60 },
);

describe('Ticker with quiet ticks acts exactly when an every-tick interval would', () => {
  test('property: a heartbeat-reset election timer times out at the same ticks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), gapsArb, (timeout, gaps) => runModel(timeout, gaps) === undefined),
      { numRuns: 300, seed: 20261126 },
    );
  });

  test('the property has teeth: a heartbeat stepped before the missing ticks, or ticks performed early, are caught', () => {
    for (const mutant of ['noCatchUp', 'eagerCatchUp'] as const) {
      const r = fc.check(
        fc.property(fc.integer({ min: 1, max: 30 }), gapsArb, (timeout, gaps) => runModel(timeout, gaps, mutant) === undefined),
        { numRuns: 300, seed: 20261126 },
      );
      assert.ok(r.failed, `${mutant} went unnoticed`);
    }
  });
});
