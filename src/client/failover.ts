// One logical call, many attempts: try the endpoints in turn until one answers or the call's
// budget is spent. What is retried is what cannot have done harm or is made safe by the
// request id: connection failures, "no leader / shutting down" answers (UNAVAILABLE with a
// palisade code) and attempts that ran out of time (the caller passes the same request id).
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ERROR_METADATA_KEY, ErrorCode, LEADER_ADDRESS_METADATA_KEY, fromGrpcError, TimeoutError, UnavailableError } from '../errors.js';
import type { EndpointPool, Stub } from './pool.js';

export interface RetryPolicy {
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number;
  /** Give up after this many rounds in which no endpoint could even be reached. */
  readonly unreachableRounds: number;
}

/** How a failed attempt is treated. */
export const Failure = {
  /** Could not talk to the node at all: try the next one. */
  Unreachable: 'unreachable',
  /** The node answered that it cannot serve now (no leader, stopping): try the next one. */
  Unavailable: 'unavailable',
  /** The attempt's deadline passed: try the next one (same request id). */
  Timeout: 'timeout',
  /** A definite answer (bad argument, not found...): stop and report it. */
  Final: 'final',
} as const;
export type Failure = (typeof Failure)[keyof typeof Failure];

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

export function classify(err: unknown): Failure {
  if (!isServiceError(err)) return Failure.Final;
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
      // grpc-js's own UNAVAILABLE (refused, reset, TLS) carries no palisade code.
      return err.metadata?.get(ERROR_METADATA_KEY).length ? Failure.Unavailable : Failure.Unreachable;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return Failure.Timeout;
    default:
      return Failure.Final;
  }
}

/**
 * A long-lived stream (watch, observe) that failed for a reason another endpoint may not have: a
 * node that stops cancels its open streams (CANCELLED), which a unary call never sees.
 */
export function streamMayResume(err: unknown): boolean {
  return classify(err) !== Failure.Final || (isServiceError(err) && err.code === GrpcStatus.CANCELLED);
}

/**
 * Whether a failed attempt may still have taken effect: it ran out of time, the node stopped
 * while the request was in flight, or the connection broke after it was established. A refused
 * connection or a "not the leader" answer did nothing.
 */
export function mayHaveTakenEffect(err: unknown): boolean {
  if (!isServiceError(err)) return false;
  const kind = classify(err);
  switch (kind) {
    case Failure.Timeout:
      return true;
    case Failure.Unavailable:
      return err.metadata?.get(ERROR_METADATA_KEY)[0] === ErrorCode.ShuttingDown;
    case Failure.Unreachable:
      return !err.details.startsWith('No connection established');
    case Failure.Final:
      return false;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** The leader's client address a "no leader here" answer may carry. */
function redirectOf(err: unknown): string | undefined {
  if (!isServiceError(err)) return undefined;
  const v = err.metadata?.get(LEADER_ADDRESS_METADATA_KEY)[0];
  return v === undefined || v === '' ? undefined : String(v);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withFailover<T>(
  pool: EndpointPool,
  policy: RetryPolicy,
  what: string,
  attempt: (stub: Stub, deadline: Date) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + policy.timeoutMs;
  let lastUnavailable: unknown;
  let lastTimeout: unknown;
  let lastUnreachable: unknown;
  let unreachableRounds = 0;
  for (let round = 0; ; round++) {
    const queue = pool.order();
    const tried = new Set<string>();
    let allUnreachable = true;
    while (queue.length > 0) {
      const endpoint = queue.shift()!;
      if (tried.has(endpoint)) continue;
      tried.add(endpoint);
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const result = await attempt(pool.stub(endpoint), new Date(Date.now() + Math.min(remaining, policy.attemptTimeoutMs)));
        pool.prefer(endpoint);
        return result;
      } catch (err) {
        const kind = classify(err);
        if (kind === Failure.Final) throw isServiceError(err) ? fromGrpcError(err) : err;
        if (kind === Failure.Unreachable) lastUnreachable = err;
        else allUnreachable = false;
        if (kind === Failure.Unavailable) lastUnavailable = err;
        if (kind === Failure.Timeout) lastTimeout = err;
        // A follower that names the leader's address: go there next.
        const leader = redirectOf(err);
        if (leader !== undefined && !tried.has(leader)) queue.unshift(leader);
      }
    }
    unreachableRounds = allUnreachable ? unreachableRounds + 1 : 0;
    const remaining = deadline - Date.now();
    if (remaining <= 0 || unreachableRounds >= policy.unreachableRounds) break;
    // Elections take a few hundred milliseconds: back off 50, 100, 200, ... 400 ms.
    await sleep(Math.min(remaining, 50 * 2 ** Math.min(round, 3)));
  }
  // The most telling reason wins: a node said "no leader" > something hung > nobody answered.
  if (lastUnavailable !== undefined) return Promise.reject(fromGrpcError(lastUnavailable as ServiceError));
  if (lastTimeout !== undefined) {
    throw new TimeoutError(`${what} did not complete within ${policy.timeoutMs} ms; for a write, the outcome is unknown`, {
      cause: lastTimeout,
    });
  }
  const detail = isServiceError(lastUnreachable) ? `: ${transportDetail(lastUnreachable.details)}` : '';
  throw new UnavailableError(`cannot reach any endpoint (${pool.endpoints.join(', ')})${detail}`, { cause: lastUnreachable });
}

/** grpc-js's connection failure text, reduced to the cause ("connect ECONNREFUSED 127.0.0.1:7101"). */
export function transportDetail(details: string): string {
  return details
    .replace(/^No connection established\. Last error: (Error: )?/, '')
    .replace(/\.?\s*Resolution note:.*$/s, '')
    .trim();
}
