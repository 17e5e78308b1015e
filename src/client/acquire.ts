// Waiting in the queue of a name until this session is granted it (design item 7). The node holds
// an Acquire{wait} call until the grant; the call is re-issued after its deadline or a failover
// (acquire is idempotent per name and session: already holding answers the same token). Two
// things end the wait without a grant: the caller's AbortSignal (the session then leaves the
// queue) and the end of the session.
//
// No phantom holder (etcd-io/etcd#11007): a grant counts only if the session is still valid by
// this client's clock when it arrives. The grant comes from an applied state in which the session
// was alive; local validity means the leader cannot have expired it since (its expiry cannot come
// before our local end), and only our own close could have ended it otherwise.
import {
  InvalidArgumentError,
  NoLeaderError,
  SessionLostError,
  SessionNotFoundError,
  ShuttingDownError,
  TimeoutError,
  UnavailableError,
} from '../errors.js';
import type { AcquireResponse__Output } from '../transport/generated/palisade/v1/AcquireResponse.js';
import { unary, type ClientCalls } from './calls.js';
import { u64 } from './convert.js';
import { withFailover, type RetryPolicy } from './failover.js';

export interface QueueSpec {
  readonly name: string;
  readonly kind: 'lock' | 'election' | 'semaphore';
  readonly limit: number;
  readonly value: string;
}

/** What waiting needs of the session. */
export interface WaitingSession {
  readonly sessionId: string;
  readonly ttlMs: number;
  readonly calls: ClientCalls;
  /** Aborted when the session ends for this client. */
  readonly endSignal: AbortSignal;
  /** True while the session is valid by this client's clock (ends it as lost when not). */
  checkValid(): boolean;
  /** The cluster answered that the session has ended. */
  endedByCluster(cause: unknown): void;
  /** Leave the queue of `name` (Release); resolves once applied. */
  release(name: string): Promise<void>;
}

/** A held Acquire call lasts at most this long before it is re-issued (a hung node must not keep it forever). */
const MIN_WAIT_SLICE_MS = 2000;

const NOT_GRANTED_RETRY_MS = 100;

/** The longest a node holds a waiting acquire on the write stream (api/write-stream.ts). */
const STREAM_WAIT_HOLD_MS = 10_000;

/** Resolves after `ms`, or at once when `signal` aborts (the loop then sees why). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Failures after which the same Acquire is simply issued again. */
function isRetryable(err: unknown): boolean {
  return err instanceof TimeoutError || err instanceof UnavailableError || err instanceof NoLeaderError || err instanceof ShuttingDownError;
}

export function checkQueueSpec(spec: QueueSpec): void {
  if (typeof spec.name !== 'string' || spec.name === '')
    throw new InvalidArgumentError('a lock or election name must be a non-empty string');
  if (!Number.isSafeInteger(spec.limit) || spec.limit < 1)
    throw new InvalidArgumentError(`a semaphore's limit must be a positive integer, got ${spec.limit}`);
  if (typeof spec.value !== 'string') throw new InvalidArgumentError('an election value must be a string');
}

/** Resolves with the grant's token once `session` holds `spec.name` and is still valid here. */
export async function waitForGrant(session: WaitingSession, spec: QueueSpec, signal: AbortSignal | undefined): Promise<number> {
  checkQueueSpec(spec);
  if (signal?.aborted) throw signal.reason;
  if (!session.checkValid()) throw lostError(session, spec.name);
  const stop = signal === undefined ? session.endSignal : AbortSignal.any([session.endSignal, signal]);
  const slice = Math.max(MIN_WAIT_SLICE_MS, session.calls.policy.attemptTimeoutMs, session.ttlMs);
  const policy: RetryPolicy = { ...session.calls.policy, timeoutMs: slice, attemptTimeoutMs: slice };
  const req = { name: spec.name, sessionId: session.sessionId, kind: spec.kind, limit: spec.limit, value: spec.value, wait: true };
  // The first ask goes on the write stream (a fraction of a unary call's cost); whatever it
  // cannot settle (no answer, an error, held too long) is asked again with the unary call.
  const fromStream = await session.calls.coordOnStream('acquire', req, {
    timeoutMs: STREAM_WAIT_HOLD_MS + session.calls.policy.attemptTimeoutMs,
    signal: stop,
  });
  for (let first = true; ; first = false) {
    // Never start an Acquire after the caller or the session gave up: it could queue the session
    // again behind the release that leaving sends.
    if (stop.aborted) {
      if (signal?.aborted) return leaveQueue(session, spec.name, signal.reason);
      throw lostError(session, spec.name);
    }
    let r: AcquireResponse__Output;
    try {
      r =
        first && fromStream?.granted
          ? fromStream
          : await withFailover(session.calls.pool, policy, `acquire ${spec.name}`, (stub, deadline) =>
              unary<AcquireResponse__Output>((md, o, cb) => stub.Acquire(req, md, o, cb), deadline, stop),
            );
    } catch (err) {
      if (signal?.aborted) return leaveQueue(session, spec.name, signal.reason);
      if (err instanceof SessionNotFoundError) session.endedByCluster(err);
      if (!session.checkValid()) throw lostError(session, spec.name, err);
      if (isRetryable(err)) continue;
      throw err;
    }
    if (!r.granted) {
      // Answered without the grant (the node dropped its waiters): ask again, not in a tight loop.
      await pause(NOT_GRANTED_RETRY_MS, stop);
      continue;
    }
    const token = u64(r.token, 'token');
    if (signal?.aborted) return leaveQueue(session, spec.name, signal.reason);
    if (!session.checkValid()) {
      // Too late to count on it: give it back (best effort; the session's end frees it anyway).
      session.release(spec.name).catch(() => undefined);
      throw lostError(session, spec.name);
    }
    return token;
  }
}

/** The caller gave up: leave the queue (or give back a grant that raced the abort), then reject with its reason. */
async function leaveQueue(session: WaitingSession, name: string, reason: unknown): Promise<never> {
  if (session.checkValid()) await session.release(name).catch(() => undefined);
  throw reason;
}

function lostError(session: WaitingSession, name: string, cause?: unknown): SessionLostError {
  return new SessionLostError(`session ${session.sessionId} is over for this client; it does not hold ${name}`, { cause });
}
