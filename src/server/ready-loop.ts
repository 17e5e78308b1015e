// The one executor of the Ready contract (src/raft/ready.ts). It is the ONLY code that persists,
// sends, applies and advances, and never has two Readies in flight: persist(N+1) starts after
// advance(N). Inputs (tick, step, propose) reach the core between awaits and simply call kick();
// whatever they produced goes into the next Ready, which batches naturally under load (one fsync
// covers every proposal that arrived during the previous one).
//
// Two departures from "persist, then send", both the ones etcd makes, and why they are safe:
//
// 1. A LEADER sends its appendEntries and heartbeats BEFORE its own write is durable (Raft thesis
//    §10.2.1: "the leader can write to its disk in parallel with replicating to the followers").
//    The persist-before-send rule exists because a message may PROMISE durable state: a vote
//    (term, vote), an acknowledged entry (appendEntriesResponse). A leader's appendEntries promises
//    nothing about its own disk: the core counts the leader's own entries as matched when it
//    appends them, but a commit needs a quorum, and the commit index can only be acted on
//    (applied, answered, sent onwards) in a LATER Ready — which this loop starts only after this
//    Ready's write completed. So nothing is ever applied or acknowledged that is not durable on a
//    quorum that includes this node's own write; if the leader crashes first, its unsynced entries
//    were never committed, exactly as if the crash had come before the append. Restrictions that
//    keep it this narrow: only while the core is leader when the Ready is taken; only those two
//    message types from this term (vote requests/responses, append responses, timeoutNow, reads
//    and anything from a follower or candidate still wait); and only when this Ready does not
//    change term or vote — a message of term T must never leave before T (and our vote in T) is
//    durable, or a restart could vote twice in T.
// 2. A Ready with mustSync false (only the commit index moved: no entries, term, vote or snapshot)
//    is not awaited. Its messages promise nothing new (every entry they could refer to was synced
//    by an earlier Ready) and its committed entries were made durable by earlier Readies; a lost
//    commit index is re-learned from the leader after a crash. LevelStorage holds such a hard
//    state for the next batch rather than writing it alone; a failure is still fatal.
import type { Message } from '../raft/messages.js';
import type { Ready } from '../raft/ready.js';
import type { RawNode } from '../raft/raw-node.js';
import { StateType, type Entry, type HardState, type ReadState, type Snapshot } from '../raft/types.js';
import type { Clock } from './clock.js';
import type { NodeMetrics } from './metrics.js';

/** What the loop does with each part of a Ready; the node supplies it. */
export interface ReadyExecutor {
  /** Step 1: snapshot, entries and hard state in one durable batch. */
  persist(rd: Ready): Promise<void>;
  /** Step 2: hand the messages to the transport (returns at once). */
  send(messages: readonly Message[]): void;
  /** Step 3a: replace the state machine with the snapshot's image. */
  applySnapshot(snapshot: Snapshot): void;
  /** Step 3b: apply committed entries in order and answer waiting writers. */
  applyEntries(entries: readonly Entry[]): void;
  /** Step 3c: release linearizable reads whose index is applied. */
  serveReads(readStates: readonly ReadState[]): void;
  /** After advance(): compaction, events, waiting conditions. */
  afterAdvance(rd: Ready): Promise<void>;
  /**
   * Just before a Ready is taken: a last chance to add proposals to it (a new leader's
   * Promote entry then rides in the same write and append round as its election no-op).
   */
  beforeReady?(): void;
  /** Inputs held back for the next Ready (queued proposals, which beforeReady hands to the core): the loop runs for them too. */
  heldInputs?(): boolean;
}

/** The messages of a Ready split by when they may leave (see the header, point 1). */
export interface SplitMessages {
  /** May leave before the Ready's write is durable. */
  readonly early: readonly Message[];
  /** Must wait for it. */
  readonly late: readonly Message[];
}

const NOTHING: readonly Message[] = [];

/**
 * Splits `rd.messages`. `leader` and `term` describe the core when the Ready was taken;
 * `durable` is the term and vote known to be on disk (undefined: unknown, only a Ready that does
 * not change the hard state may then send early). Order within each part is kept.
 */
export function splitMessages(
  rd: Pick<Ready, 'messages' | 'hardState'>,
  leader: boolean,
  term: number,
  durable: Pick<HardState, 'term' | 'vote'> | undefined,
): SplitMessages {
  if (!leader || rd.messages.length === 0) return { early: NOTHING, late: rd.messages };
  const hs = rd.hardState;
  if (hs !== undefined && (durable === undefined || hs.term !== durable.term || hs.vote !== durable.vote)) {
    return { early: NOTHING, late: rd.messages };
  }
  let early: Message[] | undefined;
  let late: Message[] | undefined;
  for (const m of rd.messages) {
    if ((m.type === 'appendEntries' || m.type === 'heartbeat') && m.term === term) (early ??= []).push(m);
    else (late ??= []).push(m);
  }
  return { early: early ?? NOTHING, late: late ?? NOTHING };
}

export class ReadyLoop {
  private running = false;
  private stopped = false;
  private failed = false;
  private idleWaiters: (() => void)[] = [];
  /** Term and vote of the last hard state this loop wrote (undefined until the first one). */
  private durable: Pick<HardState, 'term' | 'vote'> | undefined;

  constructor(
    private readonly raw: RawNode,
    private readonly exec: ReadyExecutor,
    private readonly clock: Clock,
    private readonly metrics: NodeMetrics,
    /** The loop stops on any error (a failed fsync leaves memory ahead of disk). */
    private readonly onFatal: (err: unknown) => void,
  ) {}

  /** Something changed in the core: run the loop unless it is already running. */
  kick(): void {
    // Asked after every tick and step: most find nothing ready, and an async run() that ends at
    // once still costs a promise each time.
    if (this.running || this.stopped || !this.raw.hasReady()) return;
    this.running = true;
    void this.run();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** A Ready is being handled: inputs now reach the core in time for the next one. */
  get busy(): boolean {
    return this.running;
  }

  /** Stops after the Ready in flight (if any) has been fully handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.running) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && (this.raw.hasReady() || this.exec.heldInputs?.() === true)) {
        const start = this.clock.monotonicMs();
        this.exec.beforeReady?.();
        // The held inputs were all refused: nothing to do after all.
        if (!this.raw.hasReady()) continue;
        const core = this.raw.basicStatus();
        const rd = this.raw.ready();
        const { early, late } = splitMessages(rd, core.state === StateType.Leader, core.term, this.durable);
        if (rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined) {
          // Start the write first, so the fsync and the followers' work overlap.
          const written = this.exec.persist(rd);
          if (early.length > 0) this.exec.send(early);
          if (rd.mustSync) {
            await written;
            this.metrics.persistDuration.observe((this.clock.monotonicMs() - start) / 1000);
          } else {
            written.catch((err: unknown) => this.fail(err));
          }
          if (rd.hardState !== undefined) this.durable = { term: rd.hardState.term, vote: rd.hardState.vote };
        } else if (early.length > 0) {
          this.exec.send(early);
        }
        if (late.length > 0) this.exec.send(late);
        if (rd.snapshot !== undefined) this.exec.applySnapshot(rd.snapshot);
        if (rd.committedEntries.length > 0) this.exec.applyEntries(rd.committedEntries);
        if (rd.readStates.length > 0) this.exec.serveReads(rd.readStates);
        this.raw.advance(rd);
        await this.exec.afterAdvance(rd);
        this.metrics.readies++;
        this.metrics.readyDuration.observe((this.clock.monotonicMs() - start) / 1000);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Reports the first failure only (an unawaited write may fail after the loop has moved on). */
  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stopped = true;
    this.onFatal(err);
  }
}
