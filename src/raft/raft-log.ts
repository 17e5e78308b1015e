// The core's view of the log: the persisted part (Storage, read-only here) followed by
// the unstable part (accepted, not yet persisted). Also tracks the commit and applied
// indexes. Invariant: firstIndex-1 ≤ applied ≤ committed ≤ lastIndex.
import { CompactedError, UnavailableError, type Storage } from './storage.js';
import type { Entry, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

/** Bytes an entry counts for in size limits: its payload plus a fixed header estimate. */
export const ENTRY_OVERHEAD_BYTES = 16;

export function entrySize(e: Entry): number {
  return e.data.length + ENTRY_OVERHEAD_BYTES;
}

/** The longest prefix of `ents` within maxBytes, but never fewer than one entry. */
export function limitSize(ents: Entry[], maxBytes: number | undefined): Entry[] {
  if (maxBytes === undefined || ents.length === 0) return ents;
  let size = entrySize(ents[0]);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]);
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/**
 * A log invariant would be broken (etcd panics here): truncating committed entries,
 * committing beyond the last index, applying beyond the commit index. Storage is
 * corrupt or the caller has a bug; the node must stop.
 */
export class LogInvariantError extends Error {
  readonly code = 'RAFT_LOG_INVARIANT';
  constructor(message: string) {
    super(message);
  }
}

export class RaftLog {
  /** Highest index known to be stored on a quorum. */
  committed: number;
  /** Highest index the application has applied. */
  applied: number;
  readonly unstable: Unstable;

  constructor(
    private readonly storage: Storage,
    /** Byte budget of one nextCommittedEntries() batch. */
    readonly maxNextEntsSize: number = Number.POSITIVE_INFINITY,
  ) {
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    // Everything up to the snapshot is committed and applied by definition.
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const last = this.lastIndex();
    const t = this.term(last);
    if (t === undefined) throw new LogInvariantError(`term of last index ${last} is unknown`);
    return t;
  }

  /** Term at i, or undefined when i is compacted (< firstIndex-1) or beyond lastIndex. */
  term(i: number): number | undefined {
    const ut = this.unstable.maybeTerm(i);
    if (ut !== undefined) return ut;
    // firstIndex-1 is compacted, but its term is kept for the §5.3 consistency check.
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined;
    try {
      return this.storage.term(i);
    } catch (err) {
      if (err instanceof CompactedError || err instanceof UnavailableError) return undefined;
      throw err;
    }
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /**
   * §5.3: if term(prevIndex) === prevTerm, append the entries after the first conflict
   * (entries that already match are kept: a stale, reordered append must not truncate
   * entries a newer one added), raise commit to min(committed, prevIndex+len(ents)) and
   * return prevIndex+len(ents). Otherwise undefined.
   */
  maybeAppend(prevIndex: number, prevTerm: number, committed: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) {
        throw new LogInvariantError(`entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      }
      this.append(ents.slice(ci - (prevIndex + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Append to the unstable tail (replacing any entries from ents[0].index on). Returns the new lastIndex. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0].index - 1;
    if (after < this.committed) {
      throw new LogInvariantError(`append after ${after} would truncate committed entries (committed ${this.committed})`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * First index whose entry is missing or has a different term here, or 0 when we hold
   * all of `ents` already. `ents` must have contiguous indexes.
   */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast back-off hint: the largest i ≤ index with term(i) ≤ term, and term(i). When
   * term(i) is unknown (compacted, or beyond lastIndex — callers clamp index to
   * lastIndex first) that i is a possible match: returned with term 0.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = index; i > 0; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  /** Entries from i on, at most maxBytes (≥ 1 entry if any). Throws CompactedError if i < firstIndex. */
  entries(i: number, maxBytes?: number): Entry[] {
    const last = this.lastIndex();
    if (i > last) return [];
    return this.slice(i, last + 1, maxBytes);
  }

  /** Entries in [lo, hi), at most maxBytes (≥ 1 entry if any). */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo > hi) throw new RangeError(`invalid slice ${lo} > ${hi}`);
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    const last = this.lastIndex();
    if (hi > last + 1) throw new UnavailableError(hi - 1, last);
    if (lo === hi) return [];

    const offset = this.unstable.offset;
    let ents: Entry[] = [];
    if (lo < offset) {
      const storedHi = Math.min(hi, offset);
      ents = this.storage.entries(lo, storedHi, maxBytes);
      // Storage stopped at the byte limit: the unstable part cannot fit either.
      if (ents.length < storedHi - lo) return ents;
    }
    if (hi > offset) {
      const tail = this.unstable.slice(Math.max(lo, offset), hi);
      ents = ents.length > 0 ? ents.concat(tail) : tail;
    }
    return limitSize(ents, maxBytes);
  }

  /** For tests. */
  allEntries(): Entry[] {
    return this.entries(this.firstIndex());
  }

  /** §5.4.1: a log whose last entry is (lastIndex, term) is at least as up to date as ours. */
  isUpToDate(lastIndex: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Commit maxIndex only if it carries `term` (§5.4.2: a leader commits by counting
   * replicas only entries of its own term; older ones follow implicitly).
   */
  maybeCommit(maxIndex: number, term: number): boolean {
    // Term 0 never matches: no leader campaigns at term 0, and an unknown term reads as 0 elsewhere.
    if (maxIndex > this.committed && term !== 0 && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Raise the commit index (never lowers it). */
  commitTo(tocommit: number): void {
    if (tocommit <= this.committed) return;
    const last = this.lastIndex();
    if (tocommit > last) {
      throw new LogInvariantError(`commit ${tocommit} is beyond last index ${last}: was the log corrupted, truncated or lost?`);
    }
    this.committed = tocommit;
  }

  appliedTo(i: number): void {
    if (i > this.committed || i < this.applied) {
      throw new LogInvariantError(`applied ${i} is out of range [${this.applied}, ${this.committed}]`);
    }
    this.applied = i;
  }

  stableTo(i: number, t: number): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  /**
   * Committed entries not yet applied, at most maxNextEntsSize bytes (≥ 1 entry if any).
   * May include unstable entries: the Ready contract persists before it applies. None
   * while a snapshot is pending, so the application never has to guess whether the
   * snapshot or the entries come first.
   */
  nextCommittedEntries(): Entry[] {
    if (this.hasPendingSnapshot()) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (lo > this.committed) return [];
    return this.slice(lo, this.committed + 1, this.maxNextEntsSize);
  }

  hasNextCommittedEntries(): boolean {
    if (this.hasPendingSnapshot()) return false;
    return Math.max(this.applied + 1, this.firstIndex()) <= this.committed;
  }

  /** The pending snapshot if any, else the stored one. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** A snapshot is waiting to be persisted (and applied). */
  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  /**
   * §7: replace the log with a leader's snapshot; everything it covers is committed.
   * `applied` stays behind until the application has applied the snapshot and the
   * caller reports it with appliedTo(s.metadata.index).
   */
  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  toString(): string {
    return (
      `committed=${this.committed}, applied=${this.applied}, ` +
      `unstable.offset=${this.unstable.offset}, len(unstable.entries)=${this.unstable.entries.length}`
    );
  }
}
