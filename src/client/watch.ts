// A watch as an async iterable. The stream is paused while the consumer lags (gRPC flow
// control then holds the server back) and, when a node goes away, resumed on the next endpoint
// from the revision after the last one delivered, so no event is lost or repeated.
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../errors.js';
import type { KvWatchEvent__Output } from '../transport/generated/palisade/v1/KvWatchEvent.js';
import { toU64, watchEvent } from './convert.js';
import { classify, Failure } from './failover.js';
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
  const buffer: WatchEvent[] = [];
  const waiters: { resolve: (r: IteratorResult<WatchEvent>) => void; reject: (e: unknown) => void }[] = [];
  let failure: unknown;
  let done = false;
  let call: ClientReadableStream<KvWatchEvent__Output> | undefined;
  let nextRevision = params.fromRevision;
  let failures = 0;
  let endpointIndex = 0;

  const finish = (err?: unknown) => {
    if (done) return;
    done = true;
    failure = err;
    call?.cancel();
    call = undefined;
    for (const w of waiters.splice(0)) {
      if (err === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(err);
    }
  };

  const deliver = (event: WatchEvent) => {
    nextRevision = event.revision + 1;
    const w = waiters.shift();
    if (w !== undefined) w.resolve({ value: event, done: false });
    else {
      buffer.push(event);
      if (buffer.length >= HIGH_WATER) call?.pause();
    }
  };

  const start = () => {
    if (done) return;
    const order = pool.order();
    const endpoint = order[endpointIndex % order.length]!;
    let stream: ClientReadableStream<KvWatchEvent__Output>;
    try {
      stream = pool.stub(endpoint).KvWatch({ prefix: params.prefix, fromRevision: toU64(nextRevision, 'fromRevision') });
    } catch (err) {
      finish(err);
      return;
    }
    call = stream;
    stream.on('data', (raw: KvWatchEvent__Output) => {
      if (call !== stream) return;
      failures = 0;
      try {
        deliver(watchEvent(raw));
      } catch (err) {
        finish(err);
      }
    });
    stream.on('error', (err: Error) => {
      if (call !== stream || done) return; // our own cancel()
      const kind = classify(err);
      if (kind === Failure.Final || failures >= params.maxReconnects) {
        finish(fromGrpcError(err));
        return;
      }
      failures++;
      endpointIndex++;
      call = undefined;
      // Give a restarting cluster a moment; grows with consecutive failures, at most 1 s.
      setTimeout(start, Math.min(1000, 50 * failures));
    });
    stream.on('end', () => {
      if (call === stream) finish();
    });
  };

  const iterator: AsyncIterator<WatchEvent> = {
    next() {
      const event = buffer.shift();
      if (event !== undefined) {
        if (buffer.length < HIGH_WATER / 2) call?.resume();
        return Promise.resolve({ value: event, done: false });
      }
      if (done) return failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
  };

  start();
  return {
    [Symbol.asyncIterator]: () => iterator,
    cancel: () => finish(),
  };
}
