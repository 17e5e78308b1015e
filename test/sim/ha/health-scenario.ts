// HA simulation runs with service health (issue 15), on the HA cluster of ha-scenario.ts:
// - runCheckedScenario: the HA nemesis, plus every node's service failing and recovering at
//   random times; single-active (the cluster's interval oracle), "an unhealthy node is never
//   promoted" (service-health.ts), and after healing (services too) an active node appears.
// - runHealthFailover: a quiet cluster whose active node's service fails: the role must move to
//   a healthy node within a stated bound (liveness) — or, when no other node is healthy, stay.
import fc from 'fast-check';
import { Health } from '../../../src/statemachine/ha-record.js';
import type { FencingMode } from '../../../src/ha/types.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { Invariant } from '../invariants.js';
import { applyAction } from '../nemesis.js';
import type { Action } from '../nemesis.js';
import { HaInvariant } from './active-intervals.js';
import { HaCluster, haActionsArb, haConfig, HA_TIMING, formatHaFailure } from './ha-scenario.js';
import type { HaScenarioResult } from './ha-scenario.js';
import { CHECK, checkedConfig, checkedFactory, HealthInvariant, ServiceModel } from './service-health.js';
import type { HealthWorld } from './service-health.js';

export interface CheckedOptions {
  readonly nodes: number;
  readonly fencing: FencingMode;
  readonly onNoHealthyCandidate?: 'keep' | 'demote';
  /** Teeth: what the controller is told instead of its verdict. */
  readonly distort?: (h: Health) => Health;
  readonly traceKeep?: number;
}

function cluster(seed: number, random: boolean, opts: CheckedOptions): { c: HaCluster; world: HealthWorld } {
  const world: HealthWorld = { services: new ServiceModel(seed, random), sim: undefined, verdicts: new Map() };
  const c = new HaCluster(seed, {
    nodes: opts.nodes,
    fencing: opts.fencing,
    timing: 'adversarial',
    traceKeep: opts.traceKeep ?? 200,
    tweaks: { config: checkedConfig(opts.onNoHealthyCandidate), factory: checkedFactory(world, undefined, opts.distort) },
  });
  world.sim = c.sim;
  return { c, world };
}

/** How long after a failed service the role has moved: detection, then an ordered switchover. */
export function failoverBoundMs(fencing: FencingMode): number {
  const cfg = haConfig('n1', fencing);
  const detect = ((CHECK.fall + 1) * CHECK.intervalMs) / (1 - HA_TIMING.maxClockDrift);
  const electionMs = HA_TIMING.electionTick * HA_TIMING.tickMs;
  // Demote and confirm it, transfer (a few round trips), commit the promotion, promote.
  return detect + 2 * cfg.demoteBudgetMs + 6 * electionMs;
}

export function runCheckedScenario(seed: number, actions: readonly Action[], opts: CheckedOptions): HaScenarioResult {
  const { c, world } = cluster(seed, true, opts);
  const sim = c.sim;
  sim.runFor(600);
  for (const a of actions) {
    if (sim.violation !== undefined) break;
    applyAction(sim, a);
  }
  let recoveryMs: number | undefined;
  if (sim.violation === undefined) {
    for (const a of c.actors.values()) a.resources.reliable = true;
    sim.healAll();
    world.services.healAll(sim.now());
    const start = sim.now();
    // Every check needs `rise` passes before its node may hold the role again.
    const bound = c.progressBoundMs() + (CHECK.rise + 1) * CHECK.intervalMs + CHECK.cooldownMs;
    sim.runFor(bound, () => c.active() !== undefined);
    if (c.active() !== undefined) recoveryMs = sim.now() - start;
    else if (sim.violation === undefined)
      sim.checker.fail(
        HaInvariant.HaProgress as string as Invariant,
        `no active node ${bound.toFixed(0)} ms after healing every fault and service`,
      );
    if (sim.violation === undefined) sim.runFor(200);
  }
  return {
    violation: sim.violation,
    events: sim.events,
    simTimeMs: sim.now(),
    ...(recoveryMs !== undefined ? { recoveryMs } : {}),
    promotions: c.intervals.all.length,
    report: [...c.describe(), `verdicts: ${[...world.verdicts].map(([id, h]) => `${id}:${h}`).join(' ')}`],
    traceTail: sim.trace.tail(),
  };
}

export interface FailoverResult {
  readonly violation: HaScenarioResult['violation'];
  /** The node whose service failed ('' when no active node appeared first). */
  readonly failed: NodeId | '';
  /** The active node at the end ('' for none). */
  readonly activeAfter: NodeId | '';
  /** Simulated ms from the failure to a new active node (undefined when none). */
  readonly movedAfterMs?: number;
  readonly report: readonly string[];
  readonly traceTail: readonly string[];
}

/**
 * A quiet cluster, all services up; once a node is active, its service fails `delayMs` later.
 * `othersDown`: every other node's service failed before (nobody healthy to take over).
 */
export function runHealthFailover(seed: number, delayMs: number, othersDown: boolean, opts: CheckedOptions): FailoverResult {
  const { c, world } = cluster(seed, false, opts);
  const sim = c.sim;
  const settled = (): boolean => c.active() !== undefined && [...world.verdicts.values()].every((h) => h === Health.Healthy);
  sim.runFor(3000, settled);
  const first = c.active();
  const done = (failed: NodeId | '', movedAfterMs?: number): FailoverResult => ({
    violation: sim.violation,
    failed,
    activeAfter: c.active() ?? '',
    ...(movedAfterMs !== undefined ? { movedAfterMs } : {}),
    report: [...c.describe(), `verdicts: ${[...world.verdicts].map(([id, h]) => `${id}:${h}`).join(' ')}`],
    traceTail: sim.trace.tail(),
  });
  if (first === undefined || sim.violation !== undefined) {
    if (sim.violation === undefined)
      sim.checker.fail(HaInvariant.HaProgress as string as Invariant, 'no active node with every check healthy after 3 s');
    return done('');
  }
  if (othersDown) {
    for (const id of sim.nodes.keys()) if (id !== first) world.services.fail(id, sim.now());
    sim.runFor((CHECK.fall + 2) * CHECK.intervalMs);
  }
  sim.runFor(delayMs);
  const failed = c.active();
  if (failed === undefined) return done(first);
  world.services.fail(failed, sim.now());
  sim.addTrace(`${failed} TEST service fails`);
  const t0 = sim.now();
  const bound = failoverBoundMs(opts.fencing);
  const moved = (): boolean => {
    const a = c.active();
    return a !== undefined && a !== failed;
  };
  sim.runFor(othersDown ? 3 * bound : bound, moved);
  if (othersDown || sim.violation !== undefined) return done(failed);
  if (!moved()) {
    sim.checker.fail(
      HealthInvariant.HealthFailover as string as Invariant,
      `${failed}'s service failed at ${t0.toFixed(0)} ms; no other node active ${bound.toFixed(0)} ms later`,
    );
    return done(failed);
  }
  const movedAfterMs = sim.now() - t0;
  sim.runFor(300); // a late overlap would show here
  return done(failed, movedAfterMs);
}

export interface CheckedCampaignResult {
  readonly runs: number;
  readonly promotions: number;
  readonly maxRecoveryMs: number;
  readonly failure?: string;
}

/** The random campaign: fast-check draws the sim seed and the nemesis actions. */
export function runCheckedCampaign(runs: number, fcSeed: number, opts: CheckedOptions): CheckedCampaignResult {
  let promotions = 0;
  let maxRecoveryMs = 0;
  const nemesis = opts.fencing;
  const property = fc.property(
    fc.integer({ min: 0, max: 0x7fffffff }),
    haActionsArb(opts.nodes, opts.nodes + 2, nemesis, HA_TIMING.maxClockDrift, 20),
    (simSeed, actions) => {
      const r = runCheckedScenario(simSeed, actions, opts);
      promotions += r.promotions;
      maxRecoveryMs = Math.max(maxRecoveryMs, r.recoveryMs ?? 0);
      return r.violation === undefined;
    },
  );
  const d = fc.check(property, { numRuns: runs, seed: fcSeed, endOnFailure: true });
  if (!d.failed || d.counterexample === null) return { runs: d.numRuns, promotions, maxRecoveryMs };
  const [simSeed, actions] = d.counterexample;
  const replay = runCheckedScenario(simSeed, actions, { ...opts, traceKeep: 400 });
  return {
    runs: d.numRuns,
    promotions,
    maxRecoveryMs,
    failure: formatHaFailure(d.seed, d.counterexamplePath ?? '', simSeed, actions, replay),
  };
}
