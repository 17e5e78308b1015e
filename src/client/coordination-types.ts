// The coordination surface of the typed client (docs/coordination.md): sessions, elections,
// locks and semaphores with fencing tokens. Plain data and small interfaces.

export interface SessionOptions {
  /** 1000..300000 ms; default 10000. Keep-alives go every ttlMs/3. */
  readonly ttlMs?: number;
  /** After this session EXPIRES holding a lock, nobody gets that lock for this long. Default 0. */
  readonly lockDelayMs?: number;
  /** Shown in `palisade session list`; default host:pid. */
  readonly owner?: string;
}

export interface SessionEnd {
  /**
   * closed: close() was called. expired: the cluster said it ended. lost: no keep-alive was
   * acknowledged in time, so this client can no longer be sure it lives; it stops counting
   * on it *before* the leader's clock can expire it (TTL from the last acknowledged keep-alive's
   * send time, less the drift bound and a margin).
   */
  readonly reason: 'closed' | 'expired' | 'lost';
}

export interface HolderInfo {
  readonly sessionId: string;
  readonly owner: string;
  /** Strictly increasing per name (and across names). */
  readonly token: number;
  readonly value: string;
}

export interface AcquireOptions {
  /** Abort waiting: the session leaves the queue and the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A grant held by a session: a lock, a semaphore slot or an election's leadership. */
export interface Grant {
  readonly name: string;
  readonly token: number;
  /** Settles when the grant is over for this client (released, or its session ended or lost). */
  readonly lost: Promise<void>;
  /** True until `lost` settles. */
  readonly held: boolean;
  /** Unlock / resign. Resolves once applied; a no-op when already over. */
  release(): Promise<void>;
}

export interface Leadership extends Grant {
  /** Change the value observers see; rejects (NotHolderError) once leadership is over. */
  proclaim(value: string): Promise<void>;
  resign(): Promise<void>;
}

export interface Session {
  /** The log index of the create entry, in decimal. */
  readonly id: string;
  readonly ttlMs: number;
  /** Settles (never rejects) when the session is over for this client; see SessionEnd. */
  readonly done: Promise<SessionEnd>;
  /** True until `done` settles. */
  readonly valid: boolean;
  /** Guaranteed validity left by this client's clock; 0 once over. */
  remainingMs(): number;
  /** Resolves when this session leads `name`; the token fences its writes. */
  campaign(name: string, value: string, opts?: AcquireOptions): Promise<Leadership>;
  lock(name: string, opts?: AcquireOptions): Promise<Grant>;
  /** One of `limit` slots; every holder of `name` must ask with the same limit. */
  semaphore(name: string, limit: number, opts?: AcquireOptions): Promise<Grant>;
  /** A key deleted when this session ends. */
  put(key: string, value: string): Promise<{ readonly revision: number }>;
  /** Ends the session: releases everything it holds and deletes its ephemeral keys. */
  close(): Promise<void>;
}

export interface LeaderChange {
  /** undefined: nobody leads. */
  readonly leader: HolderInfo | undefined;
  /** The log index at which this became true. */
  readonly index: number;
}

/** Leader changes of one election, the current state first, until `cancel()` or `break`. */
export interface LeaderObserver extends AsyncIterable<LeaderChange> {
  cancel(): void;
}

export interface SessionInfo {
  readonly sessionId: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly lockDelayMs: number;
  readonly holds: readonly string[];
  readonly waits: readonly string[];
  readonly ephemeralKeys: number;
  /** By the leader's clock; undefined when the answering node is not the leader. */
  readonly remainingMs: number | undefined;
}

export interface QueueInfo {
  readonly name: string;
  readonly kind: 'lock' | 'election' | 'semaphore';
  readonly limit: number;
  readonly holders: readonly HolderInfo[];
  readonly waiters: readonly { readonly sessionId: string; readonly owner: string; readonly value: string }[];
  readonly delayed: boolean;
}

/** A write refused unless `name` is held with exactly `token` (reason STALE_FENCING_TOKEN). */
export interface FencingGuard {
  readonly name: string;
  readonly token: number;
}
