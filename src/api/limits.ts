// What one client may hold on a node's client API. gRPC messages follow the largest request a
// write can be (a value of CommandLimits.maxValueBytes with its key and ids), not grpc-js's
// default; HTTP/2 streams and watches are capped per connection, watches also per node, so a
// client that opens thousands of them gets RESOURCE_EXHAUSTED instead of the node's memory.
import { ResourceExhaustedError } from '../errors.js';
import { CommandLimits } from '../statemachine/commands.js';

/** Room for the protobuf framing and the request's other fields. */
const REQUEST_OVERHEAD_BYTES = 64 * 1024;

export const CLIENT_LIMITS = Object.freeze({
  /** The largest request a client may send (a KvPut with the largest value and key). */
  maxRequestBytes: CommandLimits.maxValueBytes + CommandLimits.maxKeyBytes + 4 * CommandLimits.maxIdBytes + REQUEST_OVERHEAD_BYTES,
  /** HTTP/2 streams open at once on one connection (calls, watches, the write stream). */
  maxStreamsPerConnection: 1024,
  /** Watches open at once on one connection (below the streams, so other calls still fit). */
  maxWatchesPerConnection: 1000,
  /** Watches open at once on this node, all connections together. */
  maxWatches: 4096,
});

/** grpc-js server options for a server that serves the client API. */
export function clientServerOptions(): Record<string, number> {
  return {
    'grpc.max_receive_message_length': CLIENT_LIMITS.maxRequestBytes,
    'grpc.max_concurrent_streams': CLIENT_LIMITS.maxStreamsPerConnection,
  };
}

/** Counts open watches per connection (grpc-js's peer address: one per TCP connection) and in all. */
export class WatchSlots {
  private readonly perConnection = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { readonly maxWatchesPerConnection: number; readonly maxWatches: number } = CLIENT_LIMITS) {}

  get open(): number {
    return this.total;
  }

  /** Takes a slot for a watch on `connection`; the returned function frees it (once). Throws when none is left. */
  acquire(connection: string): () => void {
    const mine = this.perConnection.get(connection) ?? 0;
    if (mine >= this.limits.maxWatchesPerConnection) {
      throw new ResourceExhaustedError(
        `this connection already has ${mine} watches open (at most ${this.limits.maxWatchesPerConnection}): watch a common prefix instead of many keys, or cancel watches you no longer need`,
      );
    }
    if (this.total >= this.limits.maxWatches) {
      throw new ResourceExhaustedError(
        `this node already serves ${this.total} watches (at most ${this.limits.maxWatches}); try another member or later`,
      );
    }
    this.perConnection.set(connection, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perConnection.get(connection) ?? 1) - 1;
      if (left === 0) this.perConnection.delete(connection);
      else this.perConnection.set(connection, left);
    };
  }
}
