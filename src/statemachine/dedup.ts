// Idempotent requests: a client tags a write with (clientId, requestId) and may retry it
// freely (after a timeout, a redirect, a leader change); the first applied copy takes
// effect and every later copy gets the first one's result back. Memory is bounded: the
// last `perClient` requests of each of the `maxClients` most recently active clients.
// Eviction depends only on apply order, so every replica forgets the same requests.
// A retry of a forgotten request is applied again; clients retry within seconds, which
// is far inside these bounds.
import type { RequestId } from './commands.js';

export interface DedupLimits {
  readonly perClient: number;
  readonly maxClients: number;
}

export const DEFAULT_DEDUP_LIMITS: DedupLimits = Object.freeze({ perClient: 64, maxClients: 4096 });

export interface ClientRequests<R> {
  readonly clientId: string;
  /** Oldest first. */
  readonly requests: ReadonlyArray<readonly [requestId: string, result: R]>;
}

export class Dedup<R> {
  // Both maps iterate in insertion order: clients least recently active first,
  // requests oldest first. That order is the eviction order, and the snapshot keeps it.
  private readonly clients = new Map<string, Map<string, R>>();

  constructor(readonly limits: DedupLimits = DEFAULT_DEDUP_LIMITS) {}

  lookup(req: RequestId): R | undefined {
    return this.clients.get(req.clientId)?.get(req.requestId);
  }

  /** Record the result of a request seen for the first time. */
  remember(req: RequestId, result: R): void {
    const requests = this.clients.get(req.clientId) ?? new Map<string, R>();
    this.clients.delete(req.clientId); // re-insert: now the most recently active
    this.clients.set(req.clientId, requests);
    requests.set(req.requestId, result);
    if (requests.size > this.limits.perClient) requests.delete(requests.keys().next().value!);
    if (this.clients.size > this.limits.maxClients) this.clients.delete(this.clients.keys().next().value!);
  }

  /** In eviction order, for the snapshot. */
  entries(): ClientRequests<R>[] {
    return [...this.clients].map(([clientId, rs]) => ({ clientId, requests: [...rs] }));
  }

  static fromParts<R>(limits: DedupLimits, entries: readonly ClientRequests<R>[]): Dedup<R> {
    const d = new Dedup<R>(limits);
    for (const c of entries) {
      for (const [requestId, result] of c.requests) d.remember({ clientId: c.clientId, requestId }, result);
    }
    return d;
  }
}
