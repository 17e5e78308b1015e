// The replicated part of coordination (docs/coordination.md): sessions, and the queues of named
// locks, elections and semaphores. Plain data, identical on every node at one index. The state
// machine applies the commands (coord-state.ts); the leader's session keeper (server/) proposes
// expiries and lock-delay ends, clients propose the rest.
import type { RequestId } from './commands.js';

export const QueueKind = {
  Lock: 'lock',
  Election: 'election',
  Semaphore: 'semaphore',
} as const;
export type QueueKind = (typeof QueueKind)[keyof typeof QueueKind];

export const SessionLimits = {
  minTtlMs: 1000,
  maxTtlMs: 300_000,
  defaultTtlMs: 10_000,
  maxLockDelayMs: 60_000,
  maxSemaphoreLimit: 1024,
  maxOwnerBytes: 256,
} as const;

export interface SessionRecord {
  /** The log index of its create entry, in decimal. */
  readonly id: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly lockDelayMs: number;
}

export interface HolderRecord {
  readonly session: string;
  /** Strictly increasing across all grants: max(grant entry's index, previous token + 1). */
  readonly token: number;
  readonly value: string;
}

export interface WaiterRecord {
  readonly session: string;
  readonly value: string;
}

export interface QueueRecord {
  readonly name: string;
  readonly kind: QueueKind;
  readonly limit: number;
  /** In grant order. An election's leader is holders[0]. */
  readonly holders: readonly HolderRecord[];
  /** In arrival order; served first come, first served. */
  readonly waiters: readonly WaiterRecord[];
  /**
   * A holder's session expired at this log index with a lock-delay; no grant until the leader's
   * lockDelayEnd for this index is applied. 0: not delayed.
   */
  readonly delayedSince: number;
  /** The lock-delay of the session whose expiry began it (0 when not delayed). */
  readonly delayMs: number;
}

export type SessionEndReason = 'closed' | 'expired';

/**
 * Commands carried in log entries (their own marker byte, like the HA commands). Those a client
 * proposes carry its request id, so the node answers the right caller and a retried
 * sessionCreate is answered from dedup instead of making a second session.
 */
export type CoordCommand =
  | {
      readonly type: 'sessionCreate';
      readonly owner: string;
      readonly ttlMs: number;
      readonly lockDelayMs: number;
      readonly request?: RequestId;
    }
  /** Closed by its client, or expired by the leader's keeper. */
  | { readonly type: 'sessionEnd'; readonly session: string; readonly reason: SessionEndReason; readonly request?: RequestId }
  | {
      readonly type: 'acquire';
      readonly name: string;
      readonly session: string;
      readonly kind: QueueKind;
      readonly limit: number;
      readonly value: string;
      readonly request?: RequestId;
    }
  | { readonly type: 'release'; readonly name: string; readonly session: string; readonly request?: RequestId }
  | {
      readonly type: 'proclaim';
      readonly name: string;
      readonly session: string;
      readonly token: number;
      readonly value: string;
      readonly request?: RequestId;
    }
  /** The leader's keeper: the lock-delay begun at `since` has run out on its clock. */
  | { readonly type: 'lockDelayEnd'; readonly name: string; readonly since: number };

/** What applying a coordination command did (the waiting caller gets it, by entry index). */
export type CoordOutcome =
  | { readonly type: 'sessionCreated'; readonly session: string; readonly ttlMs: number }
  | { readonly type: 'sessionEnded'; readonly session: string; readonly ended: boolean }
  | { readonly type: 'acquired'; readonly granted: true; readonly token: number }
  | { readonly type: 'acquired'; readonly granted: false; readonly position: number }
  | { readonly type: 'released'; readonly released: boolean }
  | { readonly type: 'proclaimed' }
  | { readonly type: 'lockDelayEnded' }
  /** Refused, the same on every replica; `reason` is the client-visible reason code. */
  | { readonly type: 'coordRefused'; readonly reason: CoordRefusal; readonly detail: string };

export const CoordRefusal = {
  SessionNotFound: 'SESSION_NOT_FOUND',
  NotHolder: 'NOT_HOLDER',
  /** The name exists with another kind or limit. */
  QueueMismatch: 'QUEUE_MISMATCH',
} as const;
export type CoordRefusal = (typeof CoordRefusal)[keyof typeof CoordRefusal];

/** A KV write's guard (it travels in the KV commands, so commands.ts defines it). */
export type { FencingGuard } from './commands.js';

/** Why a KV write with a session binding or a fencing guard was refused (not applied, no revision). */
export const WriteRefusal = {
  StaleFencingToken: 'STALE_FENCING_TOKEN',
  SessionNotFound: 'SESSION_NOT_FOUND',
} as const;
export type WriteRefusal = (typeof WriteRefusal)[keyof typeof WriteRefusal];

/** Grants an applied entry made (several when a release frees a semaphore's slots). */
export interface Grant {
  readonly name: string;
  readonly session: string;
  readonly token: number;
}
