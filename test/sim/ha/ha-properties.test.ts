// Single active, in the deterministic simulator (docs/design.md "Single active"; issue 4 "Tests"):
// every node runs the real RoleController on its own drifting clock, fed from its core's
// Ready stream (lease from quorum-acknowledged heartbeat rounds, the applied HA record),
// and carries out promote / demote / fence sequences on simulated resources. After every
// event: active intervals [promote start, demote end or fence end] of different promotions
// never overlap in real time, epochs strictly increase, and a promotion starts only on its
// committed Promote entry. After healing, some node is active within a stated bound.
//
// Fencing mode `hook` runs under the full nemesis: partitions (symmetric, one-way, partial),
// loss, duplication, delay, crashes (the service keeps running), pauses of any length (also
// between the lease check and the action: sequences start a few ms after the decision),
// drift within the bound, transfers, membership changes. Fencing mode `lease` runs under the
// same nemesis EXCEPT crashing or pausing nodes: the documented gap (a stopped agent keeps its
// VIP; only a fence covers it).
//
// PALISADE_SIM_SEED and PALISADE_SIM_RUNS_FACTOR explore further. A failure prints the
// fast-check seed and path, the shrunk actions, the active intervals and the trace.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeHaTiming } from '../../../src/ha/timing.js';
import { HaCluster, HA_TIMING, runHaCampaign, runHaScenario } from './ha-scenario.js';

const SEED = Number(process.env['PALISADE_SIM_SEED'] ?? 20240610);
const FACTOR = Number(process.env['PALISADE_SIM_RUNS_FACTOR'] ?? 1);

// The fixed-seed baseline; rotating-seeds.test.ts adds a new seed per run under several weight
// mixes, with the part of the budget these runs gave up.
const CAMPAIGNS = [
  { fencing: 'hook', nodes: 3, runs: 500 },
  { fencing: 'hook', nodes: 5, runs: 200 },
  { fencing: 'lease', nodes: 3, runs: 500 },
  { fencing: 'lease', nodes: 5, runs: 200 },
] as const;

describe('single active: the simulation campaign', () => {
  test('the timing the simulation uses passes the validator in both fencing modes', () => {
    for (const fencing of ['hook', 'lease'] as const) {
      const t = computeHaTiming({ ...HA_TIMING, fencing });
      assert.deepEqual(t.problems, [], t.explanation);
    }
  });

  for (const { fencing, nodes, runs } of CAMPAIGNS) {
    const what = fencing === 'hook' ? 'every fault' : 'every fault but crashing or pausing nodes';
    test(`fencing ${fencing}, ${nodes} nodes: intervals never overlap, epochs grow, an active node returns after healing (${what})`, () => {
      const n = Math.max(1, Math.round(runs * FACTOR));
      const r = runHaCampaign({ runs: n, seed: SEED + nodes + (fencing === 'hook' ? 0 : 100), nodes, fencing });
      if (r.counterexample !== undefined) assert.fail(r.counterexample.report);
      assert.equal(r.runs, n);
      // The campaign must exercise the role, not an idle cluster: several promotions per run.
      assert.ok(r.promotions >= 2 * n, `only ${r.promotions} promotions in ${n} runs`);
      console.log(
        `fencing ${fencing}, ${nodes} nodes: ${n} runs, ${r.promotions} promotions, ${r.events} events, ` +
          `slowest recovery after healing ${r.maxRecoveryMs.toFixed(0)} ms, ${(r.elapsedMs / 1000).toFixed(1)} s`,
      );
    });
  }
});

// The agent's quiet ticks (src/server/ticker.ts): an inactive follower owes the ticks that would
// only count, the active leader the ones before its next heartbeat and before its lease check,
// and each performs them before its next input. The lease maths rests on the followers' tick
// counts (stickiness) and on the active node checking its lease in time, so the single-active
// campaign runs with them too, and the quiet-tick oracle hands a copy of the controller each
// owed tick at its due time (it must neither act nor change). The order "owed ticks, then the
// message" is checked against an every-tick interval in test/server/ticker.test.ts. The teeth
// tests: a follower that owes its acting tick (seen end to end, oracle off), and an active
// leader that sleeps as if it had no lease check (seen by the oracle).
describe('single active with quiet ticks', () => {
  for (const fencing of ['lease', 'hook'] as const) {
    test(`fencing ${fencing}, 3 nodes: intervals never overlap, an active node returns after healing`, () => {
      const n = Math.max(1, Math.round(400 * FACTOR));
      const r = runHaCampaign({ runs: n, seed: SEED + 300 + (fencing === 'hook' ? 0 : 100), nodes: 3, fencing, quietTicks: true });
      if (r.counterexample !== undefined) assert.fail(r.counterexample.report);
      assert.equal(r.runs, n);
      assert.ok(r.promotions >= 2 * n, `only ${r.promotions} promotions in ${n} runs`);
    });
  }

  test('teeth: a follower that sleeps through its election timeout is caught (no active node after healing)', () => {
    const r = runHaCampaign({ runs: 300, seed: SEED + 400, nodes: 3, fencing: 'hook', quietTicks: 'neverWake', maxShrinkRuns: 100 });
    assert.ok(r.counterexample !== undefined, `neverWake went unnoticed in ${r.runs} cases`);
    console.log(`quiet ticks, neverWake: ${r.counterexample.invariant} at case ${r.runs}: ${r.counterexample.message}`);
  });

  test('teeth: an active leader that sleeps through its lease check is caught by the oracle', () => {
    const r = runHaCampaign({ runs: 300, seed: SEED + 500, nodes: 3, fencing: 'lease', quietTicks: 'ignoreLease', maxShrinkRuns: 100 });
    assert.ok(r.counterexample !== undefined, `ignoreLease went unnoticed in ${r.runs} cases`);
    assert.equal(r.counterexample.invariant, 'quiet-tick');
    console.log(`quiet ticks, ignoreLease: caught at case ${r.runs}: ${r.counterexample.message}`);
  });
});

describe('single active: the documented gap of fencing mode lease', () => {
  // docs/design.md "Single active" 6: a crashed or stopped agent cannot remove its VIP; only a fence
  // covers it. The oracle must see that, or the lease-mode campaign above proves little.
  test('fencing lease under crashes and pauses: the campaign finds two actives (within 300 cases)', () => {
    const r = runHaCampaign({ runs: 300, seed: SEED, nodes: 3, fencing: 'lease', nemesis: 'hook', maxShrinkRuns: 100 });
    assert.ok(r.counterexample !== undefined, `no overlap found in ${r.runs} cases`);
    assert.equal(r.counterexample.invariant, 'single-active');
  });
});

describe('single active: directed runs', () => {
  test('the same seed gives the same run (trace hash)', () => {
    const actions = [
      { kind: 'failover', fault: 'crash', maxMs: 1000 },
      { kind: 'wait', ms: 300 },
    ] as const;
    const a = runHaScenario(3, actions, { nodes: 3, fencing: 'hook' });
    const b = runHaScenario(3, actions, { nodes: 3, fencing: 'hook' });
    assert.equal(a.violation, undefined);
    assert.deepEqual(a.report, b.report);
    assert.deepEqual(a.traceTail, b.traceTail);
  });

  test('hook: the crashed active keeps its service until the new leader fences it, then the new one promotes', () => {
    const c = new HaCluster(5, { nodes: 3, fencing: 'hook', traceKeep: 2000 });
    const sim = c.sim;
    sim.runFor(600);
    const first = c.active();
    assert.ok(first !== undefined, 'an active node after warm-up');
    sim.crash(first);
    sim.runFor(1500, () => c.active() !== undefined);
    const second = c.active();
    assert.ok(second !== undefined && second !== first, c.describe().join('\n'));
    assert.equal(sim.violation, undefined);
    const old = c.intervals.all.find((i) => i.node === first)!;
    assert.match(old.closedBy, /^fenced by /, 'the crashed node was fenced, not waited out');
    const next = c.intervals.all.find((i) => i.node === second)!;
    assert.ok(next.start >= old.end!, 'the new promotion starts after the fence ended');
  });

  test('lease: the isolated active demotes before its lease ends; the new one starts after', () => {
    const c = new HaCluster(8, { nodes: 3, fencing: 'lease', traceKeep: 2000 });
    const sim = c.sim;
    sim.runFor(600);
    const first = c.active();
    assert.ok(first !== undefined, 'an active node after warm-up');
    sim.isolate(first);
    sim.runFor(1500, () => c.active() !== undefined && c.active() !== first);
    const second = c.active();
    assert.ok(second !== undefined && second !== first, c.describe().join('\n'));
    assert.equal(sim.violation, undefined);
    const old = c.intervals.all.find((i) => i.node === first)!;
    assert.match(old.closedBy, /^demote /);
    const next = c.intervals.all.find((i) => i.node === second)!;
    assert.ok(next.start >= old.end!);
  });
});
