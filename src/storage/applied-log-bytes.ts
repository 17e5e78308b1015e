// The bytes of the entries applied since the last snapshot, which the compaction policy weighs
// against the snapshot's image (compaction.ts). Counted as the applied index moves, so each entry
// is added once instead of the whole span being summed again after every Ready.

export class AppliedLogBytes {
  /** The snapshot index the count starts after; a new snapshot starts a new count. */
  private after = -1;
  /** Entries up to here are counted. */
  private through = 0;
  private bytes = 0;

  /**
   * Bytes of the entries (snapshotIndex, applied]. `dataBytes(lo, hi)` sums those of lo..hi, all
   * of which the log holds (the log keeps every entry after the snapshot, up to the last index).
   */
  measure(snapshotIndex: number, applied: number, dataBytes: (lo: number, hi: number) => number): number {
    if (snapshotIndex !== this.after) {
      this.after = snapshotIndex;
      this.through = snapshotIndex;
      this.bytes = 0;
    }
    if (applied > this.through) {
      this.bytes += dataBytes(this.through + 1, applied);
      this.through = applied;
    }
    return this.bytes;
  }
}
