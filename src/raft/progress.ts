// The leader's view of one follower: how far its log is known to match, what to send
// next and how fast. Model: etcd-io/raft tracker/progress.go (pre-"MsgAppProbesPaused"
// flavour: one probeSent flag, Probe/Replicate/Snapshot).
//
// Invariant: 0 ≤ match < next.
import { Inflights } from './inflights.js';

export const ProgressState = {
  /** Next is a guess: send one append per heartbeat and wait to learn where the logs match. */
  Probe: 'probe',
  /** The logs match up to `match`: pipeline appends, bounded by inflights. */
  Replicate: 'replicate',
  /** The follower needs a snapshot; appends pause until it reports back. */
  Snapshot: 'snapshot',
} as const;
export type ProgressState = (typeof ProgressState)[keyof typeof ProgressState];

export interface ProgressOptions {
  readonly next: number;
  readonly match?: number;
  readonly maxInflight: number;
  readonly isLearner: boolean;
}

export class Progress {
  /** Highest index known to be in the follower's log and equal to the leader's. */
  match: number;
  /** Index of the next entry to send; entries in (match, next) are in flight. */
  next: number;
  state: ProgressState = ProgressState.Probe;
  /** Index of the snapshot being sent, in Snapshot state; 0 otherwise. */
  pendingSnapshot = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** In Probe state: one append is outstanding, pause until its response or a heartbeat response. */
  probeSent = false;
  readonly inflights: Inflights;
  isLearner: boolean;
  /** Highest heartbeat round of the current term this peer acknowledged. */
  ackedRound = 0;
  /** Leader: the last heartbeat round of the current term that asked this peer to answer. */
  askedRound = 0;
  /** The highest commit index sent to this peer in the current term (append or heartbeat). */
  sentCommit = 0;

  constructor(opts: ProgressOptions) {
    const match = opts.match ?? 0;
    if (!(match >= 0 && opts.next > match)) {
      throw new RangeError(`progress invariant 0 <= match < next violated: match=${match} next=${opts.next}`);
    }
    this.match = match;
    this.next = opts.next;
    this.inflights = new Inflights(opts.maxInflight);
    this.isLearner = opts.isLearner;
  }

  /** Every transition clears the per-state flow-control fields. */
  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Back to probing from match+1 — or, after a snapshot, from just past the snapshot. */
  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      // The snapshot was (reported) delivered, so the follower holds at least its index.
      const snap = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, snap + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /**
   * The follower acked index n. Returns false for a stale ack (n ≤ match), which changes
   * nothing; otherwise raises match, keeps next past it and ends the probe wait.
   */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.probeSent = false;
    return true;
  }

  /** Pipelining in Replicate state: assume the append up to n will succeed. */
  optimisticUpdate(n: number): void {
    this.next = n + 1;
  }

  /**
   * The follower rejected an append whose previous index was `rejected`, hinting that its
   * log may match up to `matchHint`. Returns false (and changes nothing) if the rejection
   * is stale — duplicated or reordered by the network; otherwise lowers next (§5.3: "decrements
   * nextIndex and retries") and clears the probe pause.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      // Anything at or below match is known to be in the follower's log: a stale reject.
      if (rejected <= this.match) return false;
      // The pipeline is broken; restart right after what is known to match.
      this.next = this.match + 1;
      return true;
    }
    // Probe (and Snapshot) send one append at a time, from next-1: a reject of any other
    // index answers an older message.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether sending appends to this follower is throttled right now. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
      default: {
        const never: never = this.state;
        throw new Error(`unexpected progress state ${String(never)}`);
      }
    }
  }

  /**
   * Record that an append carrying entries up to lastIndex was sent
   * (Replicate: optimisticUpdate+inflights.add; Probe: probeSent=true).
   * An empty append in Replicate state occupies no inflight slot. Sending in Snapshot
   * state is a caller bug (isPaused() is always true there) and throws.
   */
  sentEntries(lastIndex: number, entryCount: number): void {
    switch (this.state) {
      case ProgressState.Replicate:
        if (entryCount > 0) {
          this.optimisticUpdate(lastIndex);
          this.inflights.add(lastIndex);
        }
        return;
      case ProgressState.Probe:
        this.probeSent = true;
        return;
      case ProgressState.Snapshot:
        throw new Error(`append sent to a follower in snapshot state (${this.toString()})`);
      default: {
        const never: never = this.state;
        throw new Error(`unexpected progress state ${String(never)}`);
      }
    }
  }

  toString(): string {
    let s = `${this.state} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.pendingSnapshot > 0) s += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) s += ' inactive';
    const n = this.inflights.count();
    if (n > 0) s += ` inflight=${n}${this.inflights.full() ? '[full]' : ''}`;
    return s;
  }
}
