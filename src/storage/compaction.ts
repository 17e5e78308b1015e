// When to take a snapshot and how much log to keep: the policy etcd's server uses
// (snapshot every SnapshotCount applied entries, keep SnapshotCatchUpEntries behind it so a
// follower that lags a little catches up from the log instead of a whole snapshot). It bounds
// both the disk and the restart time, which reads every stored entry.

export interface CompactionPolicy {
  /** Take a snapshot once this many entries were applied since the last one. */
  readonly snapshotEntries: number;
  /** Entries kept before the snapshot index when compacting. */
  readonly catchUpEntries: number;
}

export const DEFAULT_COMPACTION_POLICY: CompactionPolicy = Object.freeze({
  snapshotEntries: 10_000,
  catchUpEntries: 5_000,
});

export interface CompactionPlan {
  /** Snapshot the state machine at this (applied) index. */
  readonly snapshotAt: number;
  /** Then compact the log up to this index, or not at all when undefined. */
  readonly compactTo: number | undefined;
}

/** Every problem with a policy, each saying how to fix it (empty when valid). */
export function validateCompactionPolicy(p: CompactionPolicy): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(p.snapshotEntries) || p.snapshotEntries < 1) {
    problems.push(`snapshotEntries must be a whole number ≥ 1 (got ${p.snapshotEntries})`);
  }
  if (!Number.isSafeInteger(p.catchUpEntries) || p.catchUpEntries < 0) {
    problems.push(`catchUpEntries must be a whole number ≥ 0 (got ${p.catchUpEntries})`);
  }
  return problems;
}

/**
 * What to do after applying up to `applied`, given the current snapshot index and the log's
 * first index; undefined while the policy says nothing is due.
 */
export function planCompaction(
  policy: CompactionPolicy,
  at: { readonly applied: number; readonly snapshotIndex: number; readonly firstIndex: number },
): CompactionPlan | undefined {
  if (at.applied - at.snapshotIndex < policy.snapshotEntries) return undefined;
  const keepFrom = at.applied - policy.catchUpEntries;
  // compact(i) needs i ≥ firstIndex; below that, the catch-up window is already all we hold.
  return { snapshotAt: at.applied, compactTo: keepFrom >= at.firstIndex ? keepFrom : undefined };
}
