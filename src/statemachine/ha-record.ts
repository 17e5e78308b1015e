// The replicated record of the active role (docs/design-notes.md "The active role"): what the
// state machine stores, identical on every node at one index. The role controller (src/ha/)
// reads it and proposes the commands; the state machine applies them (ha-state.ts). It lives
// below src/ha/ because the state machine stores it and must not depend on the layer that acts.

/** A node's service verdict (src/ha/health.ts computes it; the record replicates it). */
export const Health = {
  Healthy: 'healthy',
  Unhealthy: 'unhealthy',
  Unknown: 'unknown',
} as const;
export type Health = (typeof Health)[keyof typeof Health];

export function isHealth(v: unknown): v is Health {
  return v === Health.Healthy || v === Health.Unhealthy || v === Health.Unknown;
}

/** A node's published check verdict (replicated). */
export interface NodeHealth {
  readonly node: string;
  readonly health: Health;
  /** Why (the failing check's last words); '' when there is nothing to say. */
  readonly detail: string;
}

/** The replicated record (applied state, identical on every node at one index). */
export interface ActiveRecord {
  readonly holder: string;
  /** Log index of the promote entry: strictly increasing, the fencing token. */
  readonly epoch: number;
  /** Raft term in which the holder proposed it. */
  readonly term: number;
}

export interface ReplicatedHaState {
  /** The latest promotion (the one node allowed to be active), or null. */
  readonly active: ActiveRecord | null;
  /**
   * Every promotion that may still be active: not yet confirmed demoted by its holder nor
   * fenced. At most one per node (a node's newer promotion or demotion covers its older ones),
   * sorted by epoch; includes `active`. A new holder must see every other entry cleared.
   */
  readonly holders: readonly ActiveRecord[];
  /** Maintenance: no automatic promotion or demotion. */
  readonly paused: boolean;
  /** Every node's latest published check verdict, sorted by node id (absent: never published). */
  readonly health: readonly NodeHealth[];
  /** The latest automatic health failover: its log index, who handed the role to whom. */
  readonly lastHealthFailover: { readonly index: number; readonly from: string; readonly to: string } | null;
}

export const EMPTY_HA_STATE: ReplicatedHaState = Object.freeze({
  active: null,
  holders: Object.freeze([]),
  paused: false,
  health: Object.freeze([]),
  lastHealthFailover: null,
});

/** Commands the controller asks to replicate (the state machine applies them). */
export type HaCommand =
  | { readonly type: 'promote'; readonly holder: string; readonly term: number }
  /** The holder finished demoting every promotion of its own up to `epoch`. */
  | { readonly type: 'demoted'; readonly epoch: number; readonly holder: string }
  /** A fence hook against `holder` succeeded: none of its promotions up to `epoch` can act. */
  | { readonly type: 'fenced'; readonly epoch: number; readonly holder: string; readonly by: string }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  /** A node's check verdict changed (published by the node itself). */
  | { readonly type: 'health'; readonly node: string; readonly health: Health; readonly detail: string }
  /** The active `from` hands the role to `to` because its service is unhealthy (starts the cooldown). */
  | { readonly type: 'healthFailover'; readonly from: string; readonly to: string };
