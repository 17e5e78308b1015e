// The members table: who is in the cluster, where to reach them and whether they vote.
// It follows the applied log exactly like the Raft core's own ConfState does (same
// single-server rules, via the core's applyConfChange), and adds what the core does not
// keep: each member's address (carried in ConfChange.context) and the cluster id.
import { applyConfChange } from '../raft/conf-change.js';
import { ConfChangeError } from '../raft/errors.js';
import type { ConfChange, ConfState, NodeId } from '../raft/types.js';
import { compareKeys } from './key-order.js';

export const MemberRole = {
  Voter: 'voter',
  Learner: 'learner',
} as const;
export type MemberRole = (typeof MemberRole)[keyof typeof MemberRole];

export interface Member {
  readonly id: NodeId;
  /** host:port of the peer endpoint; '' until a change tells us. */
  readonly address: string;
  readonly role: MemberRole;
}

/** What applying a change did; `rejected` mirrors the core skipping an invalid change. */
export type MembershipChange =
  { readonly kind: 'applied'; readonly confState: ConfState } | { readonly kind: 'rejected'; readonly reason: string };

export class Membership {
  private clusterIdValue = '';
  private readonly table = new Map<NodeId, Member>();

  /** '' until the bootstrap entry is applied. */
  get clusterId(): string {
    return this.clusterIdValue;
  }

  get bootstrapped(): boolean {
    return this.clusterIdValue !== '';
  }

  /** Sorted by id, so every replica lists (and snapshots) them the same way. */
  members(): Member[] {
    return [...this.table.values()].sort((a, b) => compareKeys(a.id, b.id));
  }

  get(id: NodeId): Member | undefined {
    return this.table.get(id);
  }

  confState(): ConfState {
    const voters: NodeId[] = [];
    const learners: NodeId[] = [];
    for (const m of this.members()) (m.role === MemberRole.Voter ? voters : learners).push(m.id);
    return { voters, learners };
  }

  /**
   * Record the cluster id and the initial members (the first entry of a new cluster). A
   * cluster whose members arrived as ConfChange entries bootstraps with an empty list,
   * which records only the id: overwriting them would part this table from the core's.
   * Returns a reason instead of throwing: every replica must reject a bad one identically.
   */
  bootstrap(clusterId: string, members: readonly Member[]): string | undefined {
    if (this.bootstrapped) return `cluster already bootstrapped as ${this.clusterIdValue}`;
    if (clusterId === '') return 'empty cluster id';
    if (members.length > 0 && this.table.size > 0) {
      return 'members are already known from membership changes; bootstrap with an empty member list';
    }
    const ids = new Set<NodeId>();
    for (const m of members) {
      if (m.id === '') return 'member with an empty id';
      if (ids.has(m.id)) return `member ${m.id} listed twice`;
      ids.add(m.id);
    }
    if (members.length > 0 && !members.some((m) => m.role === MemberRole.Voter)) return 'bootstrap needs at least one voter';
    this.clusterIdValue = clusterId;
    for (const m of members) this.table.set(m.id, { id: m.id, address: m.address, role: m.role });
    return undefined;
  }

  /**
   * Apply a committed ConfChange. A change without context keeps the member's known
   * address. Changes the core would skip (e.g. removing the last voter) are rejected here
   * too, so this table never disagrees with the core's ConfState.
   */
  applyConfChange(cc: ConfChange): MembershipChange {
    let next: ConfState;
    try {
      next = applyConfChange(this.confState(), cc);
    } catch (e) {
      if (e instanceof ConfChangeError) return { kind: 'rejected', reason: e.message };
      throw e;
    }
    const address = cc.context ?? this.table.get(cc.nodeId)?.address ?? '';
    this.table.delete(cc.nodeId);
    for (const [ids, role] of [
      [next.voters, MemberRole.Voter],
      [next.learners, MemberRole.Learner],
    ] as const) {
      if (ids.includes(cc.nodeId)) this.table.set(cc.nodeId, { id: cc.nodeId, address, role });
    }
    return { kind: 'applied', confState: next };
  }

  /** For restore only: the snapshot codec rebuilds the table as it was. */
  static fromParts(clusterId: string, members: readonly Member[]): Membership {
    const m = new Membership();
    m.clusterIdValue = clusterId;
    for (const x of members) m.table.set(x.id, x);
    return m;
  }
}
