// The client side of KvWrite: one long-lived stream to the preferred endpoint carries every
// write, many in flight, matched to their answers by seq. It is a fast path only. Whenever it
// cannot give a definite answer (the stream broke or never opened, an item timed out, the node
// answered with something a retry could fix) the write resolves `undefined` and the caller
// repeats it with a unary call through withFailover, carrying the SAME request id, so nothing
// applies twice. A server without KvWrite (UNIMPLEMENTED) switches the fast path off for good.
import { Metadata, status as GrpcStatus, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { ERROR_METADATA_KEY, LEADER_ADDRESS_METADATA_KEY, LEADER_ID_METADATA_KEY, fromGrpcError } from '../errors.js';
import type { KvWriteError__Output } from '../transport/generated/palisade/v1/KvWriteError.js';
import type { KvWriteRequest } from '../transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse__Output } from '../transport/generated/palisade/v1/KvWriteResponse.js';
import { Failure, classify } from './failover.js';
import type { EndpointPool } from './pool.js';

/** An open stream with no write in flight is ended after this long (it keeps the process alive). */
export const WRITE_STREAM_IDLE_MS = 1000;

type Op = NonNullable<KvWriteRequest['op']>;
type Stream = ClientDuplexStream<KvWriteRequest, KvWriteResponse__Output>;

export interface ItemOptions {
  /** How long this item may wait for its answer (default: the attempt timeout). */
  readonly timeoutMs?: number;
  /** Aborting resolves the item `undefined` at once. */
  readonly signal?: AbortSignal;
}

interface Pending {
  readonly op: Op;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly settle: (r: KvWriteResponse__Output | undefined, err?: Error) => void;
}

interface OpenStream {
  readonly call: Stream;
  readonly pending: Map<number, Pending>;
}

export class WriteStream {
  /** Where new writes go. */
  private stream: OpenStream | undefined;
  /** Every stream not yet finished, the current one and retired ones still carrying writes. */
  private readonly live = new Set<OpenStream>();
  private seq = 0;
  private disabled = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly pool: EndpointPool,
    /** How long one write may wait for its answer here before the unary path takes over. */
    private readonly attemptTimeoutMs: number,
  ) {}

  /**
   * Sends one write. Resolves with the node's answer; `undefined` means "no definite answer:
   * retry with a unary call and the same request id"; rejects only with a final error (the one
   * the unary call would have thrown).
   */
  write<K extends Op>(
    op: K,
    request: NonNullable<KvWriteRequest[K]>,
    opts: ItemOptions = {},
  ): Promise<KvWriteResponse__Output | undefined> {
    if (this.disabled || this.pool.isClosed || opts.signal?.aborted) return Promise.resolve(undefined);
    let s: OpenStream;
    try {
      s = this.stream ?? this.open();
    } catch {
      return Promise.resolve(undefined);
    }
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    const seq = this.nextSeq(s);
    return new Promise((resolve, reject) => {
      const settle = (r: KvWriteResponse__Output | undefined, err?: Error): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        s.pending.delete(seq);
        if (err !== undefined) reject(err);
        else resolve(r);
        // A retired stream is cancelled once it carries nothing: ending it waits for the node,
        // and a hung node would keep it (and the process) alive.
        if (this.stream !== s && s.pending.size === 0) this.finish(s);
        else this.idleCheck(s);
      };
      const timer = setTimeout(() => {
        settle(undefined);
        this.retire(s); // the node may be hung: the next write opens a stream where the retry went
      }, opts.timeoutMs ?? this.attemptTimeoutMs);
      // The caller gave up: its answer, if one comes, is dropped.
      const onAbort = (): void => settle(undefined);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      s.pending.set(seq, { op, timer, settle });
      s.call.write({ seq, [op]: request });
    });
  }

  /** Ends every stream; writes still waiting resolve `undefined`. */
  close(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const s of [...this.live]) {
      this.fail(s);
      this.finish(s);
    }
  }

  private open(): OpenStream {
    const endpoint = this.pool.order()[0];
    const call = this.pool.stub(endpoint).KvWrite(new Metadata()) as Stream;
    const s: OpenStream = { call, pending: new Map() };
    this.stream = s;
    this.live.add(s);
    call.on('data', (r: KvWriteResponse__Output) => this.onAnswer(s, r));
    call.on('error', (err: ServiceError) => {
      if (err.code === GrpcStatus.UNIMPLEMENTED) this.disabled = true;
      this.fail(s);
    });
    call.on('end', () => this.fail(s));
    return s;
  }

  private onAnswer(s: OpenStream, r: KvWriteResponse__Output): void {
    const p = s.pending.get(r.seq);
    if (p === undefined) return; // timed out here already: its unary retry answers the caller
    if (r.result === 'error') {
      const err = serviceError(r.error!);
      // A definite refusal ends the write here; anything a retry could fix goes to the unary path.
      if (classify(err) === Failure.Final) {
        p.settle(undefined, fromGrpcError(err));
      } else {
        p.settle(undefined);
        // This node cannot serve writes now (no leader, stopping): follow the retry elsewhere.
        this.retire(s);
      }
      return;
    }
    if (r.result !== p.op) {
      p.settle(undefined);
      return;
    }
    p.settle(r);
  }

  /** The stream is gone: everything still waiting goes to the unary path. */
  private fail(s: OpenStream): void {
    if (this.stream === s) this.stream = undefined;
    this.live.delete(s);
    for (const p of [...s.pending.values()]) p.settle(undefined);
  }

  /** New writes go to a new stream; this one finishes what it carries, then goes. */
  private retire(s: OpenStream): void {
    if (this.stream !== s) return;
    this.stream = undefined;
    if (s.pending.size === 0) this.finish(s);
    else s.call.end();
  }

  private finish(s: OpenStream): void {
    this.live.delete(s);
    s.call.cancel();
  }

  private idleCheck(s: OpenStream): void {
    if (this.stream !== s || s.pending.size > 0 || this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (s.pending.size === 0) this.retire(s);
    }, WRITE_STREAM_IDLE_MS);
    this.idleTimer.unref();
  }

  private nextSeq(s: OpenStream): number {
    do this.seq = (this.seq + 1) >>> 0;
    while (s.pending.has(this.seq));
    return this.seq;
  }
}

/** The item's status as the ServiceError a unary call would have failed with. */
function serviceError(e: KvWriteError__Output): ServiceError {
  const metadata = new Metadata();
  if (e.reason !== '') metadata.set(ERROR_METADATA_KEY, e.reason);
  if (e.leaderId !== '') metadata.set(LEADER_ID_METADATA_KEY, e.leaderId);
  if (e.leaderAddress !== '') metadata.set(LEADER_ADDRESS_METADATA_KEY, e.leaderAddress);
  return Object.assign(new Error(`${e.code} ${e.message}`), { code: e.code, details: e.message, metadata });
}
