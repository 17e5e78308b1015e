// The role controller: decides, on one node, when to promote, demote and fence (protocol in
// docs/design-notes.md "The active role"). Pure: no timers, no processes, no clock reads —
// `now` comes with every input and the caller runs the actions it returns, one `run` at a
// time, reporting each end with an `actionDone` input. Every decision is re-evaluated from
// the latest inputs ("latest state wins"), so a lost or late input only delays, never confuses.
import { healthOf } from '../statemachine/ha-state.js';
import { EMPTY_HA_STATE, Health, type ActiveRecord, type HaCommand, type ReplicatedHaState } from '../statemachine/ha-record.js';
import type { ControllerAction, ControllerInput, HaConfig, HookKind, RaftRole } from './types.js';
import { LocalRole, OnNoHealthyCandidate } from './types.js';

interface RaftView {
  readonly role: RaftRole;
  readonly term: number;
  readonly leader: string;
  readonly electedByTransfer: boolean;
}

interface Switchover {
  readonly to: string;
  readonly since: number;
  transferSent: boolean;
  /** Why, for the demotion's reason (default: an operator's switchover). */
  readonly why?: string;
}

export class RoleController {
  private raft: RaftView = { role: 'follower', term: 0, leader: '', electedByTransfer: false };
  /** Own clock time at which we became leader of raft.term. */
  private leaderSince = 0;
  /** Lease end (own clock) for raft.term while leader; -Infinity otherwise. */
  private leaseEnd = Number.NEGATIVE_INFINITY;
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
  private lastAckAt = Number.NEGATIVE_INFINITY;
  private readonly fenceAcks = new Map<string, { holder: string; epoch: number }>();
  private backoffUntil = Number.NEGATIVE_INFINITY;
  private backoffMs: number;
  private witnessTransferTerm = 0;
  private switchover: Switchover | undefined;
  private shuttingDown = false;

  // Service health (issue 15). A node without a check counts as healthy.
  private ownHealth: Health;
  private ownHealthDetail = '';
  private lastPublishAt = Number.NEGATIVE_INFINITY;
  /** Leader only: reachable, caught-up voters allowed to hold the role, best first (input). */
  private candidateIds: readonly string[] = [];
  /** Own clock time of the latest health failover decided here or seen applied. */
  private healthFailoverAt = Number.NEGATIVE_INFINITY;
  private seenHealthFailoverIndex = 0;
  /** When (own clock) a node was seen turning healthy; absent: healthy since before we looked. */
  private readonly healthySince = new Map<string, number>();
  private recordSeen = false;
  /** An unhealthy inactive leader hands leadership to a healthy voter at most this often. */
  private healthTransferAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly cfg: HaConfig) {
    this.backoffMs = cfg.promoteBackoffMinMs;
    this.ownHealth = cfg.health?.checked === true ? Health.Unknown : Health.Healthy;
  }

  /** This node's own check verdict (healthy when it runs no check). */
  get health(): Health {
    return this.ownHealth;
  }

  /**
   * The active node's service is unhealthy and it keeps the role: no healthy node to hand it to,
   * the failover cooldown is running, or the cluster is paused.
   */
  get degraded(): boolean {
    return this.local === LocalRole.Active && this.ownHealth === Health.Unhealthy;
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
    return this.leaseEnd;
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
    if (this.switchover !== undefined || this.fenceAcks.size > 0 || this.publicationDue()) return Number.NEGATIVE_INFINITY;
    if (this.raft.role === 'leader') {
      // An unhealthy active waits for its failover cooldown to end: a clock-driven decision.
      const holding = this.local === LocalRole.Active && this.raft.term === this.holdTerm && !this.cfg.noActive && this.ownHealth === Health.Healthy;
      return holding ? this.leaseEnd - this.cfg.demoteBudgetMs : Number.NEGATIVE_INFINITY;
    }
    if (this.local !== LocalRole.Inactive) return Number.NEGATIVE_INFINITY;
    return this.record.holders.some((h) => h.holder === this.cfg.nodeId) ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  /** True when this node may serve as active at `now`: promoted and within its lease. */
  isActive(now: number): boolean {
    return this.local === LocalRole.Active && now < this.leaseEnd;
  }

  handle(input: ControllerInput): ControllerAction[] {
    const out: ControllerAction[] = [];
    switch (input.type) {
      case 'raft':
        this.onRaft(input.now, input);
        break;
      case 'lease':
        if (this.raft.role === 'leader' && input.term === this.raft.term) {
          this.leaseEnd = Math.max(this.leaseEnd, input.roundStartedAt + this.cfg.leaseMs);
        }
        break;
      case 'record':
        this.observeHealth(input.now, input.state);
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
          const to = input.to !== '' ? input.to : (input.caughtUp.find((id) => id !== this.cfg.nodeId && this.mayTakeRole(id)) ?? '');
          if (to !== '' && to !== this.cfg.nodeId) this.switchover = { to, since: input.now, transferSent: false };
        }
        break;
      case 'shutdown':
        this.shuttingDown = true;
        break;
      case 'health':
        if (input.health !== this.ownHealth) this.lastPublishAt = Number.NEGATIVE_INFINITY; // publish at once
        this.ownHealth = this.cfg.health?.checked === true ? input.health : Health.Healthy;
        this.ownHealthDetail = input.detail;
        break;
      case 'candidates':
        this.candidateIds = input.ids;
        break;
      default: {
        const never: never = input;
        throw new Error(`unknown controller input ${JSON.stringify(never)}`);
      }
    }
    this.evaluate(input.now, out);
    return out;
  }

  private onRaft(now: number, v: RaftView): void {
    const becameLeader = v.role === 'leader' && (this.raft.role !== 'leader' || this.raft.term !== v.term);
    if (becameLeader) {
      this.leaderSince = now;
      this.fenced.clear();
    }
    if (v.role !== 'leader' || v.term !== this.raft.term) this.leaseEnd = Number.NEGATIVE_INFINITY;
    if (v.role !== 'leader') this.switchover = undefined;
    this.raft = { role: v.role, term: v.term, leader: v.leader, electedByTransfer: v.electedByTransfer };
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
        this.lastAckAt = Number.NEGATIVE_INFINITY; // acknowledge at once
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
          this.fenced.add(`${running.target}@${epoch}`);
          const h = this.record.holders.find((x) => x.holder === running.target);
          if (h) this.fenceAcks.set(running.target, { holder: running.target, epoch: h.epoch });
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

  private run(out: ControllerAction[], a: Extract<ControllerAction, { type: 'run' }>): void {
    this.running = a;
    out.push(a);
  }

  private demote(reason: string, out: ControllerAction[]): void {
    this.local = LocalRole.Demoting;
    this.cleanlyDemoted = false;
    this.run(out, {
      type: 'run',
      kind: 'demote',
      epoch: this.epoch,
      target: this.cfg.nodeId,
      reason,
      previousActive: this.cfg.nodeId,
      term: this.raft.term,
      notAfter: Number.POSITIVE_INFINITY,
    });
  }

  private evaluate(now: number, out: ControllerAction[]): void {
    const me = this.cfg.nodeId;
    // Start-up: demote before anything else (we may still hold a VIP from a previous life).
    if (!this.startupDone) {
      if (!this.running) {
        this.local = LocalRole.Demoting;
        this.epoch = 0;
        this.run(out, { type: 'run', kind: 'demote', epoch: 0, target: me, reason: 'startup', previousActive: '', term: this.raft.term, notAfter: Number.POSITIVE_INFINITY });
      }
      return;
    }

    this.publishHealth(now, out);

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

    if (this.raft.role !== 'leader') return;

    // 2. Switchover: once demoted and acknowledged, hand leadership over.
    if (this.switchover) {
      const sw = this.switchover;
      const mine = this.record.holders.some((h) => h.holder === me);
      if (this.local === LocalRole.Inactive && !mine && !sw.transferSent) {
        sw.transferSent = true;
        out.push({ type: 'transferLeadership', to: sw.to });
      }
      if (now - sw.since > 2 * this.cfg.outliveMs + this.cfg.demoteBudgetMs) this.switchover = undefined; // gave up; stay leader
      if (this.switchover) return;
    }

    // 3. A witness leader hands leadership to a node that may hold the role.
    if (this.cfg.noActive) {
      if (this.witnessTransferTerm !== this.raft.term) {
        this.witnessTransferTerm = this.raft.term;
        out.push({ type: 'transferLeadership', to: '' });
      }
      return;
    }
    if (this.record.paused || this.local !== LocalRole.Inactive || now < this.backoffUntil) return;

    // Never promote a node whose service is not (yet) healthy: a healthy voter should lead, once
    // our own clean demotion is confirmed in the log (as in a switchover: the next holder need
    // not fence us). After a failed demotion no confirmation comes: the next holder fences us.
    if (this.ownHealth !== Health.Healthy) {
      const to = this.healthyTargets(now)[0];
      const confirmed = !this.cleanlyDemoted || !this.record.holders.some((h) => h.holder === me);
      if (to !== undefined && confirmed && now - this.healthTransferAt >= 2 * this.cfg.outliveMs) {
        this.healthTransferAt = now;
        out.push({ type: 'transferLeadership', to });
      }
      return;
    }

    // 4. Promotion, only on an applied promote record of ours in this term, still listed as a
    // holder, and never an epoch we already demoted (that one is acknowledged as down).
    const rec = this.record.active;
    const usable =
      rec !== null &&
      rec.holder === me &&
      rec.term === this.raft.term &&
      rec.epoch > this.lastDemotedEpoch &&
      this.record.holders.some((h) => h.holder === me && h.epoch === rec.epoch);
    if (!usable || rec === null) {
      if (this.promoteProposedTerm !== this.raft.term || now - this.promoteProposedAt > 2 * this.cfg.outliveMs) {
        this.promoteProposedTerm = this.raft.term;
        this.promoteProposedAt = now;
        out.push({ type: 'propose', command: { type: 'promote', holder: me, term: this.raft.term } });
      }
      return;
    }
    const others = this.record.holders.filter((h) => h.holder !== me);
    if (this.cfg.fencing === 'hook') {
      const unfenced = others.find((h) => !this.fenced.has(`${h.holder}@${rec.epoch}`));
      if (unfenced) {
        this.local = LocalRole.Fencing;
        this.run(out, {
          type: 'run',
          kind: 'fence',
          epoch: rec.epoch,
          target: unfenced.holder,
          reason: `promotion of epoch ${rec.epoch}: ${unfenced.holder} did not confirm demoting epoch ${unfenced.epoch}`,
          previousActive: unfenced.holder,
          term: this.raft.term,
          notAfter: Number.POSITIVE_INFINITY,
        });
        return;
      }
    } else if (others.length > 0 && this.raft.electedByTransfer && now < this.leaderSince + this.cfg.outliveMs) {
      // A transfer election says nothing about the old leader's lease: outlive it.
      return;
    }
    // Re-check the lease: a pause may have sat between any earlier check and now.
    const notAfter = this.leaseEnd - this.cfg.demoteBudgetMs;
    if (now >= notAfter) return;
    this.local = LocalRole.Promoting;
    this.cleanlyDemoted = false;
    this.epoch = rec.epoch;
    this.holdTerm = this.raft.term;
    // The newest other holder not yet confirmed down, else the last other holder we saw.
    const previous = lastOther(others)?.holder ?? this.lastOtherActive;
    this.run(out, {
      type: 'run',
      kind: 'promote',
      epoch: rec.epoch,
      target: me,
      reason: lastOther(others) ? `failover from ${previous}` : previous ? `takeover from ${previous}` : 'elected',
      previousActive: previous,
      term: this.raft.term,
      notAfter,
    });
  }

  private demoteReason(now: number): string | undefined {
    if (this.shuttingDown) return 'shutdown';
    if (this.raft.role !== 'leader' || this.raft.term !== this.holdTerm) return 'lost leadership';
    if (now >= this.leaseEnd - this.cfg.demoteBudgetMs) return 'lease expiring';
    const rec = this.record.active;
    if (rec && rec.epoch > this.epoch) return `superseded by epoch ${rec.epoch}`;
    if (this.switchover) return this.switchover.why ?? `switchover to ${this.switchover.to}`;
    if (this.cfg.noActive) return 'no-active node';
    if (this.ownHealth === Health.Unhealthy && !this.record.paused && this.cfg.health?.onNoHealthyCandidate === OnNoHealthyCandidate.Demote && this.healthyTargets(now).length === 0) {
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
    if (this.ownHealth !== Health.Unhealthy || this.record.paused || this.shuttingDown || this.switchover !== undefined) return;
    if (this.raft.role !== 'leader' || this.raft.term !== this.holdTerm) return;
    const cooldown = this.cfg.health?.failoverCooldownMs ?? 0;
    if (now < this.healthFailoverAt + cooldown) return;
    const to = this.healthyTargets(now)[0];
    if (to === undefined) return;
    this.healthFailoverAt = now;
    this.switchover = { to, since: now, transferSent: false, why: `service unhealthy: handing the role to ${to}` };
    out.push({ type: 'propose', command: { type: 'healthFailover', from: this.cfg.nodeId, to } });
  }

  /** May `id` be handed the role, by its published verdict? Never published: its own controller decides. */
  private mayTakeRole(id: string): boolean {
    const h = healthOf(this.record, id);
    return h === undefined || h.health === Health.Healthy;
  }

  /** Healthy candidates, best first; a node that recovered within the cooldown only after the others. */
  private healthyTargets(now: number): string[] {
    const cooldown = this.cfg.health?.failoverCooldownMs ?? 0;
    const ok = this.candidateIds.filter((id) => id !== this.cfg.nodeId && this.mayTakeRole(id));
    const settled = (id: string): boolean => now - (this.healthySince.get(id) ?? Number.NEGATIVE_INFINITY) >= cooldown;
    return [...ok.filter(settled), ...ok.filter((id) => !settled(id))];
  }

  /** Notes health failovers (cooldown) and nodes turning healthy (preference) in a new record. */
  private observeHealth(now: number, next: ReplicatedHaState): void {
    const f = next.lastHealthFailover;
    if (f !== null && f.index > this.seenHealthFailoverIndex) {
      // One already in the state when this agent started is from before our time: no cooldown.
      if (this.recordSeen) this.healthFailoverAt = Math.max(this.healthFailoverAt, now);
      this.seenHealthFailoverIndex = f.index;
    }
    for (const h of next.health) {
      const was = healthOf(this.record, h.node)?.health;
      if (h.health !== Health.Healthy) this.healthySince.delete(h.node);
      else if (was !== Health.Healthy && this.recordSeen) this.healthySince.set(h.node, now);
    }
    this.recordSeen = true;
  }

  /** A checked node's verdict differs from the one it published. */
  private publicationDue(): boolean {
    const published = healthOf(this.record, this.cfg.nodeId)?.health;
    if (this.cfg.health?.checked === true) return published !== this.ownHealth;
    // Without a check the node is healthy by definition: withdraw a verdict a past life with a
    // check left in the state (else it would stay "unhealthy" and never take the role again).
    return published !== undefined && published !== Health.Healthy;
  }

  /** Publish our verdict in the replicated state (retried: a proposal may be dropped). */
  private publishHealth(now: number, out: ControllerAction[]): void {
    if (!this.publicationDue() || now - this.lastPublishAt < this.cfg.leaseMs) return;
    this.lastPublishAt = now;
    out.push({ type: 'propose', command: { type: 'health', node: this.cfg.nodeId, health: this.ownHealth, detail: this.ownHealthDetail } });
  }

  /** Replicate that our own promotions are demoted, and that fenced nodes were fenced. */
  private acknowledge(now: number, out: ControllerAction[]): void {
    if (now - this.lastAckAt < this.cfg.leaseMs) return; // rate limit retries
    const me = this.cfg.nodeId;
    const commands: HaCommand[] = [];
    const mine = this.record.holders.find((h) => h.holder === me);
    // After a completed demotion (start-up included) every promotion of ours is down, except
    // one we are about to promote in our current term.
    const preparing =
      mine !== undefined &&
      this.raft.role === 'leader' &&
      mine.term === this.raft.term &&
      mine.epoch > this.lastDemotedEpoch &&
      this.switchover === undefined &&
      now >= this.backoffUntil;
    if (mine && this.local === LocalRole.Inactive && this.cleanlyDemoted && !preparing) {
      commands.push({ type: 'demoted', holder: me, epoch: mine.epoch });
    }
    for (const [holder, ack] of this.fenceAcks) {
      if (this.record.holders.some((h) => h.holder === holder && h.epoch <= ack.epoch)) {
        commands.push({ type: 'fenced', holder, epoch: ack.epoch, by: me });
      } else {
        this.fenceAcks.delete(holder);
      }
    }
    if (commands.length === 0) return;
    this.lastAckAt = now;
    for (const command of commands) out.push({ type: 'propose', command });
  }

}

function lastOther(others: readonly ActiveRecord[]): ActiveRecord | undefined {
  return others.length > 0 ? others[others.length - 1] : undefined;
}
