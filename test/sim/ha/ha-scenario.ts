// One HA simulation run and the random campaign over them: the simulator's cluster with an HA
// agent per node (ha-actor.ts), simulated resources (resource-sim.ts) and the single-active
// oracle (active-intervals.ts), under the simulator's nemesis. After the actions every fault
// is healed and an active node must appear within a stated bound.
import fc from 'fast-check';
import { decodeHaCommand, isHaCommand } from '../../../src/statemachine/ha-state.js';
import { computeHaTiming, leaseRenewalMs } from '../../../src/ha/timing.js';
import type { TimingInput } from '../../../src/ha/timing.js';
import type { FencingMode, HaConfig, HookKind } from '../../../src/ha/types.js';
import { seededRng } from '../../../src/raft/rng.js';
import { PREVOTE_RETRY_TICKS, staggeredElectionTimeout } from '../../../src/server/election-order.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { Invariant } from '../invariants.js';
import { actionArb, applyAction, formatActions } from '../nemesis.js';
import type { Action, ActionGroup, NemesisShape } from '../nemesis.js';
import { livenessBoundMs } from '../scenario.js';
import type { SimNode } from '../sim-node.js';
import { Simulator } from '../simulator.js';
import type { SimOptions } from '../simulator.js';
import { ActiveIntervals, HaInvariant } from './active-intervals.js';
import type { IntervalViolation } from './active-intervals.js';
import { HaActor, realController } from './ha-actor.js';
import type { ControllerFactory } from './ha-actor.js';
import type { HookSettings, ResourceHost, ResourceRunner } from './resource-sim.js';

/**
 * The timing every run uses: the simulator's core (10 ms ticks, election 10 ticks, heartbeat
 * 2 ticks, 1% drift) and a 30 ms demote budget (25 ms hook timeout + 5 ms VIP). The validator
 * accepts it in both fencing modes: L ≈ 86.2 ms > heartbeat 20 + round trip 20 + budget 30 + tick 10.
 */
export const HA_TIMING: Omit<TimingInput, 'fencing'> = {
  tickMs: 10,
  electionTick: 10,
  heartbeatTick: 2,
  maxClockDrift: 0.01,
  marginMs: 2,
  demoteBudgetMs: 30,
  rttAllowanceMs: 20,
};

/**
 * The same with an election timeout of 20 ticks: L ≈ 184 ms leaves room for a lease renewal
 * every third heartbeat (leaseRenewalMs: 60 ms), so the rounds in between go out with optional answers
 * (RaftConfig.quorumAckTicks), as with the agent's defaults. With HA_TIMING every round is a
 * renewal.
 */
export const HA_TIMING_LONG_LEASE: Omit<TimingInput, 'fencing'> = { ...HA_TIMING, electionTick: 20 };

export const HA_HOOKS: HookSettings = { hookTimeoutMs: 25, vipMs: 5, failPct: 5, hangPct: 5, atLimitPct: 0, startDelayMaxMs: 3 };
/** The campaigns' hooks: a fifth of them succeed only at their timeout, a fifth of VIP steps take all of vipMs. */
export const HA_HOOKS_AT_LIMITS: HookSettings = { ...HA_HOOKS, atLimitPct: 20 };

export function haConfig(nodeId: NodeId, fencing: FencingMode, timing: Omit<TimingInput, 'fencing'> = HA_TIMING): HaConfig {
  const t = computeHaTiming({ ...timing, fencing });
  if (t.problems.length > 0) throw new Error(`HA timing rejected: ${t.problems.join('; ')}`);
  return {
    nodeId,
    fencing,
    leaseMs: t.leaseMs,
    outliveMs: t.outliveMs,
    demoteBudgetMs: t.demoteBudgetMs,
    noActive: false,
    priority: 0,
    failback: false,
    promoteBackoffMinMs: 50,
    promoteBackoffMaxMs: 400,
  };
}

/** Test-only deviations (the teeth): a different controller config or wrapper, a wider real drift. */
export interface HaTweaks {
  /** The config the controller runs with, derived from the correct one. */
  readonly config?: (cfg: HaConfig) => HaConfig;
  readonly factory?: ControllerFactory;
  /** Real clock-rate bound of the simulated nodes (default: the timing's maxClockDrift). */
  readonly simMaxDrift?: number;
}

export interface HaScenarioOptions {
  readonly nodes: number;
  readonly poolSize?: number;
  readonly fencing: FencingMode;
  readonly tweaks?: HaTweaks;
  /** Quiet time before the first action (a leader and an active node usually exist). */
  readonly warmupMs?: number;
  readonly traceKeep?: number;
  /**
   * The agent's quiet ticks (SimOptions.quietTicks). 'ignoreLease' is a broken variant for the
   * teeth tests: the active leader sleeps as if its lease check had no deadline.
   */
  readonly quietTicks?: boolean | 'neverWake' | 'ignoreLease';
  /**
   * 'adversarial' (what the campaigns run): hooks and VIP steps at their limits, the agent's
   * election policy in two runs of three (electionTiming), message delays at the edges of their
   * bounds. 'plain' (default): uniform draws, as before issue 16, so recorded runs still replay.
   */
  readonly timing?: 'adversarial' | 'plain';
  /** The HA and core timing (default HA_TIMING); the leader's renewal cadence follows from it. */
  readonly haTiming?: Omit<TimingInput, 'fencing'>;
  /**
   * Oracle checks not reported: a campaign that runs a fencing mode under a fault it does not
   * cover (lease under crashes) ignores the single-active overlap it documents, to check the
   * rest (known-down).
   */
  readonly ignore?: readonly HaInvariant[];
}

/**
 * How followers time out, drawn per run from its seed. Two runs in three use the agent's own
 * policy (server/election-order.ts: the best-ranked follower campaigns right at the
 * election timeout and repeats an unanswered PreVote on its next ticks), which wins at the
 * earliest moment stickiness allows: a demotion that overruns the lease meets the fastest
 * possible successor. The others use Raft's uniform draw: safety must not rest on the policy.
 */
function electionTiming(seed: number): Pick<SimOptions, 'electionTimeout' | 'preVoteRetryTicks'> {
  if (seededRng((seed ^ 0x0e1ec7) >>> 0).int(3) === 0) return {};
  return { electionTimeout: staggeredElectionTimeout(() => new Map()), preVoteRetryTicks: PREVOTE_RETRY_TICKS };
}

/** A simulator with an HA agent on every node (also the ones membership changes add). */
export class HaCluster implements ResourceHost {
  readonly sim: Simulator;
  readonly intervals = new ActiveIntervals();
  readonly actors = new Map<NodeId, HaActor>();

  constructor(
    seed: number,
    readonly opts: HaScenarioOptions,
  ) {
    const tweaks = opts.tweaks ?? {};
    const factory = tweaks.factory ?? realController;
    const adversarial = opts.timing === 'adversarial';
    const timing = opts.haTiming ?? HA_TIMING;
    // The leader asks for answers as the agent's does (start-node.ts): at the renewal cadence.
    const renewalMs = leaseRenewalMs(computeHaTiming({ ...timing, fencing: opts.fencing }), timing.rttAllowanceMs);
    this.sim = new Simulator({
      seed,
      nodes: opts.nodes,
      poolSize: opts.poolSize ?? opts.nodes + 2,
      tickMs: timing.tickMs,
      electionTick: timing.electionTick,
      heartbeatTick: timing.heartbeatTick,
      quorumAckTicks: Math.max(timing.heartbeatTick, Math.round(renewalMs / timing.tickMs)),
      maxDrift: tweaks.simMaxDrift ?? timing.maxClockDrift,
      traceKeep: opts.traceKeep ?? 200,
      ...(adversarial ? electionTiming(seed) : {}),
      ...(opts.quietTicks !== undefined ? { quietTicks: opts.quietTicks === 'ignoreLease' ? true : opts.quietTicks } : {}),
      actor: (node) => {
        const correct = haConfig(node.id, opts.fencing, timing);
        const cfg = tweaks.config?.(correct) ?? correct;
        const rng = seededRng((seed ^ Math.imul(hashId(node.id), 0x9e3779b1)) >>> 0);
        const hooks = { ...(adversarial ? HA_HOOKS_AT_LIMITS : HA_HOOKS), failedDemoteKeepsService: opts.fencing === 'hook' };
        const actor = new HaActor(node, this, cfg, factory, rng, hooks, 3 * timing.electionTick, {
          tickMs: timing.tickMs,
          ignoreLease: opts.quietTicks === 'ignoreLease',
        });
        this.actors.set(node.id, actor);
        return actor;
      },
    });
    // The fastest vote and append, the slowest acknowledgement: timing rules break at the edges.
    this.sim.network.edgeDelays = adversarial;
  }

  runnerOf(id: NodeId): ResourceRunner | undefined {
    return this.actors.get(id)?.resources;
  }

  checkPromotion(node: SimNode, epoch: number): IntervalViolation | undefined {
    // Commit is a cluster fact: any node (crashed ones by their disk) knowing it suffices.
    let commit = 0;
    for (const n of this.sim.nodes.values())
      commit = Math.max(commit, n.raw?.basicStatus().commit ?? n.disk.initialState().hardState.commit);
    const fail = (why: string): IntervalViolation => ({
      invariant: HaInvariant.PromotionCommitted,
      message: `${node.id} starts promoting epoch ${epoch}, but ${why}`,
    });
    if (commit < epoch) return fail(`no node knows index ${epoch} committed (highest commit ${commit})`);
    const s = node.storage;
    if (epoch < s.firstIndex() || epoch > s.lastIndex()) return undefined; // compacted: committed is all we can tell
    const e = s.entries(epoch, epoch + 1)[0];
    const cmd = isHaCommand(e.data) ? decodeHaCommand(e.data) : undefined;
    if (cmd?.type !== 'promote' || cmd.holder !== node.id)
      return fail(`its log holds ${cmd ? JSON.stringify(cmd) : 'another entry'} at index ${epoch}`);
    return undefined;
  }

  violated(v: IntervalViolation): void {
    if (this.opts.ignore?.includes(v.invariant) === true) return;
    // The simulator's checker stops the run at the first violation; HA invariants extend its vocabulary.
    this.sim.checker.fail(v.invariant as string as Invariant, v.message);
  }

  report(node: SimNode, kind: HookKind, epoch: number, ok: boolean, detail: string): void {
    this.actors.get(node.id)?.report(kind, epoch, ok, detail);
  }

  /** The node that is active right now (own controller says so, lease valid), if any. */
  active(): NodeId | undefined {
    for (const [id, a] of this.actors) if (a.isActive()) return id;
    return undefined;
  }

  /**
   * The HA progress bound after healing: the Raft bound (a leader and a commit, see
   * scenario.ts), plus the longest promotion path — the longest back-off, a transfer wait, a
   * fence and a demote budget for the promote itself, twice over for one failed attempt.
   */
  progressBoundMs(): number {
    const cfg = haConfig('n1', this.opts.fencing, this.opts.haTiming);
    return livenessBoundMs(this.sim) + cfg.promoteBackoffMaxMs + 2 * (cfg.outliveMs + 2 * cfg.demoteBudgetMs);
  }

  describe(): string[] {
    const roles = [...this.actors].map(([id, a]) => `${id}:${a.role ?? '-'}${a.isActive() ? '*' : ''}`);
    return [...this.sim.describe(), `HA roles: ${roles.join(' ')}`, 'active intervals:', ...this.intervals.describe().map((l) => `  ${l}`)];
  }
}

function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface HaScenarioResult {
  readonly violation: { readonly invariant: string; readonly message: string; readonly time: number } | undefined;
  readonly events: number;
  readonly simTimeMs: number;
  /** Simulated ms from healing until a node was active. */
  readonly recoveryMs?: number;
  readonly promotions: number;
  readonly report: readonly string[];
  readonly traceTail: readonly string[];
}

export function runHaScenario(seed: number, actions: readonly Action[], opts: HaScenarioOptions): HaScenarioResult {
  const c = new HaCluster(seed, opts);
  const sim = c.sim;
  sim.runFor(opts.warmupMs ?? 400);
  for (const a of actions) {
    if (sim.violation !== undefined) break;
    applyAction(sim, a);
  }
  let recoveryMs: number | undefined;
  if (sim.violation === undefined) {
    for (const a of c.actors.values()) a.resources.reliable = true;
    sim.healAll();
    const start = sim.now();
    const bound = c.progressBoundMs();
    sim.runFor(bound, () => c.active() !== undefined);
    if (c.active() !== undefined) recoveryMs = sim.now() - start;
    else if (sim.violation === undefined) {
      sim.checker.fail(HaInvariant.HaProgress as string as Invariant, `no active node ${bound.toFixed(0)} ms after healing`);
    }
    // Let the new active settle: a late overlap would show here.
    if (sim.violation === undefined) sim.runFor(200);
  }
  return {
    violation: sim.violation,
    events: sim.events,
    simTimeMs: sim.now(),
    ...(recoveryMs !== undefined ? { recoveryMs } : {}),
    promotions: c.intervals.all.length,
    report: c.describe(),
    traceTail: sim.trace.tail(),
  };
}

// ---- the nemesis for HA runs ----

/**
 * Fencing mode `hook`: everything. Mode `lease`: everything but crashing or pausing a node (the
 * documented gap: a stopped agent keeps its VIP). No client operations (the HA layer proposes
 * its own entries); more transfers than the Raft campaign (they are the lease's hard case).
 */
export function haActionsArb(
  nodes: number,
  poolSize: number,
  fencing: FencingMode,
  maxDrift: number,
  maxActions: number,
  extraWeights: Partial<Record<ActionGroup, number>> = {},
): fc.Arbitrary<Action[]> {
  const weights: Partial<Record<ActionGroup, number>> = {
    client: 0,
    transfer: 3,
    membership: 3,
    ...extraWeights,
    process: fencing === 'hook' ? (extraWeights.process ?? 4) : 0,
  };
  const shape: NemesisShape = { nodes, poolSize, maxDrift, maxActions, weights };
  let one = actionArb(shape);
  if (fencing === 'lease') one = one.filter((a) => a.kind !== 'crashLeader' && !(a.kind === 'failover' && a.fault !== 'isolate'));
  return fc.array(one, { minLength: 1, maxLength: maxActions, size: 'max' });
}

export interface HaCampaignOptions {
  readonly runs: number;
  readonly seed: number;
  readonly nodes: number;
  readonly fencing: FencingMode;
  /** Whose nemesis to run (default: the fencing mode's own); 'hook' adds crashes and pauses. */
  readonly nemesis?: FencingMode;
  readonly maxActions?: number;
  /** Nemesis weight overrides (soaks aimed at one kind of fault). */
  readonly weights?: Partial<Record<ActionGroup, number>>;
  readonly tweaks?: HaTweaks;
  readonly maxShrinkRuns?: number;
  readonly path?: string;
  /**
   * The agent's quiet ticks (SimOptions.quietTicks). 'ignoreLease' is a broken variant for the
   * teeth tests: the active leader sleeps as if its lease check had no deadline.
   */
  readonly quietTicks?: boolean | 'neverWake' | 'ignoreLease';
  /** HaScenarioOptions.timing; the campaigns default to 'adversarial'. */
  readonly timing?: 'adversarial' | 'plain';
  /** HaScenarioOptions.haTiming. */
  readonly haTiming?: Omit<TimingInput, 'fencing'>;
  /** HaScenarioOptions.ignore. */
  readonly ignore?: readonly HaInvariant[];
}

export interface HaCounterexample {
  readonly seed: number;
  readonly path: string;
  readonly simSeed: number;
  readonly actions: readonly Action[];
  readonly invariant: string;
  readonly message: string;
  readonly report: string;
}

export interface HaCampaignResult {
  readonly runs: number;
  readonly scenarios: number;
  readonly events: number;
  readonly promotions: number;
  readonly maxRecoveryMs: number;
  readonly elapsedMs: number;
  readonly counterexample?: HaCounterexample;
}

export function runHaCampaign(opts: HaCampaignOptions): HaCampaignResult {
  const poolSize = opts.nodes + 2;
  const scenario: HaScenarioOptions = {
    nodes: opts.nodes,
    poolSize,
    fencing: opts.fencing,
    timing: opts.timing ?? 'adversarial',
    ...(opts.tweaks ? { tweaks: opts.tweaks } : {}),
    ...(opts.quietTicks !== undefined ? { quietTicks: opts.quietTicks } : {}),
    ...(opts.haTiming !== undefined ? { haTiming: opts.haTiming } : {}),
    ...(opts.ignore !== undefined ? { ignore: opts.ignore } : {}),
  };
  const drift = opts.tweaks?.simMaxDrift ?? (opts.haTiming ?? HA_TIMING).maxClockDrift;
  const budget = opts.maxShrinkRuns ?? 300;
  let scenarios = 0;
  let events = 0;
  let promotions = 0;
  let maxRecoveryMs = 0;
  let failures = 0;
  let afterFirst = 0;
  const started = performance.now();
  const property = fc.property(
    fc.integer({ min: 0, max: 0x7fffffff }),
    haActionsArb(opts.nodes, poolSize, opts.nemesis ?? opts.fencing, drift, opts.maxActions ?? 30, opts.weights),
    (simSeed, actions) => {
      if (failures > 0 && ++afterFirst > budget) return true; // stop shrinking: keep the smallest so far
      const r = runHaScenario(simSeed, actions, scenario);
      scenarios++;
      events += r.events;
      promotions += r.promotions;
      maxRecoveryMs = Math.max(maxRecoveryMs, r.recoveryMs ?? 0);
      if (r.violation !== undefined) failures++;
      return r.violation === undefined;
    },
  );
  const d = fc.check(property, { numRuns: opts.runs, seed: opts.seed, ...(opts.path !== undefined ? { path: opts.path } : {}) });
  const base = { runs: d.numRuns, scenarios, events, promotions, maxRecoveryMs, elapsedMs: performance.now() - started };
  if (!d.failed || d.counterexample === null) return base;
  const [simSeed, actions] = d.counterexample;
  const replay = runHaScenario(simSeed, actions, { ...scenario, traceKeep: 400 });
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
      report: formatHaFailure(d.seed, d.counterexamplePath ?? '', simSeed, actions, replay),
    },
  };
}

export function formatHaFailure(
  seed: number,
  path: string,
  simSeed: number,
  actions: readonly Action[],
  r: HaScenarioResult,
  traceLines = 120,
): string {
  const v = r.violation;
  return [
    `VIOLATION ${v?.invariant ?? '(none)'} at t=${v?.time.toFixed(2) ?? '?'}ms: ${v?.message ?? ''}`,
    `fast-check seed ${seed} path "${path}"; sim seed ${simSeed}; ${actions.length} actions:`,
    formatActions(actions),
    'state at the end:',
    ...r.report.map((s) => `  ${s}`),
    `last ${traceLines} trace lines:`,
    ...r.traceTail.slice(-traceLines),
  ].join('\n');
}
