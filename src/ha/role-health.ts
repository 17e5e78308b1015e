// What the role controller knows of service health (issue 15), kept beside its decisions: this
// node's own verdict and its publication in the replicated state, the leader's candidate list,
// the cluster-wide failover cooldown and when each node turned healthy. Pure, like the
// controller: `now` comes with every call and the replicated record is passed in.
import { Health, type HaCommand, type ReplicatedHaState } from '../statemachine/ha-record.js';
import { healthOf } from '../statemachine/ha-state.js';
import type { HealthPolicy } from './types.js';

export class RoleHealth {
  /** A node without a check counts as healthy. */
  private own: Health;
  private ownDetail = '';
  private lastPublishAt = Number.NEGATIVE_INFINITY;
  /** Leader only: reachable, caught-up voters allowed to hold the role, best first (input). */
  private candidateIds: readonly string[] = [];
  /** Own clock time of the latest health failover decided here or seen applied. */
  private failoverAt = Number.NEGATIVE_INFINITY;
  private seenFailoverIndex = 0;
  /** When (own clock) a node was seen turning healthy; absent: healthy since before we looked. */
  private readonly healthySince = new Map<string, number>();
  private recordSeen = false;
  /** An unhealthy inactive leader hands leadership to a healthy voter at most this often. */
  private handOffAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly nodeId: string,
    private readonly policy: HealthPolicy | undefined,
  ) {
    this.own = this.checked ? Health.Unknown : Health.Healthy;
  }

  /** This node's own check verdict (healthy when it runs no check). */
  get verdict(): Health {
    return this.own;
  }

  private get checked(): boolean {
    return this.policy?.checked === true;
  }

  private get cooldownMs(): number {
    return this.policy?.failoverCooldownMs ?? 0;
  }

  /** The check's verdict changed; a different one is published at once. */
  setVerdict(health: Health, detail: string): void {
    if (health !== this.own) this.lastPublishAt = Number.NEGATIVE_INFINITY;
    this.own = this.checked ? health : Health.Healthy;
    this.ownDetail = detail;
  }

  setCandidates(ids: readonly string[]): void {
    this.candidateIds = ids;
  }

  /** Notes health failovers (cooldown) and nodes turning healthy (preference) in a new record. */
  observe(now: number, previous: ReplicatedHaState, next: ReplicatedHaState): void {
    const f = next.lastHealthFailover;
    if (f !== null && f.index > this.seenFailoverIndex) {
      // One already in the state when this agent started is from before our time: no cooldown.
      if (this.recordSeen) this.failoverAt = Math.max(this.failoverAt, now);
      this.seenFailoverIndex = f.index;
    }
    for (const h of next.health) {
      const was = healthOf(previous, h.node)?.health;
      if (h.health !== Health.Healthy) this.healthySince.delete(h.node);
      else if (was !== Health.Healthy && this.recordSeen) this.healthySince.set(h.node, now);
    }
    this.recordSeen = true;
  }

  /** A checked node's verdict differs from the one it published. */
  publicationDue(record: ReplicatedHaState): boolean {
    const published = healthOf(record, this.nodeId)?.health;
    if (this.checked) return published !== this.own;
    // Without a check the node is healthy by definition: withdraw a verdict a past life with a
    // check left in the state (else it would stay "unhealthy" and never take the role again).
    return published !== undefined && published !== Health.Healthy;
  }

  /** The verdict to propose now, if due (retried at most every `retryMs`: a proposal may be dropped). */
  publication(now: number, record: ReplicatedHaState, retryMs: number): HaCommand | undefined {
    if (!this.publicationDue(record) || now - this.lastPublishAt < retryMs) return undefined;
    this.lastPublishAt = now;
    return { type: 'health', node: this.nodeId, health: this.own, detail: this.ownDetail };
  }

  /** May `id` be handed the role, by its published verdict? Never published: its own controller decides. */
  mayTakeRole(record: ReplicatedHaState, id: string): boolean {
    const h = healthOf(record, id);
    return h === undefined || h.health === Health.Healthy;
  }

  /** Healthy candidates, best first; a node that recovered within the cooldown only after the others. */
  healthyTargets(now: number, record: ReplicatedHaState): string[] {
    const ok = this.candidateIds.filter((id) => id !== this.nodeId && this.mayTakeRole(record, id));
    const settled = (id: string): boolean => now - (this.healthySince.get(id) ?? Number.NEGATIVE_INFINITY) >= this.cooldownMs;
    return [...ok.filter(settled), ...ok.filter((id) => !settled(id))];
  }

  /** The cooldown after the latest health failover is still running. */
  coolingDown(now: number): boolean {
    return now < this.failoverAt + this.cooldownMs;
  }

  noteFailover(now: number): void {
    this.failoverAt = now;
  }

  /** The last hand-off of leadership by an unhealthy inactive leader was at least `gapMs` ago. */
  handOffAllowed(now: number, gapMs: number): boolean {
    return now - this.handOffAt >= gapMs;
  }

  noteHandOff(now: number): void {
    this.handOffAt = now;
  }
}
