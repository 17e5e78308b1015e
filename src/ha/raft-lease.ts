// What the role controller knows of Raft on this node: role and term, since when it leads, and
// the lease that quorum-acknowledged heartbeat rounds give a leader (docs/design-notes.md "The
// active role"). Pure: times are own-clock readings passed in.
import type { RaftRole } from './types.js';

export interface RaftView {
  readonly role: RaftRole;
  readonly term: number;
  readonly leader: string;
  readonly electedByTransfer: boolean;
}

export class RaftLease {
  private view: RaftView = { role: 'follower', term: 0, leader: '', electedByTransfer: false };
  /** Own clock time at which we became leader of the current term. */
  private since = 0;
  /** Lease end (own clock) for the current term while leader; -Infinity otherwise. */
  private end = Number.NEGATIVE_INFINITY;

  get role(): RaftRole {
    return this.view.role;
  }

  get term(): number {
    return this.view.term;
  }

  get electedByTransfer(): boolean {
    return this.view.electedByTransfer;
  }

  get leaderSince(): number {
    return this.since;
  }

  get leaseEnd(): number {
    return this.end;
  }

  /** The node's Raft view at `now`; true when this node just became leader (of a new term). */
  observe(now: number, v: RaftView): boolean {
    const becameLeader = v.role === 'leader' && (this.view.role !== 'leader' || this.view.term !== v.term);
    if (becameLeader) this.since = now;
    if (v.role !== 'leader' || v.term !== this.view.term) this.end = Number.NEGATIVE_INFINITY;
    this.view = { role: v.role, term: v.term, leader: v.leader, electedByTransfer: v.electedByTransfer };
    return becameLeader;
  }

  /** A quorum acknowledged a heartbeat round of `term` that started at `roundStartedAt`. */
  renew(term: number, roundStartedAt: number, leaseMs: number): void {
    if (this.view.role === 'leader' && term === this.view.term) this.end = Math.max(this.end, roundStartedAt + leaseMs);
  }
}
