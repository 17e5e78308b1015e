// The one executor of the Ready contract (src/raft/ready.ts). It is the ONLY code that persists,
// sends, applies and advances, always in that order, and never has two Readies in flight:
// persist(N+1) starts after advance(N), so every message leaves after everything it could
// refer to is on disk. Inputs (tick, step, propose) reach the core between awaits and simply
// call kick(); whatever they produced goes into the next Ready, which batches naturally under
// load (one fsync covers every proposal that arrived during the previous one).
import type { Message } from '../raft/messages.js';
import type { Ready } from '../raft/ready.js';
import type { RawNode } from '../raft/raw-node.js';
import type { Entry, ReadState, Snapshot } from '../raft/types.js';
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
}

export class ReadyLoop {
  private running = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

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
    if (this.running || this.stopped) return;
    this.running = true;
    void this.run();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops after the Ready in flight (if any) has been fully handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.running) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && this.raw.hasReady()) {
        const start = this.clock.monotonicMs();
        const rd = this.raw.ready();
        if (rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined) {
          await this.exec.persist(rd);
          this.metrics.persistDuration.observe((this.clock.monotonicMs() - start) / 1000);
        }
        if (rd.messages.length > 0) this.exec.send(rd.messages);
        if (rd.snapshot !== undefined) this.exec.applySnapshot(rd.snapshot);
        if (rd.committedEntries.length > 0) this.exec.applyEntries(rd.committedEntries);
        if (rd.readStates.length > 0) this.exec.serveReads(rd.readStates);
        this.raw.advance(rd);
        await this.exec.afterAdvance(rd);
        this.metrics.readies++;
        this.metrics.readyDuration.observe((this.clock.monotonicMs() - start) / 1000);
      }
    } catch (err) {
      this.stopped = true;
      this.onFatal(err);
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
