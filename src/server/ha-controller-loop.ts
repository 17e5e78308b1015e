// The controller loop: the role controller's inputs go in one at a time (an input that arrives
// while actions execute is queued, never nested) and what it asks is carried out: propose a
// command, run a sequence through the ResourceExecutor, transfer leadership. Each sequence's
// end goes back to the controller and, with promotions, demotions, fences and hook failures,
// into the replicated event log.
import type { ActionResult, ResourceExecutor } from '../ha/resource-executor.js';
import { RoleController } from '../ha/role-controller.js';
import type { RunAction } from '../ha/run-actions.js';
import { LocalRole, type ControllerAction, type ControllerInput } from '../ha/types.js';
import { StateType } from '../raft/types.js';
import { ClusterEventKind, type ClusterEvent } from '../statemachine/cluster-events.js';
import { encodeCommand } from '../statemachine/commands.js';
import type { HaCommand } from '../statemachine/ha-record.js';
import { encodeHaCommand } from '../statemachine/ha-state.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import type { HaHost } from './ha-host.js';
import { controllerConfig, resourceExecutor } from './ha-setup.js';
import type { HaTargets } from './ha-targets.js';
import type { Logger } from './logger.js';

export interface ControllerLoopOptions {
  readonly config: NodeConfig;
  readonly host: HaHost;
  readonly clock: Clock;
  readonly log: Logger;
  readonly targets: HaTargets;
  /** The layer stopped: nothing but a demotion is run any more. */
  stopped(): boolean;
  /** A sequence ended (the layer may be idle now). */
  onSequenceEnd(): void;
  /** Before each process a promotion starts: a fresh lease (server/lease-renewal.ts). */
  renewLease?(signal: AbortSignal): Promise<void>;
  /** Tests: an executor of their own in place of the hooks and VIP. */
  executorFor?: (onDone: (r: ActionResult) => void) => ResourceExecutor;
}

export class ControllerLoop {
  readonly controller: RoleController;
  readonly executor: ResourceExecutor;
  private readonly runs = new Map<string, RunAction>();
  private readonly queue: ControllerInput[] = [];
  private feeding = false;
  /** Own clock time since which this node holds the role (-∞: not active). */
  private activeSinceMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: ControllerLoopOptions) {
    this.controller = new RoleController(controllerConfig(o.config));
    const onDone = (r: ActionResult): void => this.onDone(r);
    this.executor = o.executorFor?.(onDone) ?? resourceExecutor(o.config, o.clock, o.log, onDone, o.renewLease?.bind(o));
  }

  /** Inputs wait to be fed (the layer is not quiet). */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  get activeSince(): number {
    return this.activeSinceMs;
  }

  /** Nothing held and nothing running. */
  idle(): boolean {
    return this.controller.role === LocalRole.Inactive && !this.executor.busy;
  }

  /** Feeds one input; inputs arriving while actions execute are queued, never nested. */
  feed(input: ControllerInput): void {
    this.queue.push(input);
    if (this.feeding) return;
    this.feeding = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const before = this.controller.role;
        const actions = this.controller.handle(next);
        if (this.controller.role !== before) this.onLocalRole(before, this.controller.role);
        for (const a of actions) this.execute(a);
      }
    } finally {
      this.feeding = false;
    }
    this.o.host.replan?.();
  }

  /** Records `e` in the replicated event log (best effort). */
  record(e: Omit<ClusterEvent, 'at' | 'nodeId'>): void {
    const event: ClusterEvent = { ...e, at: Math.round(this.o.clock.wallMs()), nodeId: this.o.config.id };
    this.propose(encodeCommand({ type: 'recordEvent', event }), `event ${e.kind}`);
  }

  private term(): number {
    return this.o.host.raw.basicStatus().term;
  }

  /** The core, as of now, leads in `term`. */
  private leaderIn(term: number): boolean {
    const s = this.o.host.raw.basicStatus();
    return s.state === StateType.Leader && s.term === term;
  }

  private onLocalRole(from: LocalRole, to: LocalRole): void {
    this.o.log.info({ from, to, epoch: this.controller.heldEpoch, term: this.term() }, `active role: ${from} → ${to}`);
    this.activeSinceMs = to === LocalRole.Active ? this.o.clock.monotonicMs() : Number.NEGATIVE_INFINITY;
  }

  private execute(a: ControllerAction): void {
    switch (a.type) {
      case 'propose':
        if (a.command.type === 'healthFailover') {
          this.o.log.warn(
            { from: a.command.from, to: a.command.to },
            'active role: service unhealthy — handing the role to a healthy node',
          );
          this.record({
            kind: ClusterEventKind.Health,
            term: this.term(),
            epoch: this.controller.heldEpoch,
            detail: `failover: service unhealthy on ${a.command.from}; handing the role to ${a.command.to}`,
          });
        }
        if (a.command.type === 'promote' && !this.leaderIn(a.command.term)) {
          // The controller decided on a view of Raft older than the core's (a sequence ended
          // between a step-down and the next tick). A follower forwards proposals to its leader,
          // where this promotion would supersede that leader's own and make it demote.
          this.o.log.debug({ term: a.command.term }, 'promote proposal dropped: no longer leader in its term');
          return;
        }
        this.propose(encodeHaCommand(a.command), describeCommand(a.command));
        return;
      case 'run':
        if (this.o.stopped() && a.kind !== 'demote') return;
        this.runs.set(`${a.kind}@${a.epoch}`, a);
        this.executor.run(a);
        return;
      case 'transferLeadership':
        this.transfer(a.to);
        return;
      default: {
        const never: never = a;
        throw new Error(`unknown controller action ${JSON.stringify(never)}`);
      }
    }
  }

  private onDone(r: ActionResult): void {
    const key = `${r.kind}@${r.epoch}`;
    const action = this.runs.get(key);
    this.runs.delete(key);
    const durationMs = Math.max(0, Math.round(r.durationMs));
    const term = this.term();
    // Start-up demotions with nothing configured are not worth an event each restart.
    const trivial = r.kind === 'demote' && r.epoch === 0 && r.ok && !this.hasResources();
    if (!trivial) {
      const what =
        r.kind === 'promote' ? ClusterEventKind.Promotion : r.kind === 'demote' ? ClusterEventKind.Demotion : ClusterEventKind.Fence;
      const reason = action?.reason ?? '';
      const target = r.kind === 'fence' && action ? ` of ${action.target}` : '';
      this.record({
        kind: r.ok ? what : ClusterEventKind.Hook,
        term,
        epoch: r.epoch,
        durationMs,
        detail: r.ok
          ? `${r.kind}${target} done${reason ? `: ${reason}` : ''}${r.detail ? ` (${r.detail})` : ''}`
          : `${r.kind}${target} failed: ${r.detail}${reason ? ` (${reason})` : ''}`,
      });
    }
    this.feed({ type: 'actionDone', now: this.o.clock.monotonicMs(), kind: r.kind, epoch: r.epoch, ok: r.ok, detail: r.detail });
    this.o.onSequenceEnd();
  }

  private propose(data: Uint8Array, what: string): void {
    try {
      this.o.host.raw.propose(data);
      this.o.host.kick();
    } catch (err) {
      // Best effort: the controller re-proposes what still matters (latest state wins).
      this.o.log.debug({ what, err: (err as Error).message }, 'HA proposal not accepted now');
    }
  }

  private transfer(to: string): void {
    const target = to !== '' ? to : (this.o.targets.candidates()[0] ?? '');
    if (target === '' || target === this.o.config.id) {
      this.o.log.warn({ requested: to }, 'no eligible voter to hand leadership to; staying leader');
      return;
    }
    try {
      this.o.host.beginTransfer(target);
      this.o.log.info({ to: target, term: this.term() }, 'active role: transferring leadership');
    } catch (err) {
      this.o.log.warn({ to: target, err: (err as Error).message }, 'leadership transfer refused');
    }
  }

  private hasResources(): boolean {
    const ha = this.o.config.ha;
    return ha.onDemote !== undefined || ha.vip !== undefined;
  }
}

function describeCommand(c: HaCommand): string {
  switch (c.type) {
    case 'promote':
      return `promote ${c.holder} (term ${c.term})`;
    case 'demoted':
      return `demoted ${c.holder} up to epoch ${c.epoch}`;
    case 'fenced':
      return `fenced ${c.holder} up to epoch ${c.epoch} by ${c.by}`;
    case 'pause':
    case 'resume':
      return c.type;
    case 'health':
      return `health of ${c.node}: ${c.health}`;
    case 'healthFailover':
      return `health failover ${c.from} → ${c.to}`;
    default: {
      const never: never = c;
      return String(never);
    }
  }
}
