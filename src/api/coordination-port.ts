// What the coordination calls of the client API need from a running node (docs/coordination.md):
// sessions, and the queues of named locks, elections and semaphores. The server implements it
// (server/coordination-ops.ts); api/ depends only on this interface, so the gRPC edge can be
// tested against a fake. Every method answers or throws one of the typed errors of src/errors.ts.
import type { RequestId } from '../statemachine/commands.js';
import type { QueueKind } from '../statemachine/coord-record.js';

export interface SessionView {
  readonly id: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly lockDelayMs: number;
  /** Names it holds, and names it waits for. */
  readonly holds: readonly string[];
  readonly waits: readonly string[];
  readonly ephemeralKeys: number;
  /** Time left by the leader's clock; -1 when this node does not keep sessions (not the leader). */
  readonly remainingMs: number;
}

export interface HolderView {
  readonly session: string;
  /** The holder session's owner ('' when unknown). */
  readonly owner: string;
  readonly token: number;
  readonly value: string;
}

export interface WaiterView {
  readonly session: string;
  readonly owner: string;
  readonly value: string;
}

export interface QueueView {
  readonly name: string;
  readonly kind: QueueKind;
  readonly limit: number;
  /** In grant order; an election's leader is holders[0]. */
  readonly holders: readonly HolderView[];
  /** In arrival order. */
  readonly waiters: readonly WaiterView[];
  /** A holder's session expired with a lock-delay that has not run out. */
  readonly delayed: boolean;
}

export interface SessionCreate {
  readonly ttlMs: number;
  readonly lockDelayMs: number;
  readonly owner: string;
  readonly request?: RequestId;
}

export interface AcquireCall {
  readonly name: string;
  readonly session: string;
  readonly kind: QueueKind;
  readonly limit: number;
  readonly value: string;
  /** Answer only once granted (or the session ended, or `signal` aborted). */
  readonly wait: boolean;
}

export type AcquireAnswer = { readonly granted: true; readonly token: number } | { readonly granted: false; readonly position: number };

/** The holders of one name at one applied index. */
export interface HoldersChange {
  readonly holders: readonly HolderView[];
  readonly index: number;
}

export interface CoordinationPort {
  createSession(req: SessionCreate): Promise<{ readonly session: string; readonly ttlMs: number; readonly duplicate: boolean }>;
  /** Leader only; answered after a ReadIndex round that began after the call arrived. */
  keepAlive(session: string): Promise<{ readonly ttlMs: number }>;
  closeSession(session: string): Promise<{ readonly closed: boolean }>;
  /** Sessions in the applied state (id order). */
  sessions(): readonly SessionView[];
  /** With `wait`, settles once granted, or rejects when the session ends or `signal` aborts. */
  acquire(req: AcquireCall, signal: AbortSignal): Promise<AcquireAnswer>;
  release(name: string, session: string): Promise<{ readonly released: boolean }>;
  proclaim(name: string, session: string, token: number, value: string): Promise<void>;
  /** Queues whose name starts with `prefix`, in name order, from the applied state. */
  queues(prefix: string): readonly QueueView[];
  /**
   * Calls `onChange` with the holders of `name` now, then once per applied change of them,
   * until the returned function is called.
   */
  observe(name: string, onChange: (change: HoldersChange) => void): () => void;
}
