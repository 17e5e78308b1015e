// A server stream as an async iterable that survives failover: paused while the consumer lags
// (gRPC flow control then holds the node back) and, when a node goes away, opened again on the
// next endpoint. What to open, how to convert a message and which items to keep belong to the
// caller (watch resumes from a revision, observe drops repeats).
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../errors.js';
import { streamMayResume } from './failover.js';
import type { EndpointPool } from './pool.js';

/** Buffered items above which the stream is paused. */
const HIGH_WATER = 256;

export interface ResumingStreamSource<Raw, Item> {
  /** Opens the stream on `endpoint`; called again after each failover. */
  open(endpoint: string): ClientReadableStream<Raw>;
  /** Converts a message; a throw ends the stream with that error. */
  convert(raw: Raw): Item;
  /** Records `item` and says whether to deliver it (false: drop it). */
  accept(item: Item): boolean;
  /** Consecutive failed (re)connections across all endpoints before the stream fails. */
  readonly maxReconnects: number;
}

export interface ResumingIterable<Item> extends AsyncIterable<Item> {
  cancel(): void;
}

export function openResumingStream<Raw, Item>(pool: EndpointPool, source: ResumingStreamSource<Raw, Item>): ResumingIterable<Item> {
  const stream = new ResumingStream(pool, source);
  const iterator: AsyncIterator<Item> = {
    next: () => stream.next(),
    return() {
      stream.finish();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  stream.start();
  return { [Symbol.asyncIterator]: () => iterator, cancel: () => stream.finish() };
}

type Reader<Item> = { resolve: (r: IteratorResult<Item>) => void; reject: (e: unknown) => void };

/** One stream across its reconnections: the current call, the buffered items, the waiting readers. */
class ResumingStream<Raw, Item> {
  private readonly buffer: Item[] = [];
  private readonly readers: Reader<Item>[] = [];
  /** Why the stream ended, when it ended with an error (boxed: the error itself is unknown). */
  private failure: { readonly error: unknown } | undefined;
  private done = false;
  private call: ClientReadableStream<Raw> | undefined;
  private failures = 0;
  private endpointIndex = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly pool: EndpointPool,
    private readonly source: ResumingStreamSource<Raw, Item>,
  ) {}

  start(): void {
    if (this.done) return;
    const order = this.pool.order();
    const endpoint = order[this.endpointIndex % order.length];
    let stream: ClientReadableStream<Raw>;
    try {
      stream = this.source.open(endpoint);
    } catch (err) {
      this.finish(err);
      return;
    }
    this.call = stream;
    stream.on('data', (raw: Raw) => {
      if (this.call !== stream) return;
      this.failures = 0;
      try {
        this.offer(this.source.convert(raw));
      } catch (err) {
        this.finish(err);
      }
    });
    stream.on('error', (err: Error) => this.streamFailed(stream, err));
    stream.on('end', () => {
      if (this.call === stream) this.finish();
    });
  }

  next(): Promise<IteratorResult<Item>> {
    if (this.buffer.length > 0) {
      const item = this.buffer.shift() as Item;
      if (this.buffer.length < HIGH_WATER / 2) this.call?.resume();
      return Promise.resolve({ value: item, done: false });
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

  private offer(item: Item): void {
    if (!this.source.accept(item)) return;
    const r = this.readers.shift();
    if (r !== undefined) r.resolve({ value: item, done: false });
    else {
      this.buffer.push(item);
      if (this.buffer.length >= HIGH_WATER) this.call?.pause();
    }
  }

  private streamFailed(stream: ClientReadableStream<Raw>, err: Error): void {
    if (this.call !== stream || this.done) return; // our own cancel()
    if (!streamMayResume(err) || this.failures >= this.source.maxReconnects) {
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
