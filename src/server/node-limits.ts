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

/**
 * What a snapshot holds beyond the live keys the quota counts: the bounded watch history, the
 * request-id table, cluster events, members and the encoding's own framing.
 */
export const SNAPSHOT_ALLOWANCE_BYTES = 256 * 1024 * 1024;

/**
 * `sharesClientApi`: the client API is served on the same gRPC server (one port, TLS off).
 * `quotaBytes`: the store's quota; a member must accept any snapshot a store within it makes
 * (members should share one quota: a smaller one on a receiver would refuse the leader's snapshot).
 */
export function peerTransportLimits(sharesClientApi: boolean, quotaBytes: number): Partial<TransportLimits> {
  return {
    maxMessageBytes: PEER_MESSAGE_BYTES,
    maxSnapshotBytes: Math.max(DEFAULT_LIMITS.maxSnapshotBytes, quotaBytes + SNAPSHOT_ALLOWANCE_BYTES),
    // A client needs many streams on one connection (watches, the write stream, calls); a peer two.
    ...(sharesClientApi ? { maxStreamsPerConnection: CLIENT_LIMITS.maxStreamsPerConnection } : {}),
  };
}
