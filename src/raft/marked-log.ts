// Reads over the in-memory log layout that MemoryStorage and the LevelDB storage's cache share:
// ents[0] is a marker holding the index and term of the last compacted entry, and
// ents[k].index === ents[0].index + k. One implementation of the Storage read contract.
import { limitSize } from './raft-log.js';
import { CompactedError, UnavailableError } from './storage.js';
import type { Entry } from './types.js';

export function markedFirstIndex(ents: readonly Entry[]): number {
  return ents[0].index + 1;
}

export function markedLastIndex(ents: readonly Entry[]): number {
  return ents[0].index + ents.length - 1;
}

/** Entries in [lo, hi), at most maxBytes (at least one entry if any). */
export function markedEntries(ents: readonly Entry[], lo: number, hi: number, maxBytes?: number): Entry[] {
  const offset = ents[0].index;
  if (lo <= offset) throw new CompactedError(lo, offset + 1);
  const last = markedLastIndex(ents);
  if (hi > last + 1) throw new UnavailableError(hi - 1, last);
  if (lo > hi) throw new RangeError(`invalid range [${lo}, ${hi})`);
  return limitSize(ents.slice(lo - offset, hi - offset), maxBytes);
}

/** Term at i; the marker answers for firstIndex − 1. */
export function markedTerm(ents: readonly Entry[], i: number): number {
  const offset = ents[0].index;
  if (i < offset) throw new CompactedError(i, offset + 1);
  const last = markedLastIndex(ents);
  if (i > last) throw new UnavailableError(i, last);
  return ents[i - offset].term;
}

/**
 * Keeps ents[0 .. keep) and appends `fresh` after it, in place. Not `slice().concat()`: that
 * copies the whole cached log (up to a compaction's worth of entries) on every append, which
 * showed in a leader's profile under load. Safe because every reader gets copies (markedEntries slices).
 */
export function replaceSuffix(ents: Entry[], keep: number, fresh: readonly Entry[]): void {
  if (keep < ents.length) ents.length = keep;
  for (const e of fresh) ents.push(e);
}
