// How a node learns that it was removed from the cluster, so it stops instead of campaigning
// forever (etcd does the same: a removed member exits and must be wiped to rejoin).
//
// The leader stops replicating to a member as soon as it applies that member's removal, so the
// removed node usually never applies its own removal. It notices instead that it hears from no
// leader, and asks the members it knows (the client API: no protocol change, and members need no
// memory of who was removed). One answer is proof enough when
//   - it comes from the same cluster (Status), and
//   - its LINEARIZABLE member list (a ReadIndex read: the cluster's membership now, §6/§8) does
//     not contain us, and
//   - our own applied membership contained us at some point since we started.
// Applying our own removal is not proof on its own: a node wiped and added back under the same
// id replays the log from the start, old removal included, while it is a member again. Nor is a
// member's applied state: it may lag behind such a re-add. The linearizable list has neither
// problem, and a node that was never a member (started with --join before `members add`) never
// concludes anything: it simply keeps waiting.
import { dialMember } from '../transport/member-calls.js';
import type { TlsSource } from '../transport/tls.js';

/** Why a removed node stopped. The agent exits with its own code (src/cli/exit-codes.ts). */
export class RemovedFromClusterError extends Error {
  readonly code = 'REMOVED_FROM_CLUSTER';
  constructor(
    readonly nodeId: string,
    readonly cluster: string,
    /** The member whose answer proved it. */
    readonly provedBy: string,
  ) {
    super(
      `this node (${nodeId}) was removed from cluster ${cluster} (member ${provedBy} no longer lists it); ` +
        `wipe its data dir and \`palisade members add ${nodeId} <address>\` it to rejoin`,
    );
    this.name = 'RemovedFromClusterError';
  }
}

/** What a node knows of its own membership. */
export interface LocalMembership {
  readonly cluster: string;
  readonly self: string;
  /** Its applied membership contained it at some point since it started. */
  readonly wasMember: boolean;
}

/** A member's answer: its cluster and id (Status) and the linearizable member list (MemberList). */
export interface MemberAnswer {
  readonly cluster: string;
  readonly nodeId: string;
  readonly members: readonly string[];
}

/** True when `answer` proves that `local.self` was removed (see the header for why it is sound). */
export function provesRemoval(local: LocalMembership, answer: MemberAnswer): boolean {
  return answer.cluster === local.cluster && answer.nodeId !== local.self && local.wasMember && !answer.members.includes(local.self);
}

export type StatusProbe = (address: string, timeoutMs: number) => Promise<MemberAnswer>;

export interface RemovalWatchOptions {
  /** This node's applied membership now, and the addresses of the other members. */
  readonly local: () => LocalMembership & { readonly peers: readonly { id: string; address: string }[] };
  /** True while this node leads or hears from a leader. */
  readonly hasLeader: () => boolean;
  readonly monotonicMs: () => number;
  /** How often to look, and how long the node must have been leaderless before asking. */
  readonly intervalMs: number;
  readonly probe: StatusProbe;
  /** Called once, with the member whose answer proved the removal. */
  readonly onRemoved: (provedBy: string) => void;
  readonly onProbeError?: (address: string, err: unknown) => void;
}

/**
 * Asks the members only while this node has heard from no leader for a whole interval, one
 * round at a time: a healthy follower never asks, a partitioned one sends a few cheap calls.
 */
export class RemovalWatch {
  private timer: ReturnType<typeof setInterval> | undefined;
  private leaderlessSince: number | undefined;
  private probing = false;
  private done = false;

  constructor(private readonly opts: RemovalWatchOptions) {}

  start(): void {
    if (this.timer !== undefined || this.done) return;
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.done = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look (the timer calls it; tests may too). Resolves true when removal was proven. */
  async check(): Promise<boolean> {
    if (this.done || this.probing) return false;
    const now = this.opts.monotonicMs();
    if (this.opts.hasLeader()) {
      this.leaderlessSince = undefined;
      return false;
    }
    this.leaderlessSince ??= now;
    if (now - this.leaderlessSince < this.opts.intervalMs) return false;
    const local = this.opts.local();
    if (!local.wasMember || local.peers.length === 0) return false;
    this.probing = true;
    try {
      const timeoutMs = Math.max(200, Math.min(2000, this.opts.intervalMs));
      const answers = await Promise.all(
        local.peers.map(({ address }) =>
          this.opts.probe(address, timeoutMs).then(
            (a) => a,
            (err: unknown) => {
              this.opts.onProbeError?.(address, err);
              return undefined;
            },
          ),
        ),
      );
      const proof = answers.find((a) => a !== undefined && provesRemoval(local, a));
      if (proof === undefined || this.done) return false;
      this.stop();
      this.opts.onRemoved(proof.nodeId);
      return true;
    } finally {
      this.probing = false;
    }
  }
}

/** The real probe: the member's client API over gRPC (TLS when the node uses it). */
export function grpcMemberProbe(tls: TlsSource | undefined): StatusProbe {
  return async (address, timeoutMs) => {
    const member = dialMember(address, tls);
    try {
      const st = await member.status(timeoutMs);
      const list = await member.memberList(false, timeoutMs);
      return { cluster: st.cluster, nodeId: st.nodeId, members: list.members.map((m) => m.id) };
    } finally {
      member.close();
    }
  };
}
