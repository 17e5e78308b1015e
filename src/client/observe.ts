// client.observe(name): the leader changes of one election as an async iterable (design item 8).
// The node sends the current holders first, then one event per change. When a node goes away the
// stream is opened again on the next endpoint; its first event is that node's current state, so
// an event at or below the last index delivered (a node that lags, or nothing changed) and an
// event that repeats the leader already delivered are dropped: no change is delivered twice or
// out of order.
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../errors.js';
import type { ObserveEvent__Output } from '../transport/generated/palisade/v1/ObserveEvent.js';
import { leaderChange, sameLeader } from './coordination-convert.js';
import type { LeaderChange, LeaderObserver } from './coordination-types.js';
import { streamMayResume } from './failover.js';
import type { EndpointPool } from './pool.js';

/** Buffered changes above which the stream is paused (gRPC flow control then holds the node back). */
const HIGH_WATER = 256;

export interface ObserveParams {
  readonly name: string;
  /** Consecutive failed (re)connections across all endpoints before the observer fails. */
  readonly maxReconnects: number;
}

export function openObserver(pool: EndpointPool, params: ObserveParams): LeaderObserver {
  const stream = new ObserveStream(pool, params);
  const iterator: AsyncIterator<LeaderChange> = {
    next: () => stream.next(),
    return() {
      stream.finish();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  stream.start();
  return { [Symbol.asyncIterator]: () => iterator, cancel: () => stream.finish() };
}

type Reader = { resolve: (r: IteratorResult<LeaderChange>) => void; reject: (e: unknown) => void };

class ObserveStream {
  private readonly buffer: LeaderChange[] = [];
  private readonly readers: Reader[] = [];
  private failure: { readonly error: unknown } | undefined;
  private done = false;
  private call: ClientReadableStream<ObserveEvent__Output> | undefined;
  /** The last change delivered (undefined before the first). */
  private last: LeaderChange | undefined;
  private failures = 0;
  private endpointIndex = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly pool: EndpointPool,
    private readonly params: ObserveParams,
  ) {}

  start(): void {
    if (this.done) return;
    const order = this.pool.order();
    const endpoint = order[this.endpointIndex % order.length];
    let stream: ClientReadableStream<ObserveEvent__Output>;
    try {
      stream = this.pool.stub(endpoint).Observe({ name: this.params.name });
    } catch (err) {
      this.finish(err);
      return;
    }
    this.call = stream;
    stream.on('data', (raw: ObserveEvent__Output) => {
      if (this.call !== stream) return;
      this.failures = 0;
      try {
        this.offer(leaderChange(raw));
      } catch (err) {
        this.finish(err);
      }
    });
    stream.on('error', (err: Error) => this.streamFailed(stream, err));
    stream.on('end', () => {
      if (this.call === stream) this.finish();
    });
  }

  next(): Promise<IteratorResult<LeaderChange>> {
    const change = this.buffer.shift();
    if (change !== undefined) {
      if (this.buffer.length < HIGH_WATER / 2) this.call?.resume();
      return Promise.resolve({ value: change, done: false });
    }
    if (this.done)
      return this.failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  finish(err?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = err === undefined ? undefined : { error: err };
    clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = undefined;
    for (const r of this.readers.splice(0)) {
      if (err === undefined) r.resolve({ value: undefined, done: true });
      else r.reject(err);
    }
  }

  private offer(change: LeaderChange): void {
    if (this.last !== undefined && (change.index <= this.last.index || sameLeader(change.leader, this.last.leader))) return;
    this.last = change;
    const r = this.readers.shift();
    if (r !== undefined) r.resolve({ value: change, done: false });
    else {
      this.buffer.push(change);
      if (this.buffer.length >= HIGH_WATER) this.call?.pause();
    }
  }

  private streamFailed(stream: ClientReadableStream<ObserveEvent__Output>, err: Error): void {
    if (this.call !== stream || this.done) return; // our own cancel()
    if (!streamMayResume(err) || this.failures >= this.params.maxReconnects) {
      this.finish(fromGrpcError(err));
      return;
    }
    this.failures++;
    this.endpointIndex++;
    this.call = undefined;
    // Give a restarting cluster a moment; grows with consecutive failures, at most 1 s.
    this.retryTimer = setTimeout(() => this.start(), Math.min(1000, 50 * this.failures));
  }
}
