// What the client API needs from a running node. The server implements it; api/ depends only on
// this interface (imports flow server → api), so the gRPC and HTTP edges can be tested against a
// fake. Every method either answers or throws one of the typed errors of src/errors.ts.
import type { RecordedEvent } from '../statemachine/cluster-events.js';
import type { Command } from '../statemachine/commands.js';
import type { KeyValue } from '../statemachine/kv-history.js';
import type { Member } from '../statemachine/membership.js';
import type { WriteOutcome } from '../statemachine/results.js';
import type { Watch, WatchOptions } from '../statemachine/watch-hub.js';
import type { ConfChange } from '../raft/types.js';
import type { CoordinationPort } from './coordination-port.js';

export type NodeRole = 'leader' | 'follower' | 'candidate' | 'preCandidate' | 'learner';

export interface MemberStatus {
  readonly id: string;
  readonly address: string;
  /** As this node sees it; 'unknown' for other members when this node is not the leader. */
  readonly role: NodeRole | 'unknown';
  readonly voter: boolean;
  readonly reachable: boolean;
  /** Milliseconds since this node last heard from the member (-1: never / unknown; 0: itself). */
  readonly lastContactMs: number;
  readonly matchIndex: number;
  readonly lag: number;
  /** The member's published service health (HA layer only): healthy, unhealthy or unknown. */
  readonly health?: 'healthy' | 'unhealthy' | 'unknown';
  /** Why (the failing check's last words); '' when nothing to say. */
  readonly healthDetail?: string;
}

export interface NodeStatus {
  readonly id: string;
  readonly cluster: string;
  /** The leader's id, '' when none is known. */
  readonly leader: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly role: NodeRole;
  readonly members: readonly MemberStatus[];
  /** The active role as this node knows it (absent on a node built without the HA layer). */
  readonly ha?: HaStatus;
  /** The key-value store's size against its quota (--quota-bytes); `alarm` '' when none. */
  readonly store?: { readonly usedBytes: number; readonly quotaBytes: number; readonly alarm: string };
  /** Plaintext gRPC on a non-loopback address (--insecure). */
  readonly insecure?: boolean;
}

/** The active role as one node sees it: the replicated record plus this node's own part. */
export interface HaStatus {
  /** The holder of the latest promotion that is not confirmed demoted or fenced; null when none. */
  readonly active: { readonly node: string; readonly epoch: number } | null;
  readonly fencing: 'hook' | 'lease';
  /** Why that mode: 'flag' (--fencing), 'on-fence' (a fence hook implies hook), 'default'. */
  readonly fencingSource: string;
  /** Maintenance: no automatic promotion or demotion. */
  readonly paused: boolean;
  /** This node: inactive, fencing, promoting, active or demoting. */
  readonly localRole: string;
  /** This node answers /primary with 200 now. */
  readonly primary: boolean;
  readonly noActive: boolean;
  readonly priority: number;
  readonly failback: boolean;
  /** Lease left on this node (leader only); -1 when it holds none. */
  readonly leaseRemainingMs: number;
  /** This node's service health by its check (healthy when it runs none). */
  readonly health: 'healthy' | 'unhealthy' | 'unknown';
  readonly healthDetail: string;
  /** This node is active with an unhealthy service and keeps the role (degradedReason says why). */
  readonly degraded: boolean;
  readonly degradedReason: string;
}

export interface SwitchoverResult {
  readonly from: string;
  readonly to: string;
  /** The epoch of the new holder's promotion. */
  readonly epoch: number;
  readonly durationMs: number;
}

/** The operator's controls of the active role; the server implements it (server/ha-driver.ts). */
export interface HaPort {
  status(): HaStatus;
  /** A member's published service health (the replicated state; healthy when it runs no check). */
  memberHealth(id: string): { readonly health: 'healthy' | 'unhealthy' | 'unknown'; readonly healthDetail: string };
  /** Active with a valid lease and its resources up: /primary 200. */
  isPrimary(): boolean;
  /**
   * A healthy member following a leader that is not the active node and holds nothing of the
   * role (ha/types.ts holdsRole: not while a promote or demote hook of its own runs, the
   * start-up demotion included): /replica 200.
   */
  isReplica(): boolean;
  /** Graceful: the active demotes, leadership moves, the target promotes. `to` '': the best voter. */
  switchover(to: string): Promise<SwitchoverResult>;
  setPaused(paused: boolean): Promise<{ readonly paused: boolean }>;
  /** The replicated cluster events with seq > afterSeq, oldest first, at most `limit` (0: all). */
  events(afterSeq: number, limit: number): readonly RecordedEvent[];
}

/** A write's result once THIS node applied it. */
export interface WriteResult {
  readonly outcome: WriteOutcome;
  /** A retry of a request applied earlier: the original result. */
  readonly duplicate: boolean;
}

export interface MembershipResult {
  readonly members: readonly Member[];
  /** Log index at which the change was applied (0: nothing to change, already so). */
  readonly index: number;
}

/** The local applied state, for reads. */
export interface ReadView {
  readonly revision: number;
  get(key: string): KeyValue | undefined;
  list(prefix: string, limit?: number): KeyValue[];
  members(): Member[];
}

export interface NodePort {
  readonly nodeId: string;
  readonly clusterId: string;
  status(): NodeStatus;
  /** The applied state now (serializable reads). */
  view(): ReadView;
  /** Proposes the write and resolves when this node has applied it. */
  write(cmd: Extract<Command, { type: 'put' | 'delete' | 'cas' }>): Promise<WriteResult>;
  /** Linearizable read barrier: resolves once this node applied everything committed before the call. */
  readBarrier(): Promise<void>;
  changeMembership(cc: ConfChange): Promise<MembershipResult>;
  transferLeadership(to: string): Promise<{ leader: string; term: number }>;
  watch(options: WatchOptions): Watch;
  /** The active-role controls; absent when the node runs without the HA layer. */
  readonly ha?: HaPort;
  /** Sessions, locks, elections and semaphores (api/coordination-port.ts). */
  readonly coordination?: CoordinationPort;
}
