// The property campaign: fast-check generates (sim seed, append size, nemesis actions), each case runs
// one scenario, and a failure is shrunk to a short action list. The result carries the
// counterexample instead of throwing, so mutation tests can assert that a broken core is
// caught (and how small the shrunk case is) and the soak CLI can print it.
import fc from 'fast-check';
import { Invariant } from './invariants.js';
import type { Violation } from './invariants.js';
import { actionsArb } from './nemesis.js';
import type { Action, ActionGroup } from './nemesis.js';
import { formatFailure, runScenario } from './scenario.js';
import type { ScenarioOptions } from './scenario.js';

export interface CampaignOptions {
  readonly runs: number;
  /** fast-check seed; the same seed replays the same campaign. */
  readonly seed: number;
  /** Initial voters (3, 5, 7...). */
  readonly nodes: number;
  /** Ids that may join later: n(nodes+1)..n(poolSize). Default nodes + 2. */
  readonly poolSize?: number;
  /** Upper bound on nemesis actions per run. Default 40. */
  readonly maxActions?: number;
  readonly weights?: Partial<Record<ActionGroup, number>>;
  /** Simulator and scenario settings (executor, timing, bootstrap...). */
  readonly scenario?: Omit<ScenarioOptions, 'nodes' | 'poolSize'>;
  /**
   * Append sizes drawn per run (bytes of entry data per AppendEntries). Default [1024, 1]:
   * half the runs send one entry per append, so a follower can hold an old-term entry without
   * the new leader's no-op behind it (Figure 8). A fixed scenario.maxSizePerMsg overrides it.
   */
  readonly appendSizes?: readonly number[];
  /** Scenario executions allowed for shrinking after the first failure. Default 400. */
  readonly maxShrinkRuns?: number;
  /** Replay one fast-check path (from a previous report) instead of searching. */
  readonly path?: string;
  /** Called after every executed scenario (runs and shrink attempts). */
  readonly onScenario?: (info: { events: number; failed: boolean }) => void;
}

export interface Counterexample {
  /** fast-check seed and path: `runCampaign({ ..., seed, path })` replays exactly this case. */
  readonly seed: number;
  readonly path: string;
  readonly simSeed: number;
  /** The append size drawn for this run (pass it as scenario.maxSizePerMsg to replay). */
  readonly maxSizePerMsg: number;
  readonly actions: readonly Action[];
  /** Number of actions in the shrunk counterexample. */
  readonly shrunkActions: number;
  readonly numShrinks: number;
  readonly violation: Violation;
  /** Human-readable report: violation, actions, node states, the last 60 trace lines. */
  readonly report: string;
}

export interface CampaignResult {
  /** Generated cases run before stopping (excluding shrink attempts). */
  readonly runs: number;
  /** Scenario executions, shrink attempts included. */
  readonly scenarios: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** Runs whose linearizability search ran out of budget. */
  readonly linearizabilityUnknown: number;
  readonly counterexample?: Counterexample;
}

export function runCampaign(opts: CampaignOptions): CampaignResult {
  const poolSize = opts.poolSize ?? opts.nodes + 2;
  const scenario: ScenarioOptions = { ...opts.scenario, nodes: opts.nodes, poolSize };
  const shape = {
    nodes: opts.nodes,
    poolSize,
    maxDrift: scenario.maxDrift ?? 0.01,
    maxActions: opts.maxActions ?? 40,
    ...(opts.weights !== undefined ? { weights: opts.weights } : {}),
  };
  const sizes = scenario.maxSizePerMsg !== undefined ? [scenario.maxSizePerMsg] : (opts.appendSizes ?? [1024, 1]);
  const shrinkBudget = opts.maxShrinkRuns ?? 400;
  let scenarios = 0;
  let events = 0;
  let unknown = 0;
  let failures = 0;
  let afterFirstFailure = 0;
  const started = performance.now();
  const simSeedArb = fc.integer({ min: 0, max: 0x7fffffff });
  const property = fc.property(simSeedArb, fc.constantFrom(...sizes), actionsArb(shape), (simSeed, maxSizePerMsg, actions) => {
    // Past the shrink budget, report success so fast-check stops at the smallest case so far.
    if (failures > 0 && ++afterFirstFailure > shrinkBudget) return true;
    const r = runScenario(simSeed, actions, { ...scenario, maxSizePerMsg });
    scenarios++;
    events += r.events;
    if (r.linearizabilityUnknown !== undefined) unknown++;
    const failed = r.violation !== undefined;
    if (failed) failures++;
    opts.onScenario?.({ events: r.events, failed });
    return !failed;
  });
  const details = fc.check(property, {
    numRuns: opts.runs,
    seed: opts.seed,
    ...(opts.path !== undefined ? { path: opts.path } : {}),
  });
  const elapsedMs = performance.now() - started;
  const base = {
    runs: details.numRuns,
    scenarios,
    events,
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
    linearizabilityUnknown: unknown,
  };
  if (!details.failed || details.counterexample === null) {
    return base;
  }
  const [simSeed, maxSizePerMsg, actions] = details.counterexample;
  const replay = runScenario(simSeed, actions, { ...scenario, maxSizePerMsg, traceKeep: 200 });
  const violation: Violation = replay.violation ?? {
    invariant: Invariant.CoreException,
    message: `did not reproduce on replay${details.errorInstance !== null ? `: ${String(details.errorInstance)}` : ''}`,
    time: 0,
  };
  const header = `fast-check seed ${details.seed} path "${details.counterexamplePath ?? ''}" (${details.numShrinks} shrinks)`;
  return {
    ...base,
    counterexample: {
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      simSeed,
      maxSizePerMsg,
      actions,
      shrunkActions: actions.length,
      numShrinks: details.numShrinks,
      violation,
      report: `${header}; maxSizePerMsg ${maxSizePerMsg}\n${formatFailure(simSeed, actions, replay)}`,
    },
  };
}
