// Types of the active-role layer (see docs/design-notes.md "The active role"). The role
// controller is pure: time arrives in every input as `now` (the node's monotonic clock, ms);
// the caller executes the actions it returns and reports back with more inputs.
import type { HaCommand, Health, ReplicatedHaState } from '../statemachine/ha-record.js';

export const FencingMode = {
  /** A fence hook must succeed before promotion when the previous holder did not confirm its demotion. */
  Hook: 'hook',
  /** Lease expiry only: does not cover a paused or killed agent (it keeps its VIP). */
  Lease: 'lease',
} as const;
export type FencingMode = (typeof FencingMode)[keyof typeof FencingMode];

export interface HaTiming {
  /** L: how long a quorum-acknowledged heartbeat round lets the leader act as active. */
  readonly leaseMs: number;
  /** W: how long a leader elected by transfer waits (own clock) before assuming any old lease is over. */
  readonly outliveMs: number;
  /** Demotion (demote hook timeout + VIP removal) must fit before the lease ends. */
  readonly demoteBudgetMs: number;
}

export interface HaConfig extends HaTiming {
  readonly nodeId: string;
  readonly fencing: FencingMode;
  /** A voter that never takes the role (witness). */
  readonly noActive: boolean;
  /** Preferred holder: higher wins; 0 = no preference. */
  readonly priority: number;
  /** Hand the role back to a healthier higher-priority node when it is caught up. */
  readonly failback: boolean;
  /** Back-off after a failed promotion before this node tries again (doubles up to max). */
  readonly promoteBackoffMinMs: number;
  readonly promoteBackoffMaxMs: number;
  /** Service health checks (issue 15); absent: the node runs no check (it counts as healthy). */
  readonly health?: HealthPolicy;
}

export const OnNoHealthyCandidate = {
  /** The unhealthy active keeps the role (status says degraded): promoting an unhealthy node would be worse. */
  Keep: 'keep',
  /** The unhealthy active demotes anyway; nobody holds the role until a node is healthy. */
  Demote: 'demote',
} as const;
export type OnNoHealthyCandidate = (typeof OnNoHealthyCandidate)[keyof typeof OnNoHealthyCandidate];

export interface HealthPolicy {
  /** This node runs a check: until its first verdict it is `unknown` and is not promoted. */
  readonly checked: boolean;
  /** At most one automatic health failover per this many ms (cluster-wide, each on its own clock). */
  readonly failoverCooldownMs: number;
  readonly onNoHealthyCandidate: OnNoHealthyCandidate;
}

export type RaftRole = 'leader' | 'follower' | 'candidate' | 'preCandidate' | 'learner';

export type HookKind = 'promote' | 'demote' | 'fence';

export type ControllerInput =
  /** The node's Raft view changed (or a periodic refresh). */
  | {
      readonly type: 'raft';
      readonly now: number;
      readonly role: RaftRole;
      readonly term: number;
      readonly leader: string;
      readonly electedByTransfer: boolean;
    }
  /** A quorum acknowledged a heartbeat round started at `roundStartedAt` (own clock) in `term`. */
  | { readonly type: 'lease'; readonly now: number; readonly term: number; readonly roundStartedAt: number }
  /** The replicated HA state after applying entries up to `index`. */
  | { readonly type: 'record'; readonly now: number; readonly state: ReplicatedHaState; readonly index: number }
  /** A promote/demote/fence sequence the caller ran has finished. */
  | {
      readonly type: 'actionDone';
      readonly now: number;
      readonly kind: HookKind;
      readonly epoch: number;
      readonly ok: boolean;
      readonly detail?: string;
    }
  /** Periodic evaluation (the node's tick). */
  | { readonly type: 'tick'; readonly now: number }
  /** Operator asked for a graceful switchover (leader only). `to` empty: pick the best target. */
  | { readonly type: 'switchover'; readonly now: number; readonly to: string; readonly caughtUp: readonly string[] }
  /** The node is stopping: demote, then the caller exits. */
  | { readonly type: 'shutdown'; readonly now: number }
  /** This node's own check verdict changed (health.ts). */
  | { readonly type: 'health'; readonly now: number; readonly health: Health; readonly detail: string }
  /**
   * Leader only: the other voters that are reachable, caught up and allowed to hold the role
   * (not --no-active), best first by priority. The controller filters them by health.
   */
  | { readonly type: 'candidates'; readonly now: number; readonly ids: readonly string[] };

export type ControllerAction =
  /** Replicate a command (propose; a follower's proposal is forwarded). */
  | { readonly type: 'propose'; readonly command: HaCommand }
  /**
   * Run a sequence, one at a time per node. promote: promote hook, then VIP add + ARP, then
   * serve /primary. demote: stop serving /primary, VIP removal, demote hook. fence: the fence
   * hook against `target`. A `demote` while a `promote` runs kills the promote first.
   */
  | {
      readonly type: 'run';
      readonly kind: HookKind;
      readonly epoch: number;
      /** fence: the node to fence; otherwise this node. */
      readonly target: string;
      readonly reason: string;
      readonly previousActive: string;
      readonly term: number;
      /**
       * promote only: do not START after this time (own clock). The process may be paused
       * between the decision and the action; starting late could outlive the lease.
       */
      readonly notAfter: number;
      /**
       * promote only: every earlier holder confirmed its demotion or was fenced for this epoch
       * (ha/previous-holder.ts), so the VIP is added without the duplicate-address probe.
       * Absent or false: nothing is known, the probe runs.
       */
      readonly previousHolderDown?: boolean;
    }
  /** Raft leadership transfer (after the demotion for a switchover, or when a witness leads). */
  | { readonly type: 'transferLeadership'; readonly to: string };

/** What this node is doing with the role right now (local, not replicated). */
export const LocalRole = {
  Inactive: 'inactive',
  Fencing: 'fencing',
  Promoting: 'promoting',
  Active: 'active',
  Demoting: 'demoting',
} as const;
export type LocalRole = (typeof LocalRole)[keyof typeof LocalRole];

/**
 * The node's service may still be the primary it was, or is becoming one: while its promote
 * hook runs, while it holds the role (a leader that lost it, before its demotion starts) and
 * until its demote hook has finished — the start-up one too, which takes down what a past life
 * of the node may have left up. Such a node is no replica (/replica), and primary only as
 * active within its lease. Fencing another node holds nothing of the role.
 */
export function holdsRole(local: string): boolean {
  return local === LocalRole.Promoting || local === LocalRole.Active || local === LocalRole.Demoting;
}
