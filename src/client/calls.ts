// What every call of one client shares (the endpoints, the retry policy, the write stream, the
// request ids) and the promise form of a grpc-js unary call.
import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { KvWriteRequest } from '../transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse__Output } from '../transport/generated/palisade/v1/KvWriteResponse.js';
import type { MemberChangeResponse__Output } from '../transport/generated/palisade/v1/MemberChangeResponse.js';
import type { RequestId } from '../transport/generated/palisade/v1/RequestId.js';
import { member, u64 } from './convert.js';
import { withFailover, type RetryPolicy } from './failover.js';
import type { EndpointPool, Stub } from './pool.js';
import type { MemberChangeResult } from './types.js';
import { WriteStream, type ItemOptions } from './write-stream.js';

type Callback<T> = (err: ServiceError | null, value?: T) => void;

/**
 * Adapts a grpc-js unary method (callback style) to a promise with a deadline. An abort of
 * `signal` cancels the call (it then rejects with grpc-js's CANCELLED error).
 */
export function unary<T>(
  start: (md: Metadata, opts: CallOptions, cb: Callback<T>) => ClientUnaryCall,
  deadline: Date,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => call.cancel();
    const call = start(new Metadata(), { deadline }, (err, value) => {
      signal?.removeEventListener('abort', onAbort);
      if (err !== null) reject(err);
      else if (value === undefined) reject(new Error('empty response'));
      else resolve(value);
    });
    if (signal?.aborted) call.cancel();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type Attempt<T> = (stub: Stub, deadline: Date) => Promise<T>;

/** What every call of one client shares: the endpoints, the retry policy, the write stream, request ids. */
export class ClientCalls {
  /** Writes try the pipelined stream first (write()). */
  readonly writes: WriteStream;
  private sequence = 0;

  constructor(
    readonly pool: EndpointPool,
    readonly policy: RetryPolicy,
    private readonly clientId: string,
  ) {
    this.writes = new WriteStream(pool, policy.attemptTimeoutMs);
  }

  nextRequest(): RequestId {
    return { clientId: this.clientId, requestId: String(++this.sequence) };
  }

  call<T>(what: string, f: Attempt<T>): Promise<T> {
    return withFailover(this.pool, this.policy, what, f);
  }

  /**
   * Without a definite answer on the stream, the unary call repeats the write with the same
   * request id, within what is left of the call's budget.
   */
  async write<K extends 'put' | 'delete' | 'cas', T>(
    op: K,
    req: NonNullable<KvWriteRequest[K]>,
    what: string,
    unaryAttempt: Attempt<T>,
    fromStream: (r: KvWriteResponse__Output) => T | null | undefined,
  ): Promise<T> {
    const started = Date.now();
    const answered = await this.writes.write(op, req);
    const r = answered === undefined ? undefined : fromStream(answered);
    if (r !== undefined && r !== null) return r;
    const left = Math.max(1, this.policy.timeoutMs - (Date.now() - started));
    return withFailover(
      this.pool,
      { ...this.policy, timeoutMs: left, attemptTimeoutMs: Math.min(left, this.policy.attemptTimeoutMs) },
      what,
      unaryAttempt,
    );
  }

  /**
   * Acquire or Release on the write stream; `undefined` means "ask with the unary call". Every
   * error goes to the unary call too: it gives a refusal its final form, and it is all a node
   * that predates these items understands (it answers them INVALID_ARGUMENT on the stream).
   * Both are idempotent per name and session, so asking twice is harmless.
   */
  async coordOnStream<K extends 'acquire' | 'release'>(
    op: K,
    req: NonNullable<KvWriteRequest[K]>,
    opts?: ItemOptions,
  ): Promise<KvWriteResponse__Output[K] | undefined> {
    try {
      return (await this.writes.write(op, req, opts))?.[op] ?? undefined;
    } catch {
      return undefined;
    }
  }

  async memberChange(what: string, f: Attempt<MemberChangeResponse__Output>): Promise<MemberChangeResult> {
    const r = await this.call(what, f);
    return { members: r.members.map(member), index: u64(r.index, 'index') };
  }
}
