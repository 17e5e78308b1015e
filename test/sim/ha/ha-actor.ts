// The HA agent of one simulated node: the real RoleController on the node's drifting clock,
// fed from the core's Ready stream and ticks, its actions carried out on the core (propose,
// transfer) and on simulated resources (run). What a real node's Ready loop does in
// src/server/, reduced to the inputs the controller documents in src/ha/types.ts.
import { encodeHaCommand } from '../../../src/statemachine/ha-state.js';
import { RoleController } from '../../../src/ha/role-controller.js';
import type { ControllerAction, ControllerInput, HaConfig, HookKind, LocalRole, RaftRole } from '../../../src/ha/types.js';
import type { HaCommand, ReplicatedHaState } from '../../../src/statemachine/ha-record.js';
import { ProposalDroppedError } from '../../../src/raft/errors.js';
import type { Ready } from '../../../src/raft/ready.js';
import { quietTicksUntil } from '../../../src/server/ticker.js';
import type { Rng } from '../../../src/raft/rng.js';
import { StateType } from '../../../src/raft/types.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { NodeActor, SimNode } from '../sim-node.js';
import type { HookSettings, ResourceHost } from './resource-sim.js';
import { ResourceRunner } from './resource-sim.js';

/** What the actor drives: the real controller, or a teeth wrapper around it. */
export interface HaController {
  handle(input: ControllerInput): ControllerAction[];
  readonly role: LocalRole;
  isActive(now: number): boolean;
  /** RoleController.quietUntil: no clock-driven decision before it (absent: never quiet). */
  readonly quietUntil?: number;
  /** Teeth only: told the log index a leader's proposal got. */
  onProposed?(cmd: HaCommand, index: number, now: number): ControllerAction[];
}

/** Builds the controller of one agent life (teeth tests wrap or reconfigure it). */
export type ControllerFactory = (cfg: HaConfig, node: SimNode) => HaController;

export const realController: ControllerFactory = (cfg) => new RoleController(cfg);

/** How the agent's ticker is modelled (SimOptions.quietTicks). */
export interface QuietTickSettings {
  readonly tickMs: number;
  /** Teeth only: the active leader's lease check is ignored (it sleeps as if it had none). */
  readonly ignoreLease?: boolean;
}

export class HaActor implements NodeActor {
  readonly resources: ResourceRunner;
  private controller: HaController | undefined;
  private incarnation = 0;
  /** Clock reading at each core tick of this life, by tickCount (LeaseAck.startTick). */
  private readonly tickClock = new Map<number, number>();
  private view = '';
  private ha: ReplicatedHaState | undefined;

  constructor(
    private readonly node: SimNode,
    private readonly host: ResourceHost,
    private readonly cfg: HaConfig,
    private readonly factory: ControllerFactory,
    rng: Rng,
    hooks: HookSettings,
    /** How many tick readings to keep: a round acked later than this is useless anyway (L < E). */
    private readonly keepTicks: number,
    private readonly quiet: QuietTickSettings,
  ) {
    this.resources = new ResourceRunner(node, host, rng, hooks);
  }

  get role(): LocalRole | undefined {
    return this.controller?.role;
  }

  isActive(): boolean {
    return this.node.isUp && this.controller !== undefined && this.controller.isActive(this.node.clock.now());
  }

  onReady(rd: Ready, node: SimNode): void {
    const c = this.ensure();
    const now = node.clock.now();
    this.observeRaft(c, now);
    if (rd.leaseAck !== undefined) {
      const { term, startTick } = rd.leaseAck;
      // During the tick event itself the reading is not stored yet: it is "now".
      const at = this.tickClock.get(startTick) ?? (startTick === node.raw!.basicStatus().tickCount ? now : undefined);
      if (at !== undefined) this.exec(c, c.handle({ type: 'lease', now, term, roundStartedAt: at }));
    }
    if (node.kv.ha !== this.ha) {
      this.ha = node.kv.ha;
      this.exec(c, c.handle({ type: 'record', now, state: node.kv.ha, index: node.applied }));
    }
    // No drain here: the simulator's drain loop picks up what the actions produced.
  }

  onTick(node: SimNode): void {
    const c = this.ensure();
    const now = node.clock.now();
    const tick = node.raw!.basicStatus().tickCount;
    this.tickClock.set(tick, now);
    this.tickClock.delete(tick - this.keepTicks);
    this.observeRaft(c, now);
    this.exec(c, c.handle({ type: 'tick', now }));
    node.drain();
  }

  /** The agent's ticker may owe this node's ticks: HaDriver.quietTicks, from quietUntil. */
  quietTicks(node: SimNode): number {
    const until = this.controller?.quietUntil;
    if (until === undefined) return 0;
    const deadline = this.quiet.ignoreLease === true && until > Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : until;
    return quietTicksUntil(deadline, node.clock.now(), this.quiet.tickMs);
  }

  /**
   * The quiet-tick oracle for the controller: a copy of it is handed this tick at its due time
   * and must neither act nor change. Checks RoleController.quietUntil (every state it claims
   * quiet) and the ms-to-ticks rounding of quietTicksUntil together.
   */
  owedTickActs(node: SimNode): string | undefined {
    const c = this.controller;
    if (!(c instanceof RoleController) || this.incarnation !== node.incarnation) return undefined;
    const probe = copyController(c);
    const before = controllerState(probe);
    const actions = probe.handle({ type: 'tick', now: node.clock.now() });
    if (actions.length > 0)
      return `its HA controller would have acted (${actions.map((a) => (a.type === 'run' ? `${a.kind}: ${a.reason}` : a.type)).join(', ')})`;
    if (controllerState(probe) !== before) return 'its HA controller would have changed its state';
    return undefined;
  }

  /** A resource sequence ended, as this node's agent sees it. */
  report(kind: HookKind, epoch: number, ok: boolean, detail: string): void {
    if (!this.node.isUp) return;
    const c = this.ensure();
    this.exec(c, c.handle({ type: 'actionDone', now: this.node.clock.now(), kind, epoch, ok, detail }));
    this.node.drain();
  }

  /** A new core incarnation is a new agent process: a fresh controller, which demotes first. */
  private ensure(): HaController {
    if (this.controller !== undefined && this.incarnation === this.node.incarnation) return this.controller;
    this.incarnation = this.node.incarnation;
    this.controller = this.factory(this.cfg, this.node);
    this.tickClock.clear();
    this.view = '';
    this.ha = undefined;
    this.resources.agentRestarted();
    this.trace('HA agent starts');
    return this.controller;
  }

  private observeRaft(c: HaController, now: number): void {
    const raw = this.node.raw!;
    const st = raw.basicStatus();
    const role: RaftRole =
      st.state === StateType.Leader ? 'leader' : raw.confState().learners.includes(this.node.id) ? 'learner' : st.state;
    const view = `${role}/${st.term}/${st.lead}/${st.electedByTransfer}`;
    if (view === this.view) return;
    this.view = view;
    this.exec(c, c.handle({ type: 'raft', now, role, term: st.term, leader: st.lead, electedByTransfer: st.electedByTransfer }));
  }

  private exec(c: HaController, actions: readonly ControllerAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'propose':
          this.propose(c, a.command);
          break;
        case 'transferLeadership': {
          const to = a.to !== '' ? a.to : this.transferTarget();
          if (to === undefined) {
            this.trace('HA transfer: no caught-up voter to hand over to');
            break;
          }
          this.trace(`HA transfer leadership → ${to}`);
          this.tryCore(() => this.node.raw!.transferLeadership(to));
          break;
        }
        case 'run':
          this.trace(`HA run ${a.kind} e${a.epoch}${a.kind === 'fence' ? ` against ${a.target}` : ''} (${a.reason})`);
          this.resources.run(a);
          break;
        default: {
          const never: never = a;
          throw new Error(`unknown controller action ${JSON.stringify(never)}`);
        }
      }
    }
  }

  private propose(c: HaController, cmd: HaCommand): void {
    const ok = this.tryCore(() => this.node.raw!.propose(encodeHaCommand(cmd)));
    const st = this.node.raw!.status();
    this.trace(
      `HA propose ${JSON.stringify(cmd)}${ok ? (st.state === StateType.Leader ? ` @${st.lastIndex}` : ' (forwarded)') : ' dropped'}`,
    );
    if (ok && st.state === StateType.Leader && c.onProposed !== undefined) {
      this.exec(c, c.onProposed(cmd, st.lastIndex, this.node.clock.now()));
    }
  }

  /** The caught-up voter with the highest match (what the server's transfer picks). */
  private transferTarget(): NodeId | undefined {
    const st = this.node.raw!.status();
    let best: NodeId | undefined;
    let bestMatch = -1;
    for (const [id, pr] of st.progress ?? []) {
      if (id === this.node.id || pr.isLearner || !st.confState.voters.includes(id)) continue;
      if (pr.match > bestMatch) {
        best = id;
        bestMatch = pr.match;
      }
    }
    return best;
  }

  /** Documented rejections (no leader, transfer in progress) are ordinary outcomes. */
  private tryCore(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (err instanceof ProposalDroppedError) return false;
      throw err;
    }
  }

  private trace(line: string): void {
    this.host.sim.addTrace(`${this.node.id} ${line}`);
  }
}

/** A copy of a controller that shares nothing mutable with it (the oracle's probe). */
function copyController(c: RoleController): RoleController {
  return copyObject(c);
}

/** Own fields copied: Maps, Sets and plain objects one level deep, class instances (the controller's parts) alike. */
function copyObject<T extends object>(o: T): T {
  const copy = Object.create(Object.getPrototypeOf(o) as object) as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (v instanceof Map) copy[k] = new Map(v);
    else if (v instanceof Set) copy[k] = new Set(v);
    else if (v === null || typeof v !== 'object' || Array.isArray(v)) copy[k] = v;
    else copy[k] = Object.getPrototypeOf(v) === Object.prototype ? { ...v } : copyObject(v);
  }
  return copy as T;
}

/** Everything a controller holds, as text (Maps and Sets as entry lists, ±∞ spelled out). */
function controllerState(c: RoleController): string {
  return JSON.stringify(c, (_k, v: unknown) =>
    v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v.values()] : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}
