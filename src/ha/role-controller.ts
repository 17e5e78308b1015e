// The role controller: decides, on one node, when to promote, demote and fence (protocol in
// docs/design-notes.md "The active role"). Pure: no timers, no processes, no clock reads —
// `now` comes with every input and the caller runs the actions it returns, one `run` at a
// time, reporting each end with an `actionDone` input. Every decision is re-evaluated from
// the latest inputs ("latest state wins"), so a lost or late input only delays, never confuses.
import { EMPTY_HA_STATE, Health, type ActiveRecord, type ReplicatedHaState } from '../statemachine/ha-record.js';
import { Acknowledgements } from './acknowledgements.js';
import { RaftLease } from './raft-lease.js';
import { RoleHealth } from './role-health.js';
import { fenceKey, previousHoldersDown } from './previous-holder.js';
import { demoteAction, fenceAction, promoteAction, startupDemoteAction, type RunAction } from './run-actions.js';
import type { ControllerAction, ControllerInput, HaConfig, HookKind } from './types.js';
import { LocalRole, OnNoHealthyCandidate } from './types.js';

interface Switchover {
  readonly to: string;
  readonly since: number;
  transferSent: boolean;
  /** Why, for the demotion's reason (default: an operator's switchover). */
  readonly why?: string;
}

export class RoleController {
  /** Raft role and term, since when we lead, our lease. */
  private readonly raft = new RaftLease();
  private record: ReplicatedHaState = EMPTY_HA_STATE;

  private local: LocalRole = LocalRole.Inactive;
  /** The epoch this node is promoting / holds / demotes. */
  private epoch = 0;
  /** The term in which this node promoted `epoch`. */
  private holdTerm = 0;
  /** Nothing runs until the start-up demotion finished (we may hold a VIP from a past life). */
  private startupDone = false;
  private running: ControllerAction | undefined;

  /** Holders (name@epoch) this node fenced successfully for the promotion it prepares. */
  private readonly fenced = new Set<string>();
  private promoteProposedTerm = 0;
  private promoteProposedAt = Number.NEGATIVE_INFINITY;
  /** Highest epoch of ours we demoted; it is never promoted again (a new epoch is proposed). */
  private lastDemotedEpoch = 0;
  /** The last demotion ran to completion: our earlier promotions may be acknowledged as down. */
  private cleanlyDemoted = false;
  /** The latest holder other than us seen in the record: PALISADE_PREVIOUS_ACTIVE. */
  private lastOtherActive = '';
  private readonly acks: Acknowledgements;
  private backoffUntil = Number.NEGATIVE_INFINITY;
  private backoffMs: number;
  private witnessTransferTerm = 0;
  private switchover: Switchover | undefined;
  private shuttingDown = false;
  /** Service health (issue 15): own verdict, candidates, failover cooldown. */
  private readonly serviceHealth: RoleHealth;

  constructor(private readonly cfg: HaConfig) {
    this.backoffMs = cfg.promoteBackoffMinMs;
    this.serviceHealth = new RoleHealth(cfg.nodeId, cfg.health);
    this.acks = new Acknowledgements(cfg.nodeId);
  }

  /** This node's own check verdict (healthy when it runs no check). */
  get health(): Health {
    return this.serviceHealth.verdict;
  }

  /**
   * The active node's service is unhealthy and it keeps the role: no healthy node to hand it to,
   * the failover cooldown is running, or the cluster is paused.
   */
  get degraded(): boolean {
    return this.local === LocalRole.Active && this.serviceHealth.verdict === Health.Unhealthy;
  }

  get role(): LocalRole {
    return this.local;
  }

  /** The epoch held (or being promoted/demoted); 0 when none. */
  get heldEpoch(): number {
    return this.local === LocalRole.Inactive ? 0 : this.epoch;
  }

  /** Lease end on this node's clock (-Infinity when not leader). /primary needs now < this. */
  get leaseExpiry(): number {
    return this.raft.leaseEnd;
  }

  get paused(): boolean {
    return this.record.paused;
  }

  /**
   * Until when (own clock) evaluate() cannot act on the clock alone, with no new input: +∞ for
   * never, −∞ when it may act at any tick. The node's ticker sleeps through the ticks before it
   * (server/ticker.ts, "Quiet ticks"). Conservative on purpose: only the two steady states
   * answer anything but −∞.
   * - An inactive follower that is not a listed holder, with nothing to acknowledge: +∞.
   * - The active leader: its one clock-driven decision is the lease check (demoteReason), at
   *   leaseEnd − demoteBudget. Nothing else of evaluate() depends on the clock there:
   *   acknowledge() has nothing to send (no fence acknowledgements, and "demoted" needs an
   *   inactive node), and promotion is not looked at while active.
   */
  get quietUntil(): number {
    if (!this.startupDone || this.running !== undefined || this.shuttingDown) return Number.NEGATIVE_INFINITY;
    if (this.switchover !== undefined || this.acks.pending || this.serviceHealth.publicationDue(this.record))
      return Number.NEGATIVE_INFINITY;
    if (this.raft.role === 'leader') {
      // An unhealthy active waits for its failover cooldown to end: a clock-driven decision.
      const holding =
        this.local === LocalRole.Active &&
        this.raft.term === this.holdTerm &&
        !this.cfg.noActive &&
        this.serviceHealth.verdict === Health.Healthy;
      return holding ? this.raft.leaseEnd - this.cfg.demoteBudgetMs : Number.NEGATIVE_INFINITY;
    }
    if (this.local !== LocalRole.Inactive) return Number.NEGATIVE_INFINITY;
    return this.record.holders.some((h) => h.holder === this.cfg.nodeId) ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  /** True when this node may serve as active at `now`: promoted and within its lease. */
  isActive(now: number): boolean {
    return this.local === LocalRole.Active && now < this.raft.leaseEnd;
  }

  handle(input: ControllerInput): ControllerAction[] {
    const out: ControllerAction[] = [];
    switch (input.type) {
      case 'raft':
        if (this.raft.observe(input.now, input)) this.fenced.clear();
        if (input.role !== 'leader') this.switchover = undefined;
        break;
      case 'lease':
        this.raft.renew(input.term, input.roundStartedAt, this.cfg.leaseMs);
        break;
      case 'record':
        this.serviceHealth.observe(input.now, this.record, input.state);
        this.record = input.state;
        if (input.state.active && input.state.active.holder !== this.cfg.nodeId) this.lastOtherActive = input.state.active.holder;
        break;
      case 'actionDone':
        this.onActionDone(input.now, input.kind, input.epoch, input.ok, out);
        break;
      case 'tick':
        break;
      case 'switchover':
        if (this.raft.role === 'leader' && this.switchover === undefined) {
          const to =
            input.to !== ''
              ? input.to
              : (input.caughtUp.find((id) => id !== this.cfg.nodeId && this.serviceHealth.mayTakeRole(this.record, id)) ?? '');
          if (to !== '' && to !== this.cfg.nodeId) this.switchover = { to, since: input.now, transferSent: false };
        }
        break;
      case 'shutdown':
        this.shuttingDown = true;
        break;
      case 'health':
        this.serviceHealth.setVerdict(input.health, input.detail);
        break;
      case 'candidates':
        this.serviceHealth.setCandidates(input.ids);
        break;
      default: {
        const never: never = input;
        throw new Error(`unknown controller input ${JSON.stringify(never)}`);
      }
    }
    this.evaluate(input.now, out);
    return out;
  }

  private onActionDone(now: number, kind: HookKind, epoch: number, ok: boolean, out: ControllerAction[]): void {
    const running = this.running;
    if (!running || running.type !== 'run' || running.kind !== kind || running.epoch !== epoch) return; // stale report
    this.running = undefined;
    switch (kind) {
      case 'demote':
        this.local = LocalRole.Inactive;
        this.startupDone = true;
        this.lastDemotedEpoch = Math.max(this.lastDemotedEpoch, epoch);
        // A demote hook that failed may have left the service running: then we do not claim
        // to be down, and the next holder has to fence us (mode hook) or outlive us (lease).
        this.cleanlyDemoted = ok;
        this.acks.retryAtOnce();
        break;
      case 'promote':
        if (ok && this.local === LocalRole.Promoting) {
          this.local = LocalRole.Active;
          this.backoffMs = this.cfg.promoteBackoffMinMs;
        } else if (this.local === LocalRole.Promoting) {
          // A failed promotion (or one refused because the lease ran out before it could
          // start): its resources may be half up, so demote; once the demotion is acknowledged
          // in the log (so the next holder need not fence us), hand leadership to another node.
          this.giveUp(now);
          if (this.raft.role === 'leader') this.switchover = { to: '', since: now, transferSent: false };
          this.demote(`promote failed${epoch ? ` (epoch ${epoch})` : ''}`, out);
        }
        break;
      case 'fence':
        this.local = LocalRole.Inactive;
        if (ok) {
          this.fenced.add(fenceKey(running.target, epoch));
          const h = this.record.holders.find((x) => x.holder === running.target);
          if (h) this.acks.fenced(running.target, h.epoch);
        } else {
          this.giveUp(now);
          if (this.raft.role === 'leader') out.push({ type: 'transferLeadership', to: '' });
        }
        break;
    }
  }

  /** Back off so another node can take the role (leadership is handed away by the caller). */
  private giveUp(now: number): void {
    this.backoffUntil = now + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.cfg.promoteBackoffMaxMs);
  }

  private run(out: ControllerAction[], a: RunAction): void {
    this.running = a;
    out.push(a);
  }

  private demote(reason: string, out: ControllerAction[]): void {
    this.local = LocalRole.Demoting;
    this.cleanlyDemoted = false;
    this.run(out, demoteAction(this.cfg.nodeId, this.epoch, this.raft.term, reason));
  }

  private evaluate(now: number, out: ControllerAction[]): void {
    // Start-up: demote before anything else (we may still hold a VIP from a previous life).
    if (!this.startupDone) {
      if (!this.running) this.startupDemotion(out);
      return;
    }
    // Publish our verdict in the replicated state (retried: a proposal may be dropped).
    const verdict = this.serviceHealth.publication(now, this.record, this.cfg.leaseMs);
    if (verdict !== undefined) out.push({ type: 'propose', command: verdict });

    // 1. Demotion: always allowed to preempt a running promotion (latest decision wins).
    if (this.local === LocalRole.Active || this.local === LocalRole.Promoting) {
      this.considerHealthFailover(now, out);
      const reason = this.demoteReason(now);
      if (reason !== undefined) {
        this.demote(reason, out);
        return;
      }
    }
    if (this.running) return; // one sequence at a time

    this.acknowledge(now, out);
    if (this.shuttingDown) return;
    if (this.raft.role === 'leader') this.evaluateAsLeader(now, out);
  }

  private startupDemotion(out: ControllerAction[]): void {
    this.local = LocalRole.Demoting;
    this.epoch = 0;
    this.run(out, startupDemoteAction(this.cfg.nodeId, this.raft.term));
  }

  /** The leader's decisions once nothing runs, in order: the first that applies ends the turn. */
  private evaluateAsLeader(now: number, out: ControllerAction[]): void {
    // 2. Switchover: once demoted and acknowledged, hand leadership over.
    if (this.switchover !== undefined && this.driveSwitchover(now, this.switchover, out)) return;

    // 3. A witness leader hands leadership to a node that may hold the role.
    if (this.cfg.noActive) {
      if (this.witnessTransferTerm !== this.raft.term) {
        this.witnessTransferTerm = this.raft.term;
        out.push({ type: 'transferLeadership', to: '' });
      }
      return;
    }
    if (this.record.paused || this.local !== LocalRole.Inactive || now < this.backoffUntil) return;

    if (this.serviceHealth.verdict !== Health.Healthy) {
      this.handOffWhileUnhealthy(now, out);
      return;
    }
    this.considerPromotion(now, out);
  }

  /** Hands leadership over once our demotion is acknowledged; true while the switchover lasts. */
  private driveSwitchover(now: number, sw: Switchover, out: ControllerAction[]): boolean {
    const mine = this.record.holders.some((h) => h.holder === this.cfg.nodeId);
    if (this.local === LocalRole.Inactive && !mine && !sw.transferSent) {
      sw.transferSent = true;
      out.push({ type: 'transferLeadership', to: sw.to });
    }
    if (now - sw.since > 2 * this.cfg.outliveMs + this.cfg.demoteBudgetMs) this.switchover = undefined; // gave up; stay leader
    return this.switchover !== undefined;
  }

  /**
   * Never promote a node whose service is not (yet) healthy: a healthy voter should lead, once
   * our own clean demotion is confirmed in the log (as in a switchover: the next holder need
   * not fence us). After a failed demotion no confirmation comes: the next holder fences us.
   */
  private handOffWhileUnhealthy(now: number, out: ControllerAction[]): void {
    const to = this.serviceHealth.healthyTargets(now, this.record)[0];
    const confirmed = !this.cleanlyDemoted || !this.record.holders.some((h) => h.holder === this.cfg.nodeId);
    if (to !== undefined && confirmed && this.serviceHealth.handOffAllowed(now, 2 * this.cfg.outliveMs)) {
      this.serviceHealth.noteHandOff(now);
      out.push({ type: 'transferLeadership', to });
    }
  }

  /**
   * 4. Promotion, only on an applied promote record of ours in this term, still listed as a
   * holder, and never an epoch we already demoted (that one is acknowledged as down). Without
   * one, propose it; with one, fence (mode hook) or outlive (mode lease) the other holders first.
   */
  private considerPromotion(now: number, out: ControllerAction[]): void {
    const rec = this.usablePromotion();
    if (rec === undefined) {
      if (this.promoteProposedTerm !== this.raft.term || now - this.promoteProposedAt > 2 * this.cfg.outliveMs) {
        this.promoteProposedTerm = this.raft.term;
        this.promoteProposedAt = now;
        out.push({ type: 'propose', command: { type: 'promote', holder: this.cfg.nodeId, term: this.raft.term } });
      }
      return;
    }
    const others = this.record.holders.filter((h) => h.holder !== this.cfg.nodeId);
    if (this.cfg.fencing === 'hook') {
      if (this.fenceNext(rec, others, out)) return;
    } else if (others.length > 0 && this.raft.electedByTransfer && now < this.raft.leaderSince + this.cfg.outliveMs) {
      // A transfer election says nothing about the old leader's lease: outlive it.
      return;
    }
    this.startPromotion(now, rec, others, out);
  }

  /** The applied promote record this node may promote now, if any. */
  private usablePromotion(): ActiveRecord | undefined {
    const me = this.cfg.nodeId;
    const rec = this.record.active;
    if (rec === null || rec.holder !== me || rec.term !== this.raft.term || rec.epoch <= this.lastDemotedEpoch) return undefined;
    return this.record.holders.some((h) => h.holder === me && h.epoch === rec.epoch) ? rec : undefined;
  }

  /** Runs the fence hook against the first other holder not yet fenced for `rec`; false when none is left. */
  private fenceNext(rec: ActiveRecord, others: readonly ActiveRecord[], out: ControllerAction[]): boolean {
    const unfenced = others.find((h) => !this.fenced.has(fenceKey(h.holder, rec.epoch)));
    if (!unfenced) return false;
    this.local = LocalRole.Fencing;
    this.run(out, fenceAction(rec, unfenced, this.raft.term));
    return true;
  }

  private startPromotion(now: number, rec: ActiveRecord, others: readonly ActiveRecord[], out: ControllerAction[]): void {
    // Re-check the lease: a pause may have sat between any earlier check and now.
    const notAfter = this.raft.leaseEnd - this.cfg.demoteBudgetMs;
    if (now >= notAfter) return;
    this.local = LocalRole.Promoting;
    this.cleanlyDemoted = false;
    this.epoch = rec.epoch;
    this.holdTerm = this.raft.term;
    // Every previous holder confirmed down: the VIP needs no duplicate-address probe.
    const previousHolderDown = previousHoldersDown(others, this.fenced, rec.epoch);
    this.run(out, { ...promoteAction(rec, others, this.lastOtherActive, notAfter), previousHolderDown });
  }

  private demoteReason(now: number): string | undefined {
    if (this.shuttingDown) return 'shutdown';
    if (this.raft.role !== 'leader' || this.raft.term !== this.holdTerm) return 'lost leadership';
    if (now >= this.raft.leaseEnd - this.cfg.demoteBudgetMs) return 'lease expiring';
    const rec = this.record.active;
    if (rec && rec.epoch > this.epoch) return `superseded by epoch ${rec.epoch}`;
    if (this.switchover) return this.switchover.why ?? `switchover to ${this.switchover.to}`;
    if (this.cfg.noActive) return 'no-active node';
    if (
      this.serviceHealth.verdict === Health.Unhealthy &&
      !this.record.paused &&
      this.cfg.health?.onNoHealthyCandidate === OnNoHealthyCandidate.Demote &&
      this.serviceHealth.healthyTargets(now, this.record).length === 0
    ) {
      return 'service unhealthy and no healthy node to take the role (on-no-healthy-candidate demote)';
    }
    return undefined;
  }

  /**
   * The active node's service is unhealthy: hand the role to the best healthy candidate through
   * an ordered switchover (demote, confirm, transfer; the target promotes), at most once per
   * cooldown across the cluster. Without a target (or within the cooldown) it keeps the role.
   */
  private considerHealthFailover(now: number, out: ControllerAction[]): void {
    if (this.serviceHealth.verdict !== Health.Unhealthy || this.record.paused || this.shuttingDown || this.switchover !== undefined) return;
    if (this.raft.role !== 'leader' || this.raft.term !== this.holdTerm) return;
    if (this.serviceHealth.coolingDown(now)) return;
    const to = this.serviceHealth.healthyTargets(now, this.record)[0];
    if (to === undefined) return;
    this.serviceHealth.noteFailover(now);
    this.switchover = { to, since: now, transferSent: false, why: `service unhealthy: handing the role to ${to}` };
    out.push({ type: 'propose', command: { type: 'healthFailover', from: this.cfg.nodeId, to } });
  }

  /** Replicate that our own promotions are demoted, and that fenced nodes were fenced. */
  private acknowledge(now: number, out: ControllerAction[]): void {
    for (const command of this.acks.due(now, this.cfg.leaseMs, this.record, this.ownPromotionDown(now)))
      out.push({ type: 'propose', command });
  }

  /**
   * Our listed promotion, when it is down: after a completed demotion (start-up included)
   * every promotion of ours is, except one we are about to promote in our current term.
   */
  private ownPromotionDown(now: number): ActiveRecord | undefined {
    const mine = this.record.holders.find((h) => h.holder === this.cfg.nodeId);
    const preparing =
      mine !== undefined &&
      this.raft.role === 'leader' &&
      mine.term === this.raft.term &&
      mine.epoch > this.lastDemotedEpoch &&
      this.switchover === undefined &&
      now >= this.backoffUntil;
    return mine && this.local === LocalRole.Inactive && this.cleanlyDemoted && !preparing ? mine : undefined;
  }
}
