// A session as this client keeps it (design items 3, 4): created by a log entry, kept alive by
// keep-alives to the leader every ttl/3 (sooner after a failure, following leader hints), and
// counted valid only as long as session-clock.ts guarantees. `done` settles once: 'closed'
// (close()), 'expired' (the cluster said it ended) or 'lost' (no acknowledged keep-alive in time:
// this client stops counting on it before the leader's clock can expire it).
import { hostname } from 'node:os';
import { InvalidArgumentError, SessionLostError, SessionNotFoundError } from '../errors.js';
import type { SessionCloseResponse__Output } from '../transport/generated/palisade/v1/SessionCloseResponse.js';
import type { SessionCreateResponse__Output } from '../transport/generated/palisade/v1/SessionCreateResponse.js';
import type { SessionKeepAliveResponse__Output } from '../transport/generated/palisade/v1/SessionKeepAliveResponse.js';
import type { ReleaseResponse__Output } from '../transport/generated/palisade/v1/ReleaseResponse.js';
import type { ProclaimResponse__Output } from '../transport/generated/palisade/v1/ProclaimResponse.js';
import { waitForGrant, type QueueSpec, type WaitingSession } from './acquire.js';
import { unary, type ClientCalls } from './calls.js';
import type { AcquireOptions, Grant, Leadership, Session, SessionEnd, SessionOptions } from './coordination-types.js';
import { toU64 } from './convert.js';
import { withFailover } from './failover.js';
import { HeldGrant, HeldLeadership, type GrantOwner } from './grant.js';
import { SessionClock, type SessionClockConfig } from './session-clock.js';

export interface SessionDeps {
  readonly calls: ClientCalls;
  /** ρ and the margin (ConnectOptions); the ttl comes from the cluster's answer. */
  readonly clock: Omit<SessionClockConfig, 'ttlMs'>;
  /** A monotonic clock in ms (performance.now). */
  readonly now: () => number;
  /** kv.put bound to a session (an ephemeral key). */
  readonly putEphemeral: (key: string, value: string, sessionId: string) => Promise<{ readonly revision: number }>;
}

/** A keep-alive attempt gets at most this share of the ttl, so a hung node leaves time to try another. */
const KEEP_ALIVE_ATTEMPT_FRACTION = 1 / 3;

function checkSessionOptions(opts: SessionOptions): void {
  const problems: string[] = [];
  if (opts.ttlMs !== undefined && (!Number.isSafeInteger(opts.ttlMs) || opts.ttlMs <= 0))
    problems.push(`ttlMs must be a positive integer of milliseconds, got ${opts.ttlMs}`);
  if (opts.lockDelayMs !== undefined && (!Number.isSafeInteger(opts.lockDelayMs) || opts.lockDelayMs < 0))
    problems.push(`lockDelayMs must be a non-negative integer of milliseconds, got ${opts.lockDelayMs}`);
  if (opts.owner !== undefined && typeof opts.owner !== 'string') problems.push('owner must be a string');
  if (problems.length > 0) throw new InvalidArgumentError(`session options: ${problems.join('; ')}`);
}

/** A create answered too late to count on whose confirming keep-alive found it expired: create again, this often in all. */
const CREATE_ATTEMPTS = 3;

/**
 * Creates a session and starts keeping it alive. A create answered after the validity it could
 * guarantee (a cluster electing its leader, a loaded machine) is confirmed by one keep-alive,
 * whose acknowledged send counts as any other; if the session expired meanwhile, another is created.
 */
export async function createSession(deps: SessionDeps, opts: SessionOptions = {}): Promise<ClientSession> {
  checkSessionOptions(opts);
  for (let attempt = 1; ; attempt++) {
    const session = await createOnce(deps, opts);
    if (await session.confirm()) {
      session.start();
      return session;
    }
    session.abandon();
    if (attempt === CREATE_ATTEMPTS)
      throw new SessionLostError(`session ${session.id} was created too late to be counted on, ${attempt} times; try again`);
  }
}

async function createOnce(deps: SessionDeps, opts: SessionOptions): Promise<ClientSession> {
  const { calls, now } = deps;
  const req = {
    ttlMs: opts.ttlMs ?? 0,
    lockDelayMs: opts.lockDelayMs ?? 0,
    owner: opts.owner ?? `${hostname()}:${process.pid}`,
    request: calls.nextRequest(),
  };
  // Validity counts from the FIRST send: a retry may be answered from an apply that came before it.
  const firstSentAt = now();
  const r = await calls.call('session create', (stub, deadline) =>
    unary<SessionCreateResponse__Output>((md, o, cb) => stub.SessionCreate(req, md, o, cb), deadline),
  );
  return new ClientSession(deps, r.sessionId, new SessionClock({ ...deps.clock, ttlMs: r.ttlMs }, firstSentAt));
}

export class ClientSession implements Session, WaitingSession, GrantOwner {
  readonly done: Promise<SessionEnd>;
  private ended: SessionEnd | undefined;
  private settleDone!: (end: SessionEnd) => void;
  private readonly ending = new AbortController();
  /** What this session holds, by name (a name is held at most once per session). */
  private readonly grants = new Map<string, HeldGrant>();
  private failures = 0;
  private keepAliveTimer: ReturnType<typeof setTimeout> | undefined;
  private lostTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deps: SessionDeps,
    readonly id: string,
    private readonly clock: SessionClock,
  ) {
    this.done = new Promise<SessionEnd>((resolve) => (this.settleDone = resolve));
  }

  get sessionId(): string {
    return this.id;
  }

  get ttlMs(): number {
    return this.clock.config.ttlMs;
  }

  get calls(): ClientCalls {
    return this.deps.calls;
  }

  get endSignal(): AbortSignal {
    return this.ending.signal;
  }

  get valid(): boolean {
    return this.checkValid();
  }

  remainingMs(): number {
    return this.checkValid() ? this.clock.remainingMs(this.deps.now()) : 0;
  }

  /** True while valid by this client's clock; ends the session as lost the moment it is not. */
  checkValid(): boolean {
    if (this.ended !== undefined) return false;
    if (this.clock.isValid(this.deps.now())) return true;
    this.end('lost');
    return false;
  }

  start(): void {
    this.scheduleKeepAlive();
  }

  /**
   * True when the session is valid by this client's clock, after one keep-alive if it was not
   * (a late create); false when that keep-alive found it expired or came too late itself.
   */
  async confirm(): Promise<boolean> {
    if (this.clock.isValid(this.deps.now())) return true;
    try {
      this.clock.acked(await this.sendKeepAlive(this.calls.policy.timeoutMs));
    } catch (err) {
      if (err instanceof SessionNotFoundError) return false;
      this.abandon();
      throw err;
    }
    return this.clock.isValid(this.deps.now());
  }

  campaign(name: string, value: string, opts: AcquireOptions = {}): Promise<Leadership> {
    return this.acquire({ name, kind: 'election', limit: 1, value }, opts, (token) => new HeldLeadership(this, name, token));
  }

  lock(name: string, opts: AcquireOptions = {}): Promise<Grant> {
    return this.acquire({ name, kind: 'lock', limit: 1, value: '' }, opts, (token) => new HeldGrant(this, name, token));
  }

  semaphore(name: string, limit: number, opts: AcquireOptions = {}): Promise<Grant> {
    return this.acquire({ name, kind: 'semaphore', limit, value: '' }, opts, (token) => new HeldGrant(this, name, token));
  }

  put(key: string, value: string): Promise<{ readonly revision: number }> {
    if (!this.checkValid()) return Promise.reject(new SessionLostError(`session ${this.id} is over; it cannot own ${key}`));
    return this.deps.putEphemeral(key, value, this.id);
  }

  /** Over for this client at once; then the cluster ends it (releasing everything, deleting its keys). */
  async close(): Promise<void> {
    const wasOpen = this.ended === undefined;
    this.end('closed');
    if (!wasOpen) return;
    await this.calls.call(`close session ${this.id}`, (stub, deadline) =>
      unary<SessionCloseResponse__Output>((md, o, cb) => stub.SessionClose({ sessionId: this.id }, md, o, cb), deadline),
    );
  }

  /** The client is closing: nothing keeps this session alive any more. */
  abandon(): void {
    this.end('lost');
  }

  endedByCluster(cause: unknown): void {
    if (cause instanceof SessionNotFoundError) this.end('expired');
  }

  async release(name: string): Promise<void> {
    const req = { name, sessionId: this.id };
    if ((await this.calls.coordOnStream('release', req)) !== undefined) return;
    await this.calls.call(`release ${name}`, (stub, deadline) =>
      unary<ReleaseResponse__Output>((md, o, cb) => stub.Release(req, md, o, cb), deadline),
    );
  }

  async proclaim(name: string, token: number, value: string): Promise<void> {
    const req = { name, sessionId: this.id, token: toU64(token, 'token'), value };
    await this.calls.call(`proclaim ${name}`, (stub, deadline) =>
      unary<ProclaimResponse__Output>((md, o, cb) => stub.Proclaim(req, md, o, cb), deadline),
    );
  }

  forget(grant: HeldGrant): void {
    if (this.grants.get(grant.name) === grant) this.grants.delete(grant.name);
  }

  private async acquire<G extends HeldGrant>(spec: QueueSpec, opts: AcquireOptions, make: (token: number) => G): Promise<G> {
    const token = await waitForGrant(this, spec, opts.signal);
    // Acquire is idempotent: asking again for what this session holds answers the same grant
    // (of the same kind: the cluster refuses another kind for a name with QUEUE_MISMATCH).
    const held = this.grants.get(spec.name);
    if (held !== undefined && held.token === token) return held as G;
    held?.markLost();
    const grant = make(token);
    this.grants.set(spec.name, grant);
    return grant;
  }

  private end(reason: SessionEnd['reason']): void {
    if (this.ended !== undefined) return;
    this.ended = { reason };
    clearTimeout(this.keepAliveTimer);
    clearTimeout(this.lostTimer);
    this.ending.abort(new SessionLostError(`session ${this.id} is over for this client (${reason})`));
    for (const g of [...this.grants.values()]) g.markLost();
    this.settleDone(this.ended);
    // A lost session may still live on the cluster (holding locks others wait for): close it if we can.
    if (reason === 'lost' && !this.calls.pool.isClosed) this.closeQuietly();
  }

  private closeQuietly(): void {
    const budget = {
      ...this.calls.policy,
      timeoutMs: this.ttlMs,
      attemptTimeoutMs: Math.min(this.ttlMs, this.calls.policy.attemptTimeoutMs),
    };
    withFailover(this.calls.pool, budget, `close session ${this.id}`, (stub, deadline) =>
      unary<SessionCloseResponse__Output>((md, o, cb) => stub.SessionClose({ sessionId: this.id }, md, o, cb), deadline),
    ).catch(() => undefined);
  }

  private scheduleKeepAlive(): void {
    if (this.ended !== undefined) return;
    const now = this.deps.now();
    this.keepAliveTimer = setTimeout(() => void this.keepAlive(), Math.max(0, this.clock.nextKeepAliveAt(now, this.failures) - now));
    this.armLostTimer();
  }

  /** Fires when validity runs out (re-armed by every acknowledged keep-alive). */
  private armLostTimer(): void {
    clearTimeout(this.lostTimer);
    if (this.ended !== undefined) return;
    const wait = Math.max(0, this.clock.validUntil - this.deps.now());
    this.lostTimer = setTimeout(() => {
      if (this.checkValid()) this.armLostTimer();
    }, Math.ceil(wait));
  }

  private async keepAlive(): Promise<void> {
    if (!this.checkValid()) return;
    try {
      const sentAt = await this.sendKeepAlive(this.clock.remainingMs(this.deps.now()));
      if (this.ended !== undefined) return;
      this.clock.acked(sentAt);
      this.failures = 0;
    } catch (err) {
      if (this.ended !== undefined) return;
      if (err instanceof SessionNotFoundError) {
        this.end('expired');
        return;
      }
      this.failures++;
    }
    this.scheduleKeepAlive();
  }

  /** One keep-alive, tried on other nodes within `timeoutMs`; resolves with the send time of the acknowledged attempt. */
  private sendKeepAlive(timeoutMs: number): Promise<number> {
    const attempt = Math.min(this.calls.policy.attemptTimeoutMs, Math.max(1, this.ttlMs * KEEP_ALIVE_ATTEMPT_FRACTION), timeoutMs);
    return withFailover(
      this.calls.pool,
      { ...this.calls.policy, timeoutMs, attemptTimeoutMs: attempt },
      `keep-alive of session ${this.id}`,
      async (stub, deadline) => {
        // The send time of the attempt that is acknowledged, not of the first one: each attempt stands alone.
        const sentAt = this.deps.now();
        await unary<SessionKeepAliveResponse__Output>(
          (md, o, cb) => stub.SessionKeepAlive({ sessionId: this.id }, md, o, cb),
          deadline,
          this.endSignal,
        );
        return sentAt;
      },
    );
  }
}
