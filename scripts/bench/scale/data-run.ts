// What one system's data part of bench:scale measures for one key count, and the steps both
// systems share: when a restart is done, when a new member has caught up.
import type { FillResult } from './fill.js';

export interface DataRun {
  readonly system: 'palisade' | 'etcd';
  readonly keys: number;
  readonly fill: FillResult;
  /** The image a member restarts from or sends a new member, bytes, and what it is. */
  readonly snapshotBytes: number;
  readonly snapshotWhat: string;
  /** Spawn of the killed member's process → the first linearizable read it answered, ms. */
  readonly restartMs: number[];
  /** palisade only: spawn → its 'node started' log line (storage opened, snapshot decoded), ms. */
  readonly restartStartedMs: number[];
  /** Spawn of a new member (announced with `members add` just before) → its applied index ≥ the leader's at spawn, ms. */
  readonly catchUpMs: number[];
  readonly notes: string[];
}

export const POLL_MS = 20;

/** How long one restart or catch-up may take before the run gives up (a bound, not a goal). */
export function patienceMs(keys: number): number {
  return 60_000 + keys / 10;
}
