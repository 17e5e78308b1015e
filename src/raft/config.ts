// Configuration of one core instance, validated once at construction.
import type { RaftLogger } from './logger.js';
import type { Rng } from './rng.js';
import type { NodeId } from './types.js';
import type { Storage } from './storage.js';

export interface RaftConfig {
  readonly id: NodeId;
  /**
   * Minimum election timeout in ticks. A follower's actual timeout is drawn from
   * [electionTick, 2*electionTick) after every reset. Leader stickiness uses this minimum:
   * a follower that heard from a leader fewer than electionTick ticks ago ignores votes.
   */
  readonly electionTick: number;
  /** Leader sends a heartbeat round every heartbeatTick ticks. Must be < electionTick. */
  readonly heartbeatTick: number;
  /**
   * Leader: ask followers to answer a heartbeat round only once the newest round a quorum
   * acknowledged started at least this many ticks ago (the lease renewal cadence: just enough
   * voters for a quorum, raft/renewal-askees.ts, everyone after an unanswered ask); other rounds
   * are sent with `replyOptional` unless a ReadIndex is pending, CheckQuorum has not heard from
   * the follower in this election timeout, or its progress is not known. Default
   * heartbeatTick: every round answered. The HA layer sets it from the lease arithmetic
   * (ha/timing.ts, leaseRenewalMs).
   */
  readonly quorumAckTicks?: number;
  readonly storage: Storage;
  readonly rng: Rng;
  /** Last applied index when restarting (entries up to it are not handed out again). */
  readonly applied?: number;
  /** Soft limit of entry bytes per append message (default 1 MiB). */
  readonly maxSizePerMsg?: number;
  /** Max in-flight append messages per follower in replicate state (default 256). */
  readonly maxInflightMsgs?: number;
  /** Default true. */
  readonly preVote?: boolean;
  /** Default true. A leader steps down if it has not heard from a quorum in electionTick ticks. */
  readonly checkQuorum?: boolean;
  /**
   * Chooses a follower's election timeout (in ticks) whenever it is redrawn: after every
   * reset, and when a follower first learns the leader of its term. Default: uniform in
   * [electionTick, 2·electionTick). The result is clamped into that range, so no policy can
   * make a node campaign before electionTick (stickiness and the lease assume it) or let the
   * liveness bound slip past 2·electionTick.
   */
  readonly electionTimeout?: ElectionTimeoutPolicy;
  /**
   * A voter still inside its stickiness window ignores a PreVote request without answering, so a
   * pre-candidate that asked a tick too early would wait a whole election timeout. With this
   * set, a pre-candidate asks the voters that have not answered again on each of its first
   * `preVoteRetryTicks` ticks. Default 0 (etcd's behaviour). PreVote requests change no state,
   * so retrying them is always safe.
   */
  readonly preVoteRetryTicks?: number;
  readonly logger?: RaftLogger;
}

/** What an election-timeout policy may look at. `lead` is NONE when the leader is unknown. */
export interface ElectionTimeoutContext {
  readonly id: NodeId;
  readonly electionTick: number;
  readonly voters: readonly NodeId[];
  readonly lead: NodeId;
  readonly rng: Rng;
}

export type ElectionTimeoutPolicy = (ctx: ElectionTimeoutContext) => number;
