// Heartbeat rounds of one leader term: the single mechanism behind both the HA lease and
// ReadIndex. Each broadcast starts a numbered round; a peer's response acknowledges that it
// still followed us when the round was sent. The newest round acknowledged by a quorum
// (the leader counting itself) bounds, from below, the time until which no other leader can
// exist (stickiness), and releases every read registered at or before that round.
import type { LeaseAck, NodeId } from './types.js';

export interface PendingRead {
  readonly context: string;
  /** Commit index when the read arrived: safe to serve once applied, after the round is acked. */
  readonly index: number;
  readonly round: number;
  /** Who asked: the leader itself or a follower that forwarded the read. */
  readonly from: NodeId;
}

export class HeartbeatRounds {
  /** Last round started in this term (0: none yet). */
  current = 0;
  /** Newest round acknowledged by a quorum. */
  quorumAcked = 0;
  /** The tick at which round `quorumAcked` started (undefined: none acknowledged yet). */
  quorumAckedStartTick: number | undefined = undefined;
  private readonly startTicks = new Map<number, number>();
  private reads: PendingRead[] = [];

  constructor(readonly term: number) {}

  /** Start a new round at the given tick; returns its number. */
  start(tick: number): number {
    this.current += 1;
    this.startTicks.set(this.current, tick);
    return this.current;
  }

  addRead(read: PendingRead): void {
    this.reads.push(read);
  }

  pendingReadCount(): number {
    return this.reads.length;
  }

  /**
   * Record that a quorum acknowledged `round`. Returns the lease fact and the reads it
   * released, or undefined when it is not newer than what we had.
   */
  advanceTo(round: number): { lease: LeaseAck; reads: PendingRead[] } | undefined {
    if (round <= this.quorumAcked) return undefined;
    const startTick = this.startTicks.get(round);
    if (startTick === undefined) throw new Error(`heartbeat round ${round} was never started in term ${this.term}`);
    this.quorumAcked = round;
    this.quorumAckedStartTick = startTick;
    for (const r of [...this.startTicks.keys()]) if (r <= round) this.startTicks.delete(r);
    const released = this.reads.filter((r) => r.round <= round);
    this.reads = this.reads.filter((r) => r.round > round);
    return { lease: { term: this.term, round, startTick }, reads: released };
  }

  /** Reads still waiting (returned on step-down so callers can fail them). */
  drainReads(): PendingRead[] {
    const out = this.reads;
    this.reads = [];
    return out;
  }
}
