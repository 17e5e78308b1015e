// Writes that arrive while the Ready loop is handling a Ready wait here, and enter the core
// together just before the next Ready is taken. Proposed one by one, each write made the leader
// send an append of one entry to every follower and each follower answer it: per write, two
// messages out, two in and a commit computation on the leader, and a message in and out on each
// follower. Queued, a Ready's writes share one append and one answer per follower, as they
// already share one fsync. Nothing waits longer: the queue is emptied by the Ready that would
// have carried the writes anyway (proposals never enter a Ready already taken), and a write that
// finds the loop idle is proposed at once.
import type { RawNode } from '../raft/raw-node.js';

/** One queued write: its entry data, and whom to tell if the core refuses it. */
interface Queued {
  readonly data: Uint8Array;
  readonly dropped: (err: unknown) => void;
}

/** The loop as the queue sees it (ready-loop.ts). */
export interface LoopState {
  /** A Ready is being handled: a proposal now would wait for the next one anyway. */
  readonly busy: boolean;
  kick(): void;
}

export class ProposalQueue {
  private queued: Queued[] = [];

  constructor(
    private readonly raw: Pick<RawNode, 'propose' | 'proposeMany'>,
    private readonly loop: LoopState,
    /** Told how many writes the core took: a queued write is not proposed until then. */
    private readonly proposed: (writes: number) => void,
  ) {}

  get size(): number {
    return this.queued.length;
  }

  /** Proposes `data` now, or queues it while the loop is busy; `dropped` is told if the core refuses it. */
  submit(data: Uint8Array, dropped: (err: unknown) => void): void {
    if (this.loop.busy) {
      this.queued.push({ data, dropped });
      return;
    }
    try {
      this.raw.propose(data);
    } catch (err) {
      dropped(err);
      return;
    }
    this.proposed(1);
    this.loop.kick();
  }

  /** Proposes what is queued, in arrival order, in one step; if the core refuses, each writer is told. */
  flush(): void {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    try {
      this.raw.proposeMany(batch.map((q) => q.data));
    } catch (err) {
      // Every writer is told, even if telling one of them throws.
      let first: { err: unknown } | undefined;
      for (const q of batch) {
        try {
          q.dropped(err);
        } catch (e) {
          first ??= { err: e };
        }
      }
      if (first !== undefined) throw first.err;
      return;
    }
    this.proposed(batch.length);
  }
}
