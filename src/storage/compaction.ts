// When to take a snapshot and how much log to keep. etcd's server snapshots every SnapshotCount
// applied entries and keeps SnapshotCatchUpEntries behind it, so a follower that lags a little
// catches up from the log instead of a whole snapshot. But etcd's snapshot is cheap (bbolt
// already holds the state), while ours freezes, sorts, encodes and writes the whole image: at a
// fixed entry count, filling a store of N keys costs N² of snapshot work, on every member at once.
//
// So a snapshot also waits until the log applied since the last one is as large as that
// snapshot's image (`logToImageRatio` bytes of entries per byte of image), as Redis rewrites its
// append-only file only once it has grown by a percentage of its size after the last rewrite.
// Each snapshot's work is then paid for by as much writing (linear in total), and the disk holds
// at most about two images plus the catch-up entries. A restart replays the log after the image,
// and a byte of log costs it a few times more than a byte of image (read, decode, apply): for a
// large image the ratio alone would make the replay the longest part of a restart, so the log
// is also capped in absolute terms (`maxReplayBytes`), about what etcd's 100,000 entries of small
// puts hold. Small images are cheap to write: below `minImageBytesForRatio` the entry count alone
// decides.

export interface CompactionPolicy {
  /** Take a snapshot once at least this many entries were applied since the last one. */
  readonly snapshotEntries: number;
  /** Entries kept before the snapshot index when compacting. */
  readonly catchUpEntries: number;
  /** And once the entries applied since the last snapshot hold this many bytes per byte of its image (0: the count alone). */
  readonly logToImageRatio: number;
  /** The ratio applies to images of at least this many bytes. */
  readonly minImageBytesForRatio: number;
  /** But a snapshot is due once the entries applied since the last one hold this many bytes, however large its image. */
  readonly maxReplayBytes: number;
}

export const DEFAULT_COMPACTION_POLICY: CompactionPolicy = Object.freeze({
  snapshotEntries: 10_000,
  catchUpEntries: 5_000,
  logToImageRatio: 1,
  minImageBytesForRatio: 1024 * 1024,
  maxReplayBytes: 12 * 1024 * 1024,
});

export interface CompactionPlan {
  /** Snapshot the state machine at this (applied) index. */
  readonly snapshotAt: number;
  /** Then compact the log up to this index, or not at all when undefined. */
  readonly compactTo: number | undefined;
}

/** Where the log stands after applying up to `applied`. */
export interface LogPosition {
  readonly applied: number;
  readonly snapshotIndex: number;
  readonly firstIndex: number;
  /** Size of the last snapshot's image. */
  readonly imageBytes: number;
  /** Bytes of the entries applied after the last snapshot (their data). */
  readonly logBytesSinceSnapshot: number;
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
  if (!Number.isFinite(p.logToImageRatio) || p.logToImageRatio < 0) {
    problems.push(`logToImageRatio must be a finite number ≥ 0, 0 to snapshot on the entry count alone (got ${p.logToImageRatio})`);
  }
  if (!Number.isSafeInteger(p.minImageBytesForRatio) || p.minImageBytesForRatio < 0) {
    problems.push(`minImageBytesForRatio must be a whole number of bytes ≥ 0 (got ${p.minImageBytesForRatio})`);
  }
  if (!Number.isSafeInteger(p.maxReplayBytes) || p.maxReplayBytes < 1) {
    problems.push(`maxReplayBytes must be a whole number of bytes ≥ 1 (got ${p.maxReplayBytes})`);
  }
  return problems;
}

/** What to do after applying up to `at.applied`; undefined while the policy says nothing is due. */
export function planCompaction(policy: CompactionPolicy, at: LogPosition): CompactionPlan | undefined {
  if (at.applied - at.snapshotIndex < policy.snapshotEntries) return undefined;
  const logWanted = Math.min(policy.logToImageRatio * at.imageBytes, policy.maxReplayBytes);
  if (at.imageBytes >= policy.minImageBytesForRatio && at.logBytesSinceSnapshot < logWanted) return undefined;
  const keepFrom = at.applied - policy.catchUpEntries;
  // compact(i) needs i ≥ firstIndex; below that, the catch-up window is already all we hold.
  return { snapshotAt: at.applied, compactTo: keepFrom >= at.firstIndex ? keepFrom : undefined };
}
