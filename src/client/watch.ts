// A watch as an async iterable. The stream is paused while the consumer lags (gRPC flow
// control then holds the server back) and, when a node goes away, resumed on the next endpoint
// from the revision after the last one delivered, so no event is lost or repeated.
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../errors.js';
import type { KvWatchEvent__Output } from '../transport/generated/palisade/v1/KvWatchEvent.js';
import { toU64, watchEvent } from './convert.js';
import { streamMayResume } from './failover.js';
import type { EndpointPool } from './pool.js';
import type { WatchEvent, Watcher } from './types.js';

/** Buffered events above which the stream is paused. */
const HIGH_WATER = 256;

export interface WatchParams {
  readonly prefix: string;
  readonly fromRevision: number;
  /** Consecutive failed (re)connections across all endpoints before the watch fails. */
  readonly maxReconnects: number;
}

export function openWatch(pool: EndpointPool, params: WatchParams): Watcher {
  const watch = new WatchStream(pool, params);
  const iterator: AsyncIterator<WatchEvent> = {
    next: () => watch.next(),
    return() {
      watch.finish();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  watch.start();
  return {
    [Symbol.asyncIterator]: () => iterator,
    cancel: () => watch.finish(),
  };
}

type Waiter = { resolve: (r: IteratorResult<WatchEvent>) => void; reject: (e: unknown) => void };

/** One watch across its reconnections: the current stream, the buffered events, the waiting readers. */
class WatchStream {
  private readonly buffer: WatchEvent[] = [];
  private readonly waiters: Waiter[] = [];
  /** Why the watch ended, when it ended with an error (boxed: the error itself is unknown). */
  private failure: { readonly error: unknown } | undefined;
  private done = false;
  private call: ClientReadableStream<KvWatchEvent__Output> | undefined;
  private nextRevision: number;
  private failures = 0;
  private endpointIndex = 0;

  constructor(
    private readonly pool: EndpointPool,
    private readonly params: WatchParams,
  ) {
    this.nextRevision = params.fromRevision;
  }

  /** Opens the stream on the next endpoint, from the revision after the last one delivered. */
  start(): void {
    if (this.done) return;
    const order = this.pool.order();
    const endpoint = order[this.endpointIndex % order.length];
    let stream: ClientReadableStream<KvWatchEvent__Output>;
    try {
      stream = this.pool.stub(endpoint).KvWatch({ prefix: this.params.prefix, fromRevision: toU64(this.nextRevision, 'fromRevision') });
    } catch (err) {
      this.finish(err);
      return;
    }
    this.call = stream;
    stream.on('data', (raw: KvWatchEvent__Output) => {
      if (this.call !== stream) return;
      this.failures = 0;
      try {
        this.deliver(watchEvent(raw));
      } catch (err) {
        this.finish(err);
      }
    });
    stream.on('error', (err: Error) => this.streamFailed(stream, err));
    stream.on('end', () => {
      if (this.call === stream) this.finish();
    });
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    const event = this.buffer.shift();
    if (event !== undefined) {
      if (this.buffer.length < HIGH_WATER / 2) this.call?.resume();
      return Promise.resolve({ value: event, done: false });
    }
    if (this.done)
      return this.failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  finish(err?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = err === undefined ? undefined : { error: err };
    this.call?.cancel();
    this.call = undefined;
    for (const w of this.waiters.splice(0)) {
      if (err === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(err);
    }
  }

  private deliver(event: WatchEvent): void {
    this.nextRevision = event.revision + 1;
    const w = this.waiters.shift();
    if (w !== undefined) w.resolve({ value: event, done: false });
    else {
      this.buffer.push(event);
      if (this.buffer.length >= HIGH_WATER) this.call?.pause();
    }
  }

  private streamFailed(stream: ClientReadableStream<KvWatchEvent__Output>, err: Error): void {
    if (this.call !== stream || this.done) return; // our own cancel()
    if (!streamMayResume(err) || this.failures >= this.params.maxReconnects) {
      this.finish(fromGrpcError(err));
      return;
    }
    this.failures++;
    this.endpointIndex++;
    this.call = undefined;
    // Give a restarting cluster a moment; grows with consecutive failures, at most 1 s.
    setTimeout(() => this.start(), Math.min(1000, 50 * this.failures));
  }
}
