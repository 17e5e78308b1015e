// The in-memory twin of the durable log storage: tests, the simulator and embedded
// single-process use. Same contract as the LevelDB storage (test/raft/storage-contract.ts).
import { markedEntries, markedFirstIndex, markedLastIndex, markedTerm, replaceSuffix } from './marked-log.js';
import { CompactedError, UnavailableError, type InitialState, type Storage } from './storage.js';
import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT, EntryType, type ConfState, type Entry, type HardState, type Snapshot } from './types.js';

/** A snapshot is not newer than the one already held. */
export class SnapshotOutOfDateError extends Error {
  readonly code = 'RAFT_SNAPSHOT_OUT_OF_DATE';
  constructor(index: number, currentIndex: number) {
    super(`snapshot at index ${index} is not newer than the current snapshot at index ${currentIndex}`);
  }
}

/** What the caller's Ready loop needs to persist into a storage the core reads from. */
export interface WritableStorage extends Storage {
  setHardState(hs: HardState): void;
  /** Replace everything with the snapshot (throws SnapshotOutOfDateError if not newer than the current one). */
  applySnapshot(snap: Snapshot): void;
  /**
   * Append entries (contiguous indexes). Every stored entry at or after entries[0].index
   * is replaced; entries must start at or before lastIndex+1; those below firstIndex are
   * skipped (already covered by a snapshot).
   */
  append(entries: readonly Entry[]): void;
  /** Make a snapshot at index i (firstIndex-1 ≤ i ≤ lastIndex, > current snapshot index) with the given conf and data. */
  createSnapshot(i: number, cs: ConfState, data: Uint8Array): Snapshot;
  /** Discard entries before compactIndex (compactIndex ≤ lastIndex); term(compactIndex) stays answerable. */
  compact(compactIndex: number): void;
}

function copyConfState(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}

function marker(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(0) };
}

/**
 * Entry arrays are copied on the way in and out (callers may reuse or extend theirs);
 * the entry objects and snapshot data are shared, as they are immutable by contract.
 */
export class MemoryStorage implements WritableStorage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = EMPTY_SNAPSHOT;
  /**
   * ents[0] is a marker holding the index and term of the last compacted entry (the
   * snapshot's, or 0/0 when fresh), so term(firstIndex-1) stays answerable for the §5.3
   * consistency check. ents[k].index === ents[0].index + k.
   */
  private ents: Entry[] = [marker(0, 0)];

  /** A fresh storage whose initialState() reports `cs`: the bootstrap of a new cluster. */
  static withConfState(cs: ConfState): MemoryStorage {
    const s = new MemoryStorage();
    s.setConfState(cs);
    return s;
  }

  /**
   * Bootstrap only: set the conf state that initialState() reports before any snapshot
   * exists (stored in the empty index-0 snapshot, which isEmptySnapshot() still treats
   * as empty). Once a real snapshot is held, the conf state comes from snapshots only.
   */
  setConfState(cs: ConfState): void {
    if (this.snap.metadata.index !== 0) {
      throw new SnapshotOutOfDateError(0, this.snap.metadata.index);
    }
    this.snap = { metadata: { index: 0, term: 0, confState: copyConfState(cs) }, data: this.snap.data };
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  private offset(): number {
    return this.ents[0].index;
  }

  firstIndex(): number {
    return markedFirstIndex(this.ents);
  }

  lastIndex(): number {
    return markedLastIndex(this.ents);
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    return markedEntries(this.ents, lo, hi, maxBytes);
  }

  term(i: number): number {
    return markedTerm(this.ents, i);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  applySnapshot(snap: Snapshot): void {
    const current = this.snap.metadata.index;
    // Index 0 is the bootstrap placeholder (see setConfState): any snapshot replaces it.
    if (current !== 0 && snap.metadata.index <= current) {
      throw new SnapshotOutOfDateError(snap.metadata.index, current);
    }
    const { index, term, confState } = snap.metadata;
    this.snap = { metadata: { index, term, confState: copyConfState(confState) }, data: snap.data };
    this.ents = [marker(index, term)];
  }

  createSnapshot(i: number, cs: ConfState, data: Uint8Array): Snapshot {
    const current = this.snap.metadata.index;
    if (i <= current) throw new SnapshotOutOfDateError(i, current);
    const offset = this.offset();
    // compact() may have run ahead of the last snapshot; its marker is still usable.
    if (i < offset) throw new CompactedError(i, offset + 1);
    const last = this.lastIndex();
    if (i > last) throw new UnavailableError(i, last);
    this.snap = { metadata: { index: i, term: this.ents[i - offset].term, confState: copyConfState(cs) }, data };
    return this.snap;
  }

  compact(compactIndex: number): void {
    const offset = this.offset();
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    const last = this.lastIndex();
    if (compactIndex > last) throw new UnavailableError(compactIndex, last);
    const k = compactIndex - offset;
    this.ents = [marker(compactIndex, this.ents[k].term), ...this.ents.slice(k + 1)];
  }

  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const start = entries[0].index;
    // Entries at or below the marker are already covered by the snapshot.
    if (start + entries.length - 1 < first) return;
    const fresh = start < first ? entries.slice(first - start) : entries;
    const from = fresh[0].index;
    const last = this.lastIndex();
    if (from > last + 1) throw new UnavailableError(from - 1, last);
    replaceSuffix(this.ents, from - this.offset(), fresh);
  }
}
