// Service health in the HA simulation (issue 15): every node runs a service that fails and
// recovers on a random schedule of simulated time — during partitions, elections, crashes,
// whatever the nemesis does meanwhile — and a check of it every CHECK.intervalMs on the node's
// own drifting clock, with the real fall/rise hysteresis (src/ha/health.ts). The checks reach
// the real RoleController through a wrapper (CheckedController) that feeds it what the server's
// HaDriver feeds it: the verdict when it changes and, on a leader, the caught-up voters.
//
// The wrapper is also the oracle of "an unhealthy node is never promoted": whenever the
// controller starts a promote sequence, the node's check verdict must be healthy.
import { Health } from '../../../src/statemachine/ha-record.js';
import { HealthTracker } from '../../../src/ha/health.js';
import { RoleController } from '../../../src/ha/role-controller.js';
import type { ControllerAction, ControllerInput, HaConfig, LocalRole } from '../../../src/ha/types.js';
import type { Rng } from '../../../src/raft/rng.js';
import { seededRng } from '../../../src/raft/rng.js';
import { StateType } from '../../../src/raft/types.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { Invariant } from '../invariants.js';
import type { SimNode } from '../sim-node.js';
import type { Simulator } from '../simulator.js';
import type { ControllerFactory, HaController } from './ha-actor.js';

/** Check settings of every simulated node (simulated ms). */
export const CHECK = { intervalMs: 50, fall: 2, rise: 2, cooldownMs: 400 } as const;

export const HealthInvariant = {
  /** A node started promoting while its own check verdict was not healthy. */
  UnhealthyPromoted: 'unhealthy-promoted',
  /** The active node's service failed, a healthy node existed, and the role did not move in time. */
  HealthFailover: 'health-failover',
} as const;

/** When each node's service is down, in simulated time: drawn from the seed, ended by healAll. */
export class ServiceModel {
  private readonly outages = new Map<NodeId, { from: number; to: number }[]>();
  private readonly rng: Rng;
  /** Forced states (tests): down from a time on, until upAgain. */
  private readonly forced = new Map<NodeId, number>();
  private healedAt = Number.POSITIVE_INFINITY;

  constructor(
    seed: number,
    /** No outage is drawn: services fail only when a test says so. */
    private readonly random: boolean,
  ) {
    this.rng = seededRng((seed ^ 0x5e41c3) >>> 0);
  }

  isUp(id: NodeId, t: number): boolean {
    const forcedSince = this.forced.get(id);
    if (forcedSince !== undefined && t >= forcedSince) return false;
    if (!this.random || t >= this.healedAt) return true;
    return !this.scheduleOf(id, t).some((o) => t >= o.from && t < o.to);
  }

  /** The service of `id` fails at `t` and stays down (until `upAgain`). */
  fail(id: NodeId, t: number): void {
    this.forced.set(id, t);
  }

  upAgain(id: NodeId): void {
    this.forced.delete(id);
  }

  /** Every service is up from `t` on (the scenario heals every fault). */
  healAll(t: number): void {
    this.healedAt = t;
    this.forced.clear();
  }

  /** Outages up to time t: up 100–1500 ms, down 50–800 ms, drawn lazily in order. */
  private scheduleOf(id: NodeId, t: number): { from: number; to: number }[] {
    let list = this.outages.get(id);
    if (list === undefined) {
      list = [];
      this.outages.set(id, list);
    }
    let end = list.length > 0 ? list[list.length - 1].to : 0;
    while (end <= t) {
      const from = end + 100 + this.rng.int(1400);
      const to = from + 50 + this.rng.int(750);
      list.push({ from, to });
      end = to;
    }
    return list;
  }
}

/** The health policy every simulated node runs with (keep or demote when no healthy node). */
export function checkedConfig(onNoHealthyCandidate: 'keep' | 'demote' = 'keep'): (cfg: HaConfig) => HaConfig {
  return (cfg) => ({ ...cfg, health: { checked: true, failoverCooldownMs: CHECK.cooldownMs, onNoHealthyCandidate } });
}

export interface HealthWorld {
  readonly services: ServiceModel;
  /** Set once the cluster exists (controllers are built lazily, on a node's first event). */
  sim: Simulator | undefined;
  /** Every node's current verdict, as its check says (the oracle's view). */
  readonly verdicts: Map<NodeId, Health>;
}

/**
 * The controller of one agent life behind a wrapper that runs its checks. `inner` builds the
 * wrapped controller (the real one, or a mutant); `feedHealth` may distort what it is told.
 */
export function checkedFactory(
  world: HealthWorld,
  inner: ControllerFactory = (cfg) => new RoleController(cfg),
  distort?: (h: Health) => Health,
): ControllerFactory {
  return (cfg, node) => new CheckedController(world, node, inner(cfg, node), distort);
}

class CheckedController implements HaController {
  private readonly tracker = new HealthTracker({ fall: CHECK.fall, rise: CHECK.rise });
  private nextCheckAt: number;
  private fedCandidates = '';

  constructor(
    private readonly world: HealthWorld,
    private readonly node: SimNode,
    private readonly inner: HaController,
    private readonly distort: ((h: Health) => Health) | undefined,
  ) {
    this.nextCheckAt = node.clock.now();
    // A new agent life knows nothing yet (as a restarted process).
    world.verdicts.set(node.id, Health.Unknown);
  }

  get role(): LocalRole {
    return this.inner.role;
  }

  isActive(now: number): boolean {
    return this.inner.isActive(now);
  }

  handle(input: ControllerInput): ControllerAction[] {
    const out: ControllerAction[] = [];
    if (input.type === 'tick') {
      this.runCheck(input.now, out);
      this.feedCandidates(input.now, out);
    }
    this.pass(input, out);
    return out;
  }

  private pass(input: ControllerInput, out: ControllerAction[]): void {
    const actions = this.inner.handle(input);
    for (const a of actions) {
      if (a.type === 'run' && a.kind === 'promote') {
        const verdict = this.world.verdicts.get(this.node.id);
        if (verdict !== Health.Healthy) {
          this.world.sim?.checker.fail(
            HealthInvariant.UnhealthyPromoted as string as Invariant,
            `${this.node.id} starts promoting epoch ${a.epoch} while its check says ${verdict ?? 'nothing'}`,
          );
        }
      }
    }
    out.push(...actions);
  }

  /** One check per interval on the node's clock; the service state is read in simulated time. */
  private runCheck(now: number, out: ControllerAction[]): void {
    const sim = this.world.sim;
    if (sim === undefined || now < this.nextCheckAt) return;
    this.nextCheckAt = now + CHECK.intervalMs;
    const up = this.world.services.isUp(this.node.id, sim.now());
    const verdict = this.tracker.record(up);
    if (verdict === undefined) return;
    this.world.verdicts.set(this.node.id, verdict);
    sim.addTrace(`${this.node.id} HA check verdict ${verdict}`);
    const told = this.distort?.(verdict) ?? verdict;
    this.pass({ type: 'health', now, health: told, detail: up ? '' : 'service down' }, out);
  }

  /** What HaDriver.candidates() gives on a leader: caught-up, recently active voters, most caught-up first. */
  private feedCandidates(now: number, out: ControllerAction[]): void {
    // status() builds every peer's progress: only a leader has any to read.
    const st = this.node.raw!.basicStatus().state === StateType.Leader ? this.node.raw!.status() : undefined;
    const ids: NodeId[] = [];
    if (st !== undefined && st.progress !== undefined) {
      const rows = [...st.progress]
        .filter(
          ([id, pr]) =>
            id !== this.node.id && !pr.isLearner && st.confState.voters.includes(id) && pr.recentActive && st.lastIndex - pr.match <= 100,
        )
        .sort((a, b) => b[1].match - a[1].match || (a[0] < b[0] ? -1 : 1));
      for (const [id] of rows) ids.push(id);
    }
    const key = ids.join(',');
    if (key === this.fedCandidates) return;
    this.fedCandidates = key;
    this.pass({ type: 'candidates', now, ids }, out);
  }
}
