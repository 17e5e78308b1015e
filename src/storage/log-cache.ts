// The in-memory view of the durable log that answers the core's synchronous reads (etcd keeps
// a MemoryStorage in front of its WAL the same way). Every mutation hands the store writes
// that make it durable to a sink; LevelStorage collects them into the next batch. So the view
// is always "the disk after the pending batch", and one batch carries one Ready.
// Semantics match MemoryStorage exactly (the same contract tests run against both).
import { markedEntries, markedFirstIndex, markedLastIndex, markedTerm, replaceSuffix } from '../raft/marked-log.js';
import { SnapshotOutOfDateError, type WritableStorage } from '../raft/memory-storage.js';
import { CompactedError, UnavailableError, type InitialState } from '../raft/storage.js';
import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT, EntryType, type ConfState, type Entry, type HardState, type Snapshot } from '../raft/types.js';
import { encodeEntry, encodeHardState, encodeLogStart, type LogStart } from './codec.js';
import { HARD_STATE_KEY, LOG_START_KEY, entryKey } from './keys.js';

/**
 * One write in a LevelDB batch (the shape `db.batch()` takes), or a new snapshot: its image
 * goes to a file of its own, and the batch carries the record naming it (level-storage.ts).
 */
export type StoreOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array }
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot };

export type StoreSink = (op: StoreOp) => void;

/** What a restart reads back from the store (already decoded and checked). */
export interface DurableState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot;
  /** The file holding the snapshot's image; undefined for an empty image or a version 1 record. */
  readonly snapshotFile: string | undefined;
  readonly logStart: LogStart;
  /** Contiguous, starting at logStart.index + 1. */
  readonly entries: readonly Entry[];
}

function copyConfState(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}

function marker(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(0) };
}

export class LogCache implements WritableStorage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = EMPTY_SNAPSHOT;
  /** ents[0] marks the last compacted entry (see MemoryStorage); ents[k].index === ents[0].index + k. */
  private ents: Entry[] = [marker(0, 0)];

  constructor(private readonly sink: StoreSink = () => {}) {}

  /** A cache holding `state`, as read back from the store; nothing is written. */
  static restore(state: DurableState, sink?: StoreSink): LogCache {
    const c = new LogCache(sink);
    c.hardState = state.hardState;
    c.snap = state.snapshot;
    c.ents = [marker(state.logStart.index, state.logStart.term), ...state.entries];
    return c;
  }

  // ---- Storage (what the core reads) ----

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
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

  /** The data bytes of entries lo..hi (inclusive), all held in the log. */
  dataBytes(lo: number, hi: number): number {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex()) throw new UnavailableError(hi, this.lastIndex());
    let bytes = 0;
    for (let i = lo - offset; i <= hi - offset; i++) bytes += this.ents[i].data.length;
    return bytes;
  }

  // ---- mutations: update the view, then emit the writes that make it durable ----

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
    this.sink({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(this.hardState) });
  }

  /** Bootstrap only, as MemoryStorage.setConfState: the conf state before any real snapshot. */
  setConfState(cs: ConfState): void {
    if (this.snap.metadata.index !== 0) throw new SnapshotOutOfDateError(0, this.snap.metadata.index);
    this.putSnapshot({ metadata: { index: 0, term: 0, confState: copyConfState(cs) }, data: this.snap.data });
  }

  applySnapshot(snap: Snapshot): void {
    const current = this.snap.metadata.index;
    if (current !== 0 && snap.metadata.index <= current) throw new SnapshotOutOfDateError(snap.metadata.index, current);
    const { index, term, confState } = snap.metadata;
    this.deleteEntries(this.firstIndex(), this.lastIndex());
    this.putSnapshot({ metadata: { index, term, confState: copyConfState(confState) }, data: snap.data });
    this.setLogStart(index, term);
    this.ents = [marker(index, term)];
  }

  createSnapshot(i: number, cs: ConfState, data: Uint8Array): Snapshot {
    const current = this.snap.metadata.index;
    if (i <= current) throw new SnapshotOutOfDateError(i, current);
    const offset = this.offset();
    if (i < offset) throw new CompactedError(i, offset + 1);
    const last = this.lastIndex();
    if (i > last) throw new UnavailableError(i, last);
    this.putSnapshot({ metadata: { index: i, term: this.ents[i - offset].term, confState: copyConfState(cs) }, data });
    return this.snap;
  }

  compact(compactIndex: number): void {
    const offset = this.offset();
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    const last = this.lastIndex();
    if (compactIndex > last) throw new UnavailableError(compactIndex, last);
    const k = compactIndex - offset;
    const term = this.ents[k].term;
    // Entry compactIndex goes too: the log-start record keeps its term answerable.
    this.deleteEntries(offset + 1, compactIndex);
    this.setLogStart(compactIndex, term);
    this.ents = [marker(compactIndex, term), ...this.ents.slice(k + 1)];
  }

  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const start = entries[0].index;
    if (start + entries.length - 1 < first) return;
    const fresh = start < first ? entries.slice(first - start) : entries;
    const from = fresh[0].index;
    const last = this.lastIndex();
    if (from > last + 1) throw new UnavailableError(from - 1, last);
    const newLast = fresh[fresh.length - 1].index;
    // Stored entries past the new end are a replaced suffix; the rest are overwritten by the puts.
    this.deleteEntries(newLast + 1, last);
    for (const e of fresh) this.sink({ type: 'put', key: entryKey(e.index), value: encodeEntry(e) });
    replaceSuffix(this.ents, from - this.offset(), fresh);
  }

  private putSnapshot(snap: Snapshot): void {
    this.snap = snap;
    this.sink({ type: 'snapshot', snapshot: snap });
  }

  private setLogStart(index: number, term: number): void {
    this.sink({ type: 'put', key: LOG_START_KEY, value: encodeLogStart({ index, term }) });
  }

  /** Deletes the stored entries lo..hi (inclusive; nothing when hi < lo). */
  private deleteEntries(lo: number, hi: number): void {
    for (let i = lo; i <= hi; i++) this.sink({ type: 'del', key: entryKey(i) });
  }
}
