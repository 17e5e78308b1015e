// Log compaction for a running node: when the storage's policy says so, the state machine's
// image is frozen at the applied index (with the matching conf state), then sorted and encoded
// in steps while the Ready loop goes on; doing that for a large store inside the loop would
// stall heartbeats past the lease. One snapshot at a time.
import type { Logger } from 'pino';
import type { ConfState } from '../raft/types.js';
import { encodeSnapshotAsync } from '../statemachine/snapshot-codec.js';
import { sortedImage, type StateMachine } from '../statemachine/state-machine.js';
import type { DurableStorage } from '../storage/level-storage.js';
import type { Clock } from './clock.js';
import type { NodeMetrics } from './metrics.js';

export class SnapshotTaker {
  private task: Promise<void> | undefined;

  constructor(
    private readonly storage: DurableStorage,
    private readonly metrics: NodeMetrics,
    private readonly logger: Logger,
    private readonly clock: Pick<Clock, 'monotonicMs'>,
    /** The node is stopping: no new snapshot, and the one being encoded gives up at its next step. */
    private readonly stopping: () => boolean,
  ) {}

  /** Starts a snapshot of `sm` if compaction is due and none is running; returns at once. */
  maybeTake(sm: StateMachine, confState: () => ConfState): void {
    if (this.task !== undefined || this.stopping()) return;
    const plan = this.storage.compactionDue(sm.appliedIndex);
    if (plan === undefined) return;
    // A copy with its keys unsorted: sorting, like encoding, is done in steps.
    const t0 = this.clock.monotonicMs();
    const frozen = sm.frozenImage();
    const cs = confState();
    const frozenAt = this.clock.monotonicMs();
    this.task = (async () => {
      const image = await sortedImage(frozen, this.stopping);
      const data = image === undefined ? undefined : await encodeSnapshotAsync(image, this.stopping);
      if (data === undefined) return;
      const encodedAt = this.clock.monotonicMs();
      const snap = await this.storage.installSnapshot(plan, { confState: cs, data });
      if (snap === undefined) return;
      this.metrics.snapshotsTaken++;
      // What each snapshot costs, to weigh against how often the policy takes one.
      const ms = (from: number, to: number) => Math.round(to - from);
      const timing = { freezeMs: ms(t0, frozenAt), encodeMs: ms(frozenAt, encodedAt), storeMs: ms(encodedAt, this.clock.monotonicMs()) };
      this.logger.info({ index: snap.metadata.index, imageBytes: data.length, ...timing }, 'snapshot taken, log compacted');
    })()
      .catch((err: unknown) => {
        // A failed write has already failed the storage: the next Ready's write stops the node.
        if (!this.stopping()) this.logger.error({ err }, 'snapshot failed');
      })
      .finally(() => {
        this.task = undefined;
      });
  }

  /** Resolves when no snapshot is being taken (stop waits for it before closing storage). */
  async settled(): Promise<void> {
    await this.task;
  }
}
