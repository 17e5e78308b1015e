// The rules every client request of a node shares: refused while the node stops, leader-only
// operations redirect to the leader, a refused proposal becomes the not-leader redirect, and a
// request not applied in time fails with a timeout that says a retry is safe.
import { NoLeaderError, ShuttingDownError, TimeoutError } from '../errors.js';
import { ProposalDroppedError } from '../raft/errors.js';
import { StateType } from '../raft/types.js';
import type { NodeHost } from './node-host.js';

export class RequestGuard {
  /** How long a client call may wait for its write, read or change to be applied. */
  readonly timeoutMs: number;

  constructor(
    private readonly host: NodeHost,
    electionTimeoutMs: number,
  ) {
    this.timeoutMs = Math.max(2000, 10 * electionTimeoutMs);
  }

  /** Throws ShuttingDownError once the node stops. */
  usable(): void {
    if (!this.host.serving) throw new ShuttingDownError(this.host.nodeId);
  }

  /** Throws the not-leader redirect (UNAVAILABLE + the leader's address) unless this node leads. */
  requireLeader(what: string): void {
    if (this.host.raw.basicStatus().state === StateType.Leader) return;
    const { leader, address } = this.host.leaderHint();
    throw new NoLeaderError(
      `${what} must be asked of the leader and node ${this.host.nodeId} is not it`,
      leader || undefined,
      address || undefined,
    );
  }

  timeout(what: string): TimeoutError {
    return new TimeoutError(
      `${what} not applied on node ${this.host.nodeId} within ${this.timeoutMs} ms; retry (writes with the same request id are applied once)`,
    );
  }

  /** A proposal the core refused: the not-leader redirect; anything else as an Error. */
  dropped(err: unknown): Error {
    if (err instanceof ProposalDroppedError) {
      const { leader, address } = this.host.leaderHint();
      return new NoLeaderError(err.reason, leader || undefined, address || undefined, { cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
