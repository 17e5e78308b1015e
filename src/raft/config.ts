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
  readonly logger?: RaftLogger;
}
