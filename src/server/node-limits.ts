// The peer transport's limits as a node sets them: its gRPC messages follow the largest entry a
// client write can make (CommandLimits), not grpc-js's or the transport's generic defaults.
import { CLIENT_LIMITS } from '../api/limits.js';
import { CommandLimits } from '../statemachine/commands.js';
import { DEFAULT_LIMITS, type TransportLimits } from '../transport/limits.js';

/**
 * A batch holds up to batchBytes of messages, or one message with up to a Raft message's worth
 * of entries (1 MiB) or the largest single entry; twice the sum leaves room for the framing the
 * senders' size estimates leave out.
 */
export const PEER_MESSAGE_BYTES = 2 * (DEFAULT_LIMITS.batchBytes + CommandLimits.maxCommandBytes);

/** `sharesClientApi`: the client API is served on the same gRPC server (one port, TLS off). */
export function peerTransportLimits(sharesClientApi: boolean): Partial<TransportLimits> {
  return {
    maxMessageBytes: PEER_MESSAGE_BYTES,
    // A client needs many streams on one connection (watches, the write stream, calls); a peer two.
    ...(sharesClientApi ? { maxStreamsPerConnection: CLIENT_LIMITS.maxStreamsPerConnection } : {}),
  };
}
