// Sizes and timeouts of the peer transport, with defaults suited to a small HA cluster.

export interface TransportLimits {
  /** Messages waiting per peer before the oldest are dropped (see send-queue.ts). */
  readonly queueMessages: number;
  /** Target size of one batch on the stream (estimated; one larger message still goes alone). */
  readonly batchBytes: number;
  /** gRPC's hard per-message limit, both directions; a bigger message is dropped and counted. */
  readonly maxMessageBytes: number;
  /** Data per snapshot chunk. */
  readonly snapshotChunkBytes: number;
  /**
   * Largest snapshot a receiver accepts. It is written to disk as it arrives and read back
   * whole only once complete, so this is also the most memory one incoming snapshot takes.
   */
  readonly maxSnapshotBytes: number;
  /** Incoming snapshots at once, all senders together (and never two from one sender). */
  readonly maxIncomingSnapshots: number;
  /** HTTP/2 streams one connection may hold open on the peer port (a peer needs two). */
  readonly maxStreamsPerConnection: number;
  /** How long a (re)connection may take before it counts as failed. */
  readonly connectTimeoutMs: number;
  /** Deadline of one whole snapshot transfer: the sender's, and the receiver's own. */
  readonly snapshotTimeoutMs: number;
  /** HTTP/2 keepalive ping interval and ack timeout: how a silently dead peer is noticed. */
  readonly keepaliveMs: number;
  readonly keepaliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: TransportLimits = Object.freeze({
  queueMessages: 4096,
  batchBytes: 1 << 20,
  maxMessageBytes: 64 << 20,
  snapshotChunkBytes: 256 << 10,
  maxSnapshotBytes: 512 << 20,
  maxIncomingSnapshots: 3,
  maxStreamsPerConnection: 16,
  connectTimeoutMs: 1000,
  snapshotTimeoutMs: 5 * 60_000,
  keepaliveMs: 10_000,
  keepaliveTimeoutMs: 5_000,
});
