// Majority maths for a single (non-joint) voter set. Pure functions over ids; the caller
// says what each voter acked or voted. Model: etcd-io/raft quorum/majority.go.
import type { NodeId } from './types.js';

/** Smallest number of voters that forms a majority of `voterCount` (§5.2, §5.3). */
export function majoritySize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * Largest index acked by a majority of voters; acked(id) gives each voter's index (0 if
 * unknown). Empty voter set → 0 (nothing can be committed without voters).
 * This is the commit rule of §5.3 before the current-term check of §5.4.2, which the
 * caller applies.
 */
export function majorityIndex(voters: Iterable<NodeId>, acked: (id: NodeId) => number): number {
  const indexes: number[] = [];
  // A Set so that a duplicated id cannot count twice towards the majority.
  for (const id of new Set(voters)) indexes.push(acked(id));
  if (indexes.length === 0) return 0;
  // Descending, by insertion in place: a voter set is a handful of ids, and
  // Array.prototype.sort copies the array on every call, which runs on every heartbeat
  // answer and append answer a leader gets (issue 20: an idle leader's garbage).
  for (let i = 1; i < indexes.length; i++) {
    const v = indexes[i];
    let j = i - 1;
    for (; j >= 0 && indexes[j] < v; j--) indexes[j + 1] = indexes[j];
    indexes[j + 1] = v;
  }
  // The majority-th largest: that many voters have acked at least this index.
  return indexes[majoritySize(indexes.length) - 1];
}

export const VoteResult = {
  /** Neither outcome is decided yet: enough voters have not answered. */
  Pending: 'pending',
  /** Enough rejections that a majority of grants is no longer possible. */
  Lost: 'lost',
  Won: 'won',
} as const;
export type VoteResult = (typeof VoteResult)[keyof typeof VoteResult];

/**
 * votes: id → granted?; ids not in `voters` are ignored. Empty voters → Won (etcd's
 * convention: an empty config agrees to anything, which lets joint-free callers treat
 * "no voters" uniformly; membership code never produces one).
 */
export function voteResult(voters: Iterable<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let total = 0;
  let granted = 0;
  let missing = 0;
  for (const id of new Set(voters)) {
    total++;
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  if (total === 0) return VoteResult.Won;
  const q = majoritySize(total);
  if (granted >= q) return VoteResult.Won;
  if (granted + missing >= q) return VoteResult.Pending;
  return VoteResult.Lost;
}
