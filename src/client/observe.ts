// client.observe(name): the leader changes of one election as an async iterable (design item 8).
// The node sends the current holders first, then one event per change. When a node goes away the
// stream is opened again on the next endpoint (resuming-stream.ts); its first event is that node's
// current state, so an event at or below the last index delivered (a node that lags, or nothing
// changed) and an event that repeats the leader already delivered are dropped: no change is
// delivered twice or out of order.
import type { ObserveEvent__Output } from '../transport/generated/palisade/v1/ObserveEvent.js';
import { leaderChange, sameLeader } from './coordination-convert.js';
import type { LeaderChange, LeaderObserver } from './coordination-types.js';
import type { EndpointPool } from './pool.js';
import { openResumingStream } from './resuming-stream.js';

export interface ObserveParams {
  readonly name: string;
  /** Consecutive failed (re)connections across all endpoints before the observer fails. */
  readonly maxReconnects: number;
}

export function openObserver(pool: EndpointPool, params: ObserveParams): LeaderObserver {
  /** The last change delivered (undefined before the first). */
  let last: LeaderChange | undefined;
  return openResumingStream<ObserveEvent__Output, LeaderChange>(pool, {
    open: (endpoint) => pool.stub(endpoint).Observe({ name: params.name }),
    convert: leaderChange,
    accept(change) {
      if (last !== undefined && (change.index <= last.index || sameLeader(change.leader, last.leader))) return false;
      last = change;
      return true;
    },
    maxReconnects: params.maxReconnects,
  });
}
