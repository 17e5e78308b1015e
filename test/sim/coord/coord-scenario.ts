// One coordination run and the random campaign over them: a cluster with the coordination
// service and its clients (coord-cluster.ts) under the nemesis (coord-nemesis.ts), every
// property checked as it runs (oracle.ts); after the actions every fault is healed and some
// client must be granted something within a stated bound.
import fc from 'fast-check';
import { livenessBoundMs } from '../scenario.js';
import { CoordCluster, COORD_TTL_MS, DEFAULT_CLIENT_SETTINGS } from './coord-cluster.js';
import type { CoordClusterOptions, CoordTweaks } from './coord-cluster.js';
import { applyCoordAction, coordActionsArb, formatCoordActions } from './coord-nemesis.js';
import type { CoordAction } from './coord-nemesis.js';
import { CoordInvariant } from './oracle.js';
import type { CoordStats } from './oracle.js';
import type { ActionGroup } from '../nemesis.js';

export interface CoordScenarioOptions extends CoordClusterOptions {
  /** Quiet time before the clients start (a leader usually exists). */
  readonly warmupMs?: number;
}

export interface CoordScenarioResult {
  readonly violation: { readonly invariant: string; readonly message: string; readonly time: number } | undefined;
  readonly events: number;
  readonly simTimeMs: number;
  readonly stats: CoordStats;
  /** Simulated ms from healing until the next grant. */
  readonly recoveryMs?: number;
  readonly report: readonly string[];
  readonly traceTail: readonly string[];
}

/**
 * After healing, a grant must come within: the Raft bound (a leader that commits), a session's
 * expiry on the leader's clock (a holder whose client was lost), the longest stall of a holder
 * before it releases, and a second of acquire retries and round trips.
 */
export function progressBoundMs(c: CoordCluster): number {
  const settings = { ...DEFAULT_CLIENT_SETTINGS, ...c.opts.tweaks?.client };
  return livenessBoundMs(c.sim) + (2 * COORD_TTL_MS) / (1 - c.sim.maxDrift) + settings.maxStallMs + 1000;
}

export function runCoordScenario(seed: number, actions: readonly CoordAction[], opts: CoordScenarioOptions): CoordScenarioResult {
  const c = new CoordCluster(seed, opts);
  const sim = c.sim;
  sim.runFor(opts.warmupMs ?? 300);
  c.start();
  sim.runFor(200);
  for (const a of actions) {
    if (sim.violation !== undefined) break;
    applyCoordAction(c, a);
  }
  let recoveryMs: number | undefined;
  if (sim.violation === undefined) {
    c.healAll();
    const start = sim.now();
    const before = c.oracle.stats.grants;
    const bound = progressBoundMs(c);
    sim.runFor(bound, () => c.oracle.stats.grants > before);
    if (c.oracle.stats.grants > before) recoveryMs = sim.now() - start;
    else if (sim.violation === undefined) {
      c.violated(CoordInvariant.Progress, `no grant ${bound.toFixed(0)} ms after healing`);
    }
    // Let the clients go on for a while: a late overlap would show here.
    if (sim.violation === undefined) sim.runFor(500);
  }
  return {
    violation: sim.violation,
    events: sim.events,
    simTimeMs: sim.now(),
    stats: { ...c.oracle.stats },
    ...(recoveryMs !== undefined ? { recoveryMs } : {}),
    report: c.describe(),
    traceTail: sim.trace.tail(),
  };
}

export interface CoordCampaignOptions {
  readonly runs: number;
  /** fast-check seed: the same seed replays the same campaign. */
  readonly seed: number;
  readonly nodes: number;
  readonly clients?: number;
  readonly maxActions?: number;
  readonly tweaks?: CoordTweaks;
  readonly lockDelayMs?: number;
  /** Node fault weights (nemesis.ts groups); the simulator's own KV clients stay off. */
  readonly weights?: Partial<Record<ActionGroup, number>>;
  readonly maxShrinkRuns?: number;
  readonly path?: string;
}

export interface CoordCounterexample {
  readonly seed: number;
  readonly path: string;
  readonly simSeed: number;
  readonly actions: readonly CoordAction[];
  readonly invariant: string;
  readonly message: string;
  readonly report: string;
}

export interface CoordCampaignResult {
  readonly runs: number;
  readonly scenarios: number;
  readonly events: number;
  /** Summed over the generated runs (not the shrink attempts). */
  readonly stats: CoordStats;
  readonly maxRecoveryMs: number;
  readonly elapsedMs: number;
  readonly counterexample?: CoordCounterexample;
}

export function runCoordCampaign(opts: CoordCampaignOptions): CoordCampaignResult {
  const scenario: CoordScenarioOptions = {
    nodes: opts.nodes,
    clients: opts.clients ?? 3,
    ...(opts.tweaks !== undefined ? { tweaks: opts.tweaks } : {}),
    ...(opts.lockDelayMs !== undefined ? { lockDelayMs: opts.lockDelayMs } : {}),
  };
  const budget = opts.maxShrinkRuns ?? 200;
  const totals: CoordStats = {
    grants: 0,
    expiries: 0,
    closes: 0,
    guardedApplied: 0,
    guardedRefused: 0,
    ephemeralDeleted: 0,
    beliefs: 0,
    lockDelays: 0,
  };
  let scenarios = 0;
  let events = 0;
  let maxRecoveryMs = 0;
  let failures = 0;
  let afterFirst = 0;
  const started = performance.now();
  const shape = {
    nodes: opts.nodes,
    clients: scenario.clients,
    maxDrift: opts.tweaks?.simMaxDrift ?? DEFAULT_CLIENT_SETTINGS.clock.driftBound,
    maxActions: opts.maxActions ?? 25,
    maxPauseMs: 4 * COORD_TTL_MS,
    ...(opts.weights !== undefined ? { weights: opts.weights } : {}),
  };
  const property = fc.property(fc.integer({ min: 0, max: 0x7fffffff }), coordActionsArb(shape), (simSeed, actions) => {
    if (failures > 0 && ++afterFirst > budget) return true; // stop shrinking: keep the smallest so far
    const r = runCoordScenario(simSeed, actions, scenario);
    scenarios++;
    events += r.events;
    if (failures === 0) for (const k of Object.keys(totals) as (keyof CoordStats)[]) totals[k] += r.stats[k];
    maxRecoveryMs = Math.max(maxRecoveryMs, r.recoveryMs ?? 0);
    if (r.violation !== undefined) failures++;
    return r.violation === undefined;
  });
  const d = fc.check(property, { numRuns: opts.runs, seed: opts.seed, ...(opts.path !== undefined ? { path: opts.path } : {}) });
  const base = { runs: d.numRuns, scenarios, events, stats: totals, maxRecoveryMs, elapsedMs: performance.now() - started };
  if (!d.failed || d.counterexample === null) return base;
  const [simSeed, actions] = d.counterexample;
  const replay = runCoordScenario(simSeed, actions, { ...scenario, traceKeep: 400 });
  const v = replay.violation;
  return {
    ...base,
    counterexample: {
      seed: d.seed,
      path: d.counterexamplePath ?? '',
      simSeed,
      actions,
      invariant: v?.invariant ?? '(did not reproduce)',
      message: v?.message ?? '',
      report: formatCoordFailure(d.seed, d.counterexamplePath ?? '', simSeed, actions, replay),
    },
  };
}

export function formatCoordFailure(
  seed: number,
  path: string,
  simSeed: number,
  actions: readonly CoordAction[],
  r: CoordScenarioResult,
  traceLines = 150,
): string {
  const v = r.violation;
  return [
    `VIOLATION ${v?.invariant ?? '(none)'} at t=${v?.time.toFixed(2) ?? '?'}ms: ${v?.message ?? ''}`,
    `fast-check seed ${seed} path "${path}"; sim seed ${simSeed}; ${actions.length} actions:`,
    formatCoordActions(actions),
    'state at the end:',
    ...r.report.map((s) => `  ${s}`),
    `last ${traceLines} trace lines:`,
    ...r.traceTail.slice(-traceLines),
  ].join('\n');
}
