// What the core reads from durable storage. The core never writes: the caller persists
// each Ready (hard state, entries, snapshot) and then calls advance(). LevelDB storage
// (src/storage) and MemoryStorage (memory-storage.ts) both implement this.
import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/** Thrown by Storage when asked for entries that a snapshot has compacted away. */
export class CompactedError extends Error {
  readonly code = 'RAFT_COMPACTED';
  constructor(index: number, firstIndex: number) {
    super(`log index ${index} is compacted (first available index is ${firstIndex})`);
  }
}

/** Thrown when asked for entries beyond lastIndex. A bug in the caller or corrupt storage. */
export class UnavailableError extends Error {
  readonly code = 'RAFT_UNAVAILABLE';
  constructor(index: number, lastIndex: number) {
    super(`log index ${index} is not available (last index is ${lastIndex})`);
  }
}

export interface InitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

export interface Storage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at most maxBytes of data (at least one entry if any). */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /** Term of the entry at index i; index firstIndex-1 answers the snapshot's term. */
  term(i: number): number;
  /** Index of the first entry still available (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot (EMPTY_SNAPSHOT when none). */
  snapshot(): Snapshot;
}
