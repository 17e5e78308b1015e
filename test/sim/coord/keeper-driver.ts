// Drives the leader's real session keeper (src/server/session-keeper.ts) on a simulated node's
// drifting clock, as the node's coordination host does: leadership after each Ready, what each
// applied entry changed, keep-alives at receipt and again after their ReadIndex round, and the
// proposals due at each tick. Two test-only deviations (the teeth) start keeping from the wrong
// moment.
import { SessionKeeper } from '../../../src/server/session-keeper.js';
import type { KeepAliveVerdict, KeeperChange, KeeperProposal, KeeperStart } from '../../../src/server/session-keeper.js';

/** The node's: max(500 ms, its election timeout), which in the simulator is the 500 ms. */
export const KEEPER_RETRY_MS = 500;

export interface KeeperTweaks {
  /** Start every session's TTL at the moment of the election instead of the first applied entry of the term. */
  readonly keepFromElection?: boolean;
  /** Start each session's TTL from when this node applied its creation (or restored it). */
  readonly keepFromApply?: boolean;
}

export class KeeperDriver {
  private readonly keeper = new SessionKeeper({ retryMs: KEEPER_RETRY_MS });
  private term = 0;
  private electedAt = 0;
  /** When this node applied each live session's creation, by its clock (keepFromApply). */
  private readonly learnedAt = new Map<string, number>();

  constructor(
    /** When this incarnation started: what a session restored from a snapshot was learned at. */
    private readonly startedAt: number,
    private readonly tweaks: KeeperTweaks = {},
  ) {}

  get isKeeping(): boolean {
    return this.keeper.isKeeping;
  }

  /** After each Ready: lead `term` (0: not the leader). */
  leadership(term: number, now: number): void {
    if (term === 0) {
      if (this.term !== 0) this.keeper.stepDown();
      this.term = 0;
      return;
    }
    if (term !== this.term) this.electedAt = now;
    this.term = term;
    this.keeper.becameLeader(term);
  }

  applied(now: number, appliedTerm: number, changes: readonly KeeperChange[], start: () => KeeperStart): void {
    for (const c of changes) {
      if (c.type === 'sessionCreated') this.learnedAt.set(c.session, now);
      if (c.type === 'sessionEnded') this.learnedAt.delete(c.session);
    }
    const wasKeeping = this.keeper.isKeeping;
    if (wasKeeping || this.term === 0 || appliedTerm !== this.term) return this.keeper.applied(now, appliedTerm, changes, start);
    if (this.tweaks.keepFromElection === true) return this.keeper.applied(this.electedAt, appliedTerm, changes, start);
    if (this.tweaks.keepFromApply !== true) return this.keeper.applied(now, appliedTerm, changes, start);
    // Start with no session, then add each as if created when this node applied it.
    const s = start();
    this.keeper.applied(now, appliedTerm, [], () => ({ sessions: [], delays: s.delays }));
    for (const x of s.sessions) {
      const created: KeeperChange = { type: 'sessionCreated', session: x.id, ttlMs: x.ttlMs };
      this.keeper.applied(this.learnedAt.get(x.id) ?? this.startedAt, appliedTerm, [created], start);
    }
  }

  keepAlive(session: string, receivedAt: number): KeepAliveVerdict {
    return this.keeper.keepAlive(session, receivedAt);
  }

  due(now: number): KeeperProposal[] {
    return this.keeper.due(now);
  }
}
