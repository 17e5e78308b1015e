// Simulated resources of one node: the promote / demote / fence sequences the role controller
// asks for (hook + VIP), with durations drawn from the seed, run one at a time, latest
// decision wins (a new sequence kills the running one, like patroni's callback executor).
//
// What the model keeps from the real world (and why the oracle depends on it):
// - A sequence starts a little after the decision (fork/exec): a pause can land in between,
//   so a promote re-checks `notAfter` on the node's own clock when it really starts.
// - Durations are measured on the node's drifting clock (the agent kills a hook at its
//   timeout by its own clock); a hanging hook is killed at the timeout.
// - The agent observes the end of a sequence through simulator events, which a paused agent
//   handles only when it wakes: a demote "ends" when the agent could have seen it end, so a
//   pause can only lengthen an active interval (conservative).
// - A crash abandons the sequence in flight (its end is never observed); the service keeps
//   running: the node's active interval stays open until a later clean demote ends or a fence.
// - A demote hook that fails (exit non-zero, or hung and killed) may have left the service up:
//   with `failedDemoteKeepsService` the interval stays open until a later clean demote or a
//   fence. So acknowledging a failed demotion as "demoted" (the next holder then neither
//   fences nor waits) shows as two active intervals.
// - A successful fence against X (STONITH) stops X's service and kills X's in-flight sequence,
//   which X's agent then sees fail.
import type { HookKind } from '../../../src/ha/types.js';
import type { ControllerAction } from '../../../src/ha/types.js';
import type { Rng } from '../../../src/raft/rng.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { SimNode } from '../sim-node.js';
import type { Simulator } from '../simulator.js';
import { HaInvariant, type ActiveIntervals, type IntervalViolation } from './active-intervals.js';

export type RunAction = Extract<ControllerAction, { type: 'run' }>;

export interface HookSettings {
  /** Hook timeout on the node's clock (the agent kills the hook then). */
  readonly hookTimeoutMs: number;
  /** Upper bound of the VIP add / removal step. demoteBudget = hookTimeout + vip. */
  readonly vipMs: number;
  /** Percent of hooks that exit non-zero quickly. */
  readonly failPct: number;
  /** Percent of hooks that hang until killed at the timeout. */
  readonly hangPct: number;
  /**
   * Percent of hooks that succeed only at their timeout, and of VIP steps that take all of
   * vipMs: a demotion that uses its whole budget is what the budget is for, so the campaign
   * must meet it often, not once in a few thousand sequences.
   */
  readonly atLimitPct: number;
  /** Upper bound of the delay between the decision and the start of a sequence. */
  readonly startDelayMaxMs: number;
  /**
   * A failed demote hook leaves the service running (the worst case of "may have left it up").
   * Only fencing mode `hook` covers that, by fencing the node that did not confirm its
   * demotion; in mode `lease` it is the documented gap of a stopped agent, so off there.
   */
  readonly failedDemoteKeepsService?: boolean;
}

/** What a runner needs from the harness around it. */
export interface ResourceHost {
  readonly sim: Simulator;
  readonly intervals: ActiveIntervals;
  runnerOf(id: NodeId): ResourceRunner | undefined;
  /** Is `epoch` a committed Promote entry of `node`? (a violation when not) */
  checkPromotion(node: SimNode, epoch: number): IntervalViolation | undefined;
  /** An oracle violation found while the resources changed. */
  violated(v: IntervalViolation): void;
  /** The sequence ended (as seen by this node's agent). */
  report(node: SimNode, kind: HookKind, epoch: number, ok: boolean, detail: string): void;
}

interface Outcome {
  readonly localMs: number;
  readonly ok: boolean;
  readonly detail: string;
}

export class ResourceRunner {
  /** Bumped by every new sequence, fence and agent restart: older callbacks become no-ops. */
  private seq = 0;
  private current: RunAction | undefined;
  /** After healing, hooks are reliable (the progress property measures the protocol, not bad hooks). */
  reliable = false;

  constructor(
    private readonly node: SimNode,
    private readonly host: ResourceHost,
    private readonly rng: Rng,
    private readonly settings: HookSettings,
  ) {}

  run(a: RunAction): void {
    const seq = ++this.seq;
    if (this.current !== undefined) this.trace(`kills running ${this.current.kind} e${this.current.epoch}`);
    this.current = a;
    const delay = this.rng.int(Math.round(this.settings.startDelayMaxMs * 100) + 1) / 100;
    this.host.sim.schedule(this.node, delay, `HA ${a.kind} e${a.epoch} begins`, () => this.start(seq, a));
  }

  /** The agent restarted: whatever the previous life ran is no longer observed. */
  agentRestarted(): void {
    this.seq++;
    this.current = undefined;
  }

  /** Another node fenced this one: the service is stopped and the running sequence dies. */
  fencedBy(by: NodeId): void {
    const a = this.current;
    this.seq++;
    this.current = undefined;
    if (a === undefined) return;
    const seq = this.seq;
    this.host.sim.schedule(this.node, 0, `HA ${a.kind} e${a.epoch} killed: fenced by ${by}`, () => {
      if (seq === this.seq) this.host.report(this.node, a.kind, a.epoch, false, `fenced by ${by}`);
    });
  }

  private start(seq: number, a: RunAction): void {
    if (seq !== this.seq) return;
    const sim = this.host.sim;
    const now = this.node.clock.now();
    if (a.kind === 'promote') {
      // The last guard against a pause between the lease check and the action.
      if (now >= a.notAfter)
        return this.finish(seq, a, false, `not started: own clock ${now.toFixed(2)} ≥ notAfter ${a.notAfter.toFixed(2)}`);
      if (a.previousHolderDown === true) this.checkKnownDown(a.epoch);
      const v = this.host.intervals.open(this.node.id, a.epoch, sim.now()) ?? this.host.checkPromotion(this.node, a.epoch);
      this.trace(`PROMOTE e${a.epoch} starts (active interval opens)`);
      if (v !== undefined) this.host.violated(v);
    }
    const o = this.draw(a.kind);
    const delay = Math.max(0, this.node.clock.realAt(now + o.localMs) - sim.now());
    sim.schedule(this.node, delay, `HA ${a.kind} e${a.epoch} ends (${o.detail})`, () => this.finish(seq, a, o.ok, o.detail));
  }

  private finish(seq: number, a: RunAction, ok: boolean, detail: string): void {
    if (seq !== this.seq) return;
    this.current = undefined;
    const t = this.host.sim.now();
    if (a.kind === 'demote' && !ok && this.settings.failedDemoteKeepsService === true) {
      const open = this.host.intervals.openIntervals().filter((i) => i.node === this.node.id);
      if (open.length > 0)
        this.trace(`DEMOTE FAILED (${detail}): the service keeps running, interval ${open.map((i) => `e${i.epoch}`).join(',')} stays open`);
    } else if (a.kind === 'demote') {
      const closed = this.host.intervals.close(this.node.id, t, `demote e${a.epoch} ended`);
      if (closed.length > 0) this.trace(`DEMOTED: interval ${closed.map((i) => `e${i.epoch}`).join(',')} closes`);
    }
    if (a.kind === 'fence' && ok) {
      const closed = this.host.intervals.close(a.target, t, `fenced by ${this.node.id}`);
      this.trace(`FENCED ${a.target}${closed.length > 0 ? `: interval ${closed.map((i) => `e${i.epoch}`).join(',')} closes` : ''}`);
      this.host.runnerOf(a.target)?.fencedBy(this.node.id);
    }
    this.host.report(this.node, a.kind, a.epoch, ok, detail);
  }

  /** The VIP is added without a probe: no other node's service (and so its VIP) may be up. */
  private checkKnownDown(epoch: number): void {
    const up = this.host.intervals.openIntervals().find((i) => i.node !== this.node.id);
    if (up === undefined) return;
    this.host.violated({
      invariant: HaInvariant.KnownDown,
      message: `${this.node.id} promotes epoch ${epoch} without the duplicate-address probe (previous holders "known down") while ${up.node} epoch ${up.epoch} is still up (since t=${up.start.toFixed(2)})`,
    });
  }

  /** Duration (own clock) and result of one sequence, from the seed. */
  private draw(kind: HookKind): Outcome {
    const s = this.settings;
    // Drawn only when enabled, so runs recorded without it replay the same draws.
    const vipAtLimit = s.atLimitPct > 0 && this.rng.int(100) < s.atLimitPct;
    const vip = kind === 'fence' ? 0 : vipAtLimit ? s.vipMs : (this.rng.int(101) / 100) * s.vipMs;
    const r = this.reliable ? 100 : this.rng.int(100);
    if (r < s.failPct) return { localMs: vip + (this.rng.int(101) / 100) * (s.hookTimeoutMs / 4), ok: false, detail: 'hook exit 1' };
    if (r < s.failPct + s.hangPct) return { localMs: vip + s.hookTimeoutMs, ok: false, detail: 'hook hung, killed at timeout' };
    if (r < s.failPct + s.hangPct + s.atLimitPct) return { localMs: vip + s.hookTimeoutMs, ok: true, detail: 'ok at the timeout' };
    // Mostly quick hooks, some slow ones up to the timeout.
    const span = this.rng.int(10) < 7 ? 0.3 * s.hookTimeoutMs : s.hookTimeoutMs;
    return { localMs: vip + (this.rng.int(101) / 100) * span, ok: true, detail: 'ok' };
  }

  private trace(line: string): void {
    this.host.sim.addTrace(`${this.node.id} ${line}`);
  }
}
