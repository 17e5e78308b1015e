// The tail of the log that the core has accepted but the caller has not yet persisted:
// new entries and, at most, one incoming snapshot. They leave through Ready and are
// dropped from here by stableTo / stableSnapTo once the caller reports them durable.
import type { Entry, Snapshot } from './types.js';

export class Unstable {
  /** A snapshot received from the leader, not yet persisted. */
  snapshot: Snapshot | undefined = undefined;
  /** Invariant: entries[k].index === offset + k. */
  entries: Entry[] = [];
  /**
   * Log index of entries[0]. May be ≤ the stored lastIndex: then persisting these
   * entries replaces (truncates) the stored suffix from `offset` on.
   */
  offset: number;

  constructor(offset = 1) {
    this.offset = offset;
  }

  /** First index of the log, known only when a snapshot is pending (snapshot index + 1). */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1;
  }

  /** Last index of the log, known when there are unstable entries or a pending snapshot. */
  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      // Below the entries only the pending snapshot's own index is known here.
      if (this.snapshot !== undefined && this.snapshot.metadata.index === i) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset].term;
  }

  /**
   * Entries up to (i, t) are durable. Ignored when i is not an unstable entry or its term
   * differs: the entry was replaced by a newer append while the older write was in flight,
   * and the newer one still has to be persisted.
   */
  stableTo(i: number, t: number): void {
    const gt = this.maybeTerm(i);
    if (gt === undefined || i < this.offset || gt !== t) return;
    this.entries = this.entries.slice(i + 1 - this.offset);
    this.offset = i + 1;
  }

  stableSnapTo(i: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === i) this.snapshot = undefined;
  }

  /** Replace everything with a snapshot from the leader; the log restarts after it. */
  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.entries = [];
    this.snapshot = s;
  }

  /** Append `ents` (contiguous, non-empty), first dropping every unstable entry at or after ents[0].index. */
  truncateAndAppend(ents: readonly Entry[]): void {
    if (ents.length === 0) return;
    const from = ents[0].index;
    const next = this.offset + this.entries.length;
    if (from > next) {
      throw new RangeError(`unstable append at ${from} leaves a gap after ${next - 1}`);
    }
    if (from === next) {
      this.entries = this.entries.concat(ents);
    } else if (from <= this.offset) {
      // The new entries replace all of ours, and possibly a stored suffix too: the caller
      // truncates storage from `offset` when it persists them.
      this.entries = ents.slice();
      this.offset = from;
    } else {
      this.entries = this.entries.slice(0, from - this.offset).concat(ents);
    }
  }

  /** Entries in [lo, hi); the whole range must be unstable. Returns a fresh array. */
  slice(lo: number, hi: number): Entry[] {
    const upper = this.offset + this.entries.length;
    if (lo > hi || lo < this.offset || hi > upper) {
      throw new RangeError(`unstable.slice[${lo},${hi}) out of bound [${this.offset},${upper})`);
    }
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
