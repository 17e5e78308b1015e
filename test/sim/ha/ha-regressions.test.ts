// Named regression tests of the HA simulation: shrunk counterexamples from the single-active
// campaigns, replayed exactly (sim seed + action list, with the options the campaign used) and
// required to stay clean. Each also checks the moment the case was about.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Action } from '../nemesis.js';
import { HA_MUTANTS, HaMutantName } from './ha-mutants.js';
import { formatHaFailure, haConfig, HA_TIMING, runHaScenario } from './ha-scenario.js';
import type { HaScenarioOptions } from './ha-scenario.js';

interface HaRegression {
  readonly name: string;
  /** Where it came from: the campaign, its fast-check seed, and what it showed. */
  readonly origin: string;
  readonly simSeed: number;
  readonly options: HaScenarioOptions;
  readonly actions: readonly Action[];
  /** The node paused while active whose lease check must run at its first tick after resuming. */
  readonly pausedActive: string;
}

/** What runHaCampaign passes for a 3-node campaign with quiet ticks in fencing mode `hook`. */
const QUIET_HOOK_3: HaScenarioOptions = { nodes: 3, poolSize: 5, fencing: 'hook', quietTicks: true, traceKeep: 2000 };

const REGRESSIONS: readonly HaRegression[] = [
  {
    name: 'an active leader paused past its lease check runs it at its first tick after resuming (with failovers before)',
    origin:
      'issue 19, "single active with quiet ticks", fencing hook, PALISADE_SIM_SEED=7003 (fast-check seed 7303): ' +
      'quiet-tick — the simulator kept the quiet-tick plan of before the pause and spent it on the ticks after it',
    simSeed: 2013134762,
    options: QUIET_HOOK_3,
    actions: [
      { kind: 'failover', fault: 'isolate', maxMs: 1000 },
      { kind: 'failover', fault: 'crash', maxMs: 1000 },
      { kind: 'heal' },
      { kind: 'wait', ms: 247 },
      { kind: 'wait', ms: 12 },
      { kind: 'pause', node: 'n1' },
      { kind: 'wait', ms: 12 },
      { kind: 'wait', ms: 23 },
    ],
    pausedActive: 'n1',
  },
  {
    name: 'an active leader paused past its lease check runs it at its first tick after resuming (three actions)',
    origin:
      'issue 19, "single active with quiet ticks", fencing hook, PALISADE_SIM_SEED=7006 PALISADE_SIM_RUNS_FACTOR=4 ' +
      '(fast-check seed 7306, run 1169): the same cause, shrunk to three actions',
    simSeed: 362632811,
    options: QUIET_HOOK_3,
    actions: [
      { kind: 'pause', node: 'n2' },
      { kind: 'wait', ms: 40 },
      { kind: 'drift', node: 'n1', drift: 0 },
    ],
    pausedActive: 'n2',
  },
];

/** Simulated time of the first trace line matching `re` at or after `from`, if any. */
function timeOf(trace: readonly string[], re: RegExp, from = 0): number | undefined {
  for (const line of trace) {
    const t = Number.parseFloat(line);
    if (t >= from && re.test(line)) return t;
  }
  return undefined;
}

describe('single active: regressions', () => {
  for (const r of REGRESSIONS) {
    test(r.name, () => {
      const run = runHaScenario(r.simSeed, r.actions, r.options);
      const report = () => `${r.origin}\n${formatHaFailure(0, '', r.simSeed, r.actions, run)}`;
      assert.equal(run.violation, undefined, report());
      // The case must still reach its moment: the active node resumes after its lease check
      // was due, and the first tick after the resume (one tickMs of its clock) demotes it.
      const id = r.pausedActive;
      const resumed = timeOf(run.traceTail, new RegExp(`NEMESIS resume ${id} `));
      assert.ok(resumed !== undefined, `no resume of ${id}\n${report()}`);
      const demoted = timeOf(run.traceTail, new RegExp(`^\\s*[\\d.]+ ${id} HA run demote e\\d+ \\(lease expiring\\)`), resumed);
      assert.ok(demoted !== undefined, `${id} never ran its lease check's demotion after resuming\n${report()}`);
      const firstTick = HA_TIMING.tickMs / (1 - HA_TIMING.maxClockDrift);
      assert.ok(
        demoted - resumed <= firstTick,
        `${id} demoted ${(demoted - resumed).toFixed(2)} ms after resuming, later than its first tick\n${report()}`,
      );
    });
  }
});

// Issue 16, mutant demote-at-lease-end: the shrunk case the HA teeth campaign found (fencing
// lease, fast-check seed 20240611, case 36, path "35:5:9:17"). The active leader n2 is cut off;
// its lease check demotes it, and the new leader n1 — elected at the earliest moment stickiness
// allows — promotes right after that demotion ends. A demotion that started only at the lease's
// end would still be running then.
describe('single active: the demote budget (issue 16)', () => {
  const simSeed = 518269662;
  const actions: readonly Action[] = [{ kind: 'isolateLeader' }, { kind: 'awaitCommit', maxMs: 1000 }, { kind: 'isolateLeader' }];
  /** What runHaCampaign passes for a 3-node campaign in fencing mode lease. */
  const options: HaScenarioOptions = { nodes: 3, poolSize: 5, fencing: 'lease', timing: 'adversarial', traceKeep: 3000 };

  test('an isolated active demotes a budget before its lease ends, so the next promotion starts after it', () => {
    const run = runHaScenario(simSeed, actions, options);
    const report = () => formatHaFailure(0, '', simSeed, actions, run);
    assert.equal(run.violation, undefined, report());
    // The moment: n2's lease demotion ends, and n1 promotes less than one demote budget later
    // (so a demotion started at the lease's end would still be running).
    const demoteStart = timeOf(run.traceTail, /^\s*[\d.]+ n2 HA run demote e\d+ \(lease expiring\)/);
    assert.ok(demoteStart !== undefined, `n2 never demoted for its lease\n${report()}`);
    const demoteEnd = timeOf(run.traceTail, /^\s*[\d.]+ n2 DEMOTED: interval/, demoteStart);
    const promoted = timeOf(run.traceTail, /^\s*[\d.]+ n1 PROMOTE e\d+ starts/, demoteStart);
    assert.ok(demoteEnd !== undefined && promoted !== undefined, report());
    const budget = haConfig('n1', 'lease').demoteBudgetMs;
    assert.ok(
      promoted >= demoteEnd && promoted - demoteEnd < budget,
      `gap ${(promoted - demoteEnd).toFixed(2)} ms, budget ${budget} ms\n${report()}`,
    );
  });

  test('the same run with the demotion started at the lease end has two active nodes', () => {
    const m = HA_MUTANTS.find((x) => x.name === HaMutantName.DemoteAtLeaseEnd)!;
    const run = runHaScenario(simSeed, actions, { ...options, tweaks: m.tweaks });
    assert.equal(run.violation?.invariant, 'single-active', formatHaFailure(0, '', simSeed, actions, run));
  });
});
