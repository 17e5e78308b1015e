// What the role controller replicates about holders that are down, so the next holder need not
// fence or outlive them: its own promotion after a clean demotion, and the holders it fenced.
// Retried, since a proposal may be dropped, at most once per `retryMs`. Pure, like the controller.
import type { ActiveRecord, HaCommand, ReplicatedHaState } from '../statemachine/ha-record.js';

export class Acknowledgements {
  private lastAt = Number.NEGATIVE_INFINITY;
  /** Holders this node fenced, with the epoch its fence covers, until the record clears them. */
  private readonly fenceAcks = new Map<string, { holder: string; epoch: number }>();

  constructor(private readonly nodeId: string) {}

  /** Fence acknowledgements wait to be replicated. */
  get pending(): boolean {
    return this.fenceAcks.size > 0;
  }

  /** The next call may propose at once (a demotion just completed). */
  retryAtOnce(): void {
    this.lastAt = Number.NEGATIVE_INFINITY;
  }

  /** `holder`'s promotions up to `epoch` were fenced by this node. */
  fenced(holder: string, epoch: number): void {
    this.fenceAcks.set(holder, { holder, epoch });
  }

  /**
   * The commands to propose now: `ownDown`, this node's listed promotion when it is down, and
   * the fences the record still needs. Fences the record no longer needs are forgotten.
   */
  due(now: number, retryMs: number, record: ReplicatedHaState, ownDown: ActiveRecord | undefined): HaCommand[] {
    if (now - this.lastAt < retryMs) return [];
    const commands: HaCommand[] = [];
    if (ownDown !== undefined) commands.push({ type: 'demoted', holder: this.nodeId, epoch: ownDown.epoch });
    for (const [holder, ack] of this.fenceAcks) {
      if (record.holders.some((h) => h.holder === holder && h.epoch <= ack.epoch)) {
        commands.push({ type: 'fenced', holder, epoch: ack.epoch, by: this.nodeId });
      } else {
        this.fenceAcks.delete(holder);
      }
    }
    if (commands.length > 0) this.lastAt = now;
    return commands;
  }
}
