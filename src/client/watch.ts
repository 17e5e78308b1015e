// A watch as an async iterable. The stream is paused while the consumer lags and, when a node
// goes away, resumed on the next endpoint from the revision after the last one delivered, so no
// event is lost or repeated (the resuming itself is in resuming-stream.ts).
import type { KvWatchEvent__Output } from '../transport/generated/palisade/v1/KvWatchEvent.js';
import { toU64, watchEvent } from './convert.js';
import type { EndpointPool } from './pool.js';
import { openResumingStream } from './resuming-stream.js';
import type { WatchEvent, Watcher } from './types.js';

export interface WatchParams {
  readonly prefix: string;
  readonly fromRevision: number;
  /** Consecutive failed (re)connections across all endpoints before the watch fails. */
  readonly maxReconnects: number;
}

export function openWatch(pool: EndpointPool, params: WatchParams): Watcher {
  let nextRevision = params.fromRevision;
  return openResumingStream<KvWatchEvent__Output, WatchEvent>(pool, {
    // Each (re)open starts from the revision after the last one delivered.
    open: (endpoint) => pool.stub(endpoint).KvWatch({ prefix: params.prefix, fromRevision: toU64(nextRevision, 'fromRevision') }),
    convert: watchEvent,
    accept(event) {
      nextRevision = event.revision + 1;
      return true;
    },
    maxReconnects: params.maxReconnects,
  });
}
