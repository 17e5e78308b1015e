// What the typed client hands back: plain data with numbers (64-bit wire values are converted
// with a 2^53 check), never the proto-loader objects.
import type { ClientTls } from './credentials.js';
import type { FencingGuard, HolderInfo, LeaderObserver, QueueInfo, Session, SessionInfo, SessionOptions } from './coordination-types.js';

/** A member of the cluster's configuration. */
export interface MemberInfo {
  readonly id: string;
  readonly address: string;
  /** false: a learner (receives the log, does not vote). */
  readonly voter: boolean;
}

/** One member as the answering node sees it. Only the leader tracks replication. */
export interface MemberStatusReport {
  readonly id: string;
  readonly address: string;
  /** "leader" | "follower" | "candidate" | "preCandidate" | "learner" | "unknown". */
  readonly role: string;
  readonly voter: boolean;
  readonly reachable: boolean;
  /** Milliseconds since the leader last heard from the member; undefined when not known. */
  readonly lastContactMs: number | undefined;
  readonly matchIndex: number;
  readonly lag: number;
  /** The member's published service health; 'unknown' when not known (or an older server). */
  readonly health: 'healthy' | 'unhealthy' | 'unknown';
  /** Why (the failing check's last words); '' when nothing to say. */
  readonly healthDetail: string;
}

/** The answer of one node to `status`. */
export interface NodeStatusReport {
  readonly cluster: string;
  /** The node that answered. */
  readonly nodeId: string;
  /** The leader this node knows of; "" when it knows none. */
  readonly leader: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly members: readonly MemberStatusReport[];
  readonly version: string;
  /** The active role as this node sees it; undefined from a node without the HA layer. */
  readonly ha?: HaStatusReport;
  /** The node serves plaintext gRPC on a non-loopback address (--insecure). */
  readonly insecure?: boolean;
  /** The key-value store's size against its quota (--quota-bytes); absent from older nodes. */
  readonly store?: { readonly usedBytes: number; readonly quotaBytes: number };
  /** Conditions to act on, one sentence each ("NOSPACE: ..."); absent when none. */
  readonly alarms?: readonly string[];
}

export interface HaStatusReport {
  /** The node holding the active role and its epoch (the fencing token); null when none. */
  readonly active: { readonly node: string; readonly epoch: number } | null;
  readonly fencing: 'hook' | 'lease';
  /** 'flag' (--fencing), 'on-fence' (a fence hook implies hook) or 'default'. */
  readonly fencingSource: string;
  readonly paused: boolean;
  /** The answering node: inactive, fencing, promoting, active or demoting. */
  readonly localRole: string;
  /** The answering node serves /primary. */
  readonly primary: boolean;
  readonly noActive: boolean;
  readonly priority: number;
  readonly failback: boolean;
  /** Lease left on the answering node; undefined when it holds none. */
  readonly leaseRemainingMs: number | undefined;
  /** The answering node's service health by its check. */
  readonly health: 'healthy' | 'unhealthy' | 'unknown';
  readonly healthDetail: string;
  /** The answering node is active with an unhealthy service and keeps the role. */
  readonly degraded: boolean;
  /** Why it keeps the role ('' when not degraded). */
  readonly degradedReason: string;
}

export interface SwitchoverResult {
  /** The previous holder ('' when none). */
  readonly from: string;
  readonly to: string;
  readonly epoch: number;
  readonly durationMs: number;
}

/** One entry of the replicated cluster event log. */
export interface ClusterEventReport {
  readonly seq: number;
  readonly kind: 'election' | 'promotion' | 'demotion' | 'fence' | 'hook' | 'health';
  /** Milliseconds since the Unix epoch (the recording node's clock). */
  readonly at: number;
  readonly nodeId: string;
  readonly term: number;
  readonly durationMs: number | undefined;
  readonly epoch: number | undefined;
  readonly detail: string;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

export interface GetResult {
  /** undefined: the key does not exist. */
  readonly kv: KeyValue | undefined;
  /** Store revision the read was served at. */
  readonly revision: number;
}

export interface ListResult {
  readonly kvs: readonly KeyValue[];
  readonly revision: number;
  /** More keys match than `limit` allowed. */
  readonly more: boolean;
}

export interface PutResult {
  readonly revision: number;
  /** The write was a retry of one already applied; this is the original result. */
  readonly duplicate: boolean;
}

export interface DeleteResult {
  readonly deleted: boolean;
  readonly revision: number;
  readonly duplicate: boolean;
}

export interface CasResult {
  readonly succeeded: boolean;
  readonly revision: number;
  /** The key as it is now, when it exists (a failed cas can retry without another read). */
  readonly current: KeyValue | undefined;
  readonly duplicate: boolean;
}

export interface MemberChangeResult {
  readonly members: readonly MemberInfo[];
  /** Log index at which the change was applied. */
  readonly index: number;
}

export interface TransferResult {
  readonly leader: string;
  readonly term: number;
}

export type WatchEvent =
  | { readonly type: 'put'; readonly kv: KeyValue; readonly revision: number }
  | { readonly type: 'delete'; readonly kv: KeyValue; readonly revision: number };

/** Events in revision order until `cancel()` (or `break` out of a `for await`). */
export interface Watcher extends AsyncIterable<WatchEvent> {
  cancel(): void;
}

export interface ReadOptions {
  /** Answer from the node's applied state, without a ReadIndex round (may be stale). */
  readonly serializable?: boolean;
}

export interface ListOptions extends ReadOptions {
  /** At most this many keys (0 or absent: no limit). */
  readonly limit?: number;
}

export interface WatchOptions {
  /** Replay events from this revision on (absent or 0: only new events). */
  readonly fromRevision?: number;
}

/** Coordination options of a KV write (docs/coordination.md). */
export interface KvDeleteOptions {
  /** Apply only while `name` is held with exactly `token` (a Grant fits); else StaleFencingTokenError, nothing applied. */
  readonly ifToken?: FencingGuard;
}

export interface KvWriteOptions extends KvDeleteOptions {
  /** Bind the key to this session (or session id): it is deleted when the session ends. */
  readonly session?: Pick<Session, 'id'> | string;
}

export interface PalisadeClient {
  /** The status of the first endpoint that answers. */
  status(): Promise<NodeStatusReport>;
  readonly members: {
    list(opts?: ReadOptions): Promise<readonly MemberInfo[]>;
    add(id: string, address: string, opts?: { readonly learner?: boolean }): Promise<MemberChangeResult>;
    promote(id: string): Promise<MemberChangeResult>;
    remove(id: string): Promise<MemberChangeResult>;
  };
  transfer(to: string): Promise<TransferResult>;
  /** Graceful move of the active role (`to` omitted: the best caught-up voter). */
  switchover(to?: string): Promise<SwitchoverResult>;
  /** Maintenance: no automatic promotion or demotion until resume(). */
  pause(): Promise<{ readonly paused: boolean }>;
  resume(): Promise<{ readonly paused: boolean }>;
  /** Cluster events with seq > afterSeq (default 0), oldest first. */
  events(opts?: { readonly afterSeq?: number; readonly limit?: number }): Promise<readonly ClusterEventReport[]>;
  readonly kv: {
    get(key: string, opts?: ReadOptions): Promise<GetResult>;
    list(prefix: string, opts?: ListOptions): Promise<ListResult>;
    put(key: string, value: string, opts?: KvWriteOptions): Promise<PutResult>;
    delete(key: string, opts?: KvDeleteOptions): Promise<DeleteResult>;
    /** `expectedRevision` 0 means "the key must not exist". */
    cas(key: string, expectedRevision: number, value: string, opts?: KvWriteOptions): Promise<CasResult>;
    watch(prefix: string, opts?: WatchOptions): Watcher;
  };
  /** A session: a lease this client keeps alive, for locks, elections and ephemeral keys. */
  session(opts?: SessionOptions): Promise<Session>;
  /** Who leads election `name` now; undefined when nobody does. */
  leader(name: string, opts?: ReadOptions): Promise<HolderInfo | undefined>;
  /** The leader changes of election `name`, the current leader first. */
  observe(name: string): LeaderObserver;
  readonly sessions: {
    list(opts?: ReadOptions): Promise<readonly SessionInfo[]>;
  };
  readonly locks: {
    /** Locks, elections and semaphores whose name starts with `prefix` (default: all). */
    list(prefix?: string, opts?: ReadOptions): Promise<readonly QueueInfo[]>;
  };
  /** Closes every channel; pending calls fail, watches end. */
  close(): void;
}

export interface ConnectOptions {
  /** Budget of one logical call, retries included. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Deadline of one attempt on one endpoint (a hung node must not eat the whole budget). Default min(timeoutMs, 2000). */
  readonly attemptTimeoutMs?: number;
  /** The CA (and a client certificate and key) when the cluster serves TLS; a node's TlsConfig fits. */
  readonly tls?: ClientTls;
  /** A bearer token of an agent's --token-auth-file, sent with every call. */
  readonly token?: string;
  /** Identifies this client in write request ids; default a random UUID. */
  readonly clientId?: string;
  /**
   * Sessions: the bound ρ on how much this client's clock rate may differ from any node's
   * (default 0.01) and a margin (default 100 ms). A session counts as valid for ttl·(1−ρ)/(1+ρ)
   * − margin after the send time of its last acknowledged keep-alive.
   */
  readonly clockDriftBound?: number;
  readonly sessionMarginMs?: number;
}
