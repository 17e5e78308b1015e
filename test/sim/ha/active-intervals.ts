// The single-active oracle (docs/design.md "Single active"): every promotion a node carries out is
// an interval of simulated real time, [promote sequence start, demote sequence end or fence
// end]. Intervals of different promotions must never overlap, and each promotion must carry
// a larger epoch than every earlier one, the epoch of a Promote entry of that node already
// committed (docs/design.md "Single active" 3; checked by the harness). Overlaps can only begin when an interval opens, so
// checking at every open is checking after every event.
import type { NodeId } from '../../../src/raft/types.js';

export const HaInvariant = {
  /** Two promotions (different node or epoch) were active at the same real time. */
  SingleActive: 'single-active',
  /** A promotion started with an epoch not larger than an earlier promotion's. */
  EpochOrder: 'epoch-order',
  /** A promote sequence started for an epoch whose Promote entry (of that node) is not committed. */
  PromotionCommitted: 'promotion-committed',
  /** After healing, no node became active within the stated bound. */
  HaProgress: 'ha-progress',
  /**
   * A promotion that skips the VIP's duplicate-address probe (every previous holder "known
   * down", ha/previous-holder.ts) started while another node's service was still up.
   */
  KnownDown: 'known-down',
} as const;
export type HaInvariant = (typeof HaInvariant)[keyof typeof HaInvariant];

export interface ActiveInterval {
  readonly node: NodeId;
  readonly epoch: number;
  readonly start: number;
  /** undefined while open. */
  end: number | undefined;
  /** Why it closed: "demote e7 ended", "fenced by n2". */
  closedBy: string;
}

export interface IntervalViolation {
  readonly invariant: HaInvariant;
  readonly message: string;
}

export class ActiveIntervals {
  readonly all: ActiveInterval[] = [];
  private maxEpoch = 0;

  /** A promote sequence starts on `node` for `epoch` at real time `t`. */
  open(node: NodeId, epoch: number, t: number): IntervalViolation | undefined {
    let violation: IntervalViolation | undefined;
    if (epoch <= this.maxEpoch) {
      violation = {
        invariant: HaInvariant.EpochOrder,
        message: `${node} promotes epoch ${epoch} after epoch ${this.maxEpoch} was promoted`,
      };
    }
    // A node promoting again while a failed demotion left its service up: one service, which
    // carries on under the new epoch (the old interval ends where the new one starts).
    for (const i of this.all) {
      if (i.node === node && i.end === undefined && i.epoch !== epoch) {
        i.end = t;
        i.closedBy = `continued as e${epoch}`;
      }
    }
    // Touching ends (one ends at t, the next starts at t) are sequential events, not overlap.
    const clash = this.all.find((i) => (i.node !== node || i.epoch !== epoch) && (i.end === undefined || i.end > t));
    if (clash !== undefined && violation === undefined) {
      violation = {
        invariant: HaInvariant.SingleActive,
        message:
          `${node} starts promoting epoch ${epoch} at t=${t.toFixed(2)} while ${clash.node} epoch ${clash.epoch} ` +
          `(active since t=${clash.start.toFixed(2)}) ${clash.end === undefined ? 'is still active' : `stays active until t=${clash.end.toFixed(2)}`}`,
      };
    }
    this.maxEpoch = Math.max(this.maxEpoch, epoch);
    this.all.push({ node, epoch, start: t, end: undefined, closedBy: '' });
    return violation;
  }

  /** Every open interval of `node` ends at `t` (its demotion finished, or it was fenced). */
  close(node: NodeId, t: number, why: string): ActiveInterval[] {
    const closed = this.all.filter((i) => i.node === node && i.end === undefined);
    for (const i of closed) {
      i.end = t;
      i.closedBy = why;
    }
    return closed;
  }

  openIntervals(): ActiveInterval[] {
    return this.all.filter((i) => i.end === undefined);
  }

  /** One line per interval, for failure reports. */
  describe(): string[] {
    return this.all.map(
      (i) => `${i.node} e${i.epoch} [${i.start.toFixed(2)}, ${i.end === undefined ? 'open]' : `${i.end.toFixed(2)}] ${i.closedBy}`}`,
    );
  }
}
