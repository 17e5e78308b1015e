// The receiving side of the peer contract: the RaftPeer service. It checks every batch and
// chunk (cluster id, addressee, full decode) before anything reaches the core, and ends a
// stream with INVALID_ARGUMENT or FAILED_PRECONDITION — never a crash — when one is wrong.
import {
  Metadata,
  status as GrpcStatus,
  type MethodDefinition,
  type ServerReadableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { Message } from '../raft/messages.js';
import type { NodeId } from '../raft/types.js';
import { callIdentity, type CertificateIdentity } from './cert-identity.js';
import { decodeBatch, decodeEnvelope } from './codec.js';
import { ClusterMismatchError, MalformedMessageError, MisaddressedError, isTransportError, toServiceError } from './errors.js';
import type { PeerAck } from './generated/palisade/v1/PeerAck.js';
import type { PeerBatch__Output } from './generated/palisade/v1/PeerBatch.js';
import type { RaftPeerDefinition } from './generated/palisade/v1/RaftPeer.js';
import type { SnapshotAck } from './generated/palisade/v1/SnapshotAck.js';
import type { SnapshotChunk__Output } from './generated/palisade/v1/SnapshotChunk.js';
import type { TransportLogger } from './logger.js';
import { checkPeerIdentity, type PeerIdentityRule } from './peer-identity.js';
import type { SnapshotReceiver } from './snapshot-receiver.js';

/** What the tolerant deserializer yields for bytes that are not a protobuf message at all. */
export class UndecodableRequest {
  constructor(readonly cause: unknown) {}
}

/**
 * The service definition with deserializers that never throw: grpc-js answers a deserializer
 * exception with INTERNAL, but garbage from a peer is the peer's fault (INVALID_ARGUMENT).
 */
export function tolerantDefinition(def: RaftPeerDefinition): ServiceDefinition {
  const out: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(def) as [string, MethodDefinition<unknown, unknown>][]) {
    out[name] = {
      ...method,
      requestDeserialize: (buf: Buffer): unknown => {
        try {
          return method.requestDeserialize(buf);
        } catch (err) {
          return new UndecodableRequest(err);
        }
      },
    };
  }
  return out;
}

export interface PeerServiceOptions {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  /** Receives InstallSnapshot calls within their limits (snapshot-receiver.ts). */
  readonly snapshots: SnapshotReceiver;
  readonly logger: TransportLogger;
  /** TLS on: who may send (src/transport/peer-identity.ts). Absent: plaintext, anyone who reaches the port. */
  readonly identity?: PeerIdentityRule;
  /** Hands decoded messages to the node; called in arrival order. */
  readonly deliver: (messages: readonly Message[]) => void;
}

type Incoming<T> = T | UndecodableRequest;

export function createPeerService(opts: PeerServiceOptions): UntypedServiceImplementation {
  const { nodeId, logger } = opts;

  const Stream = (call: ServerReadableStream<Incoming<PeerBatch__Output>, PeerAck>, callback: sendUnaryData<PeerAck>): void => {
    // Response headers at once: until they arrive, the sender's grpc-js keeps every message
    // written on the stream for a retry that never comes (up to 1 MiB per stream, then all freed
    // at once): garbage that outlives the young generation, for a full GC to collect.
    call.sendMetadata(new Metadata());
    const end = once(callback, {}, 'Stream', logger);
    const cert = callIdentity(call);
    call.on('data', (wire: Incoming<PeerBatch__Output>) => {
      if (end.done) return;
      try {
        if (wire instanceof UndecodableRequest) throw undecodable(wire);
        checkEnvelope(opts, wire, cert);
        // Decoded as a whole first: a batch reaches the core entirely or not at all.
        const batch = decodeBatch(wire);
        if (batch.messages.length > 0) opts.deliver(batch.messages);
      } catch (err) {
        end.finish(err);
      }
    });
    call.on('end', () => end.finish());
    call.on('error', (err: Error) => {
      logger.debug({ rpc: 'Stream', err: err.message }, 'peer stream error');
      end.finish();
    });
  };

  const InstallSnapshot = (
    call: ServerReadableStream<Incoming<SnapshotChunk__Output>, SnapshotAck>,
    callback: sendUnaryData<SnapshotAck>,
  ): void => {
    const cert = callIdentity(call);
    opts.snapshots.serve(
      call,
      callback,
      (wire) => {
        if (wire instanceof UndecodableRequest) throw undecodable(wire);
        // Every chunk, before a byte of it is kept: a stranger cannot make this node buffer a snapshot.
        const chunk = wire as SnapshotChunk__Output;
        if (opts.identity !== undefined) checkPeerIdentity(cert, decodeEnvelope(chunk).from, nodeId, opts.identity);
        return chunk;
      },
      (m) => opts.deliver([m]),
    );
  };

  return { Stream, InstallSnapshot };
}

/** `cert`: the caller's verified certificate (read once per call: a call stays on one connection). */
function checkEnvelope(
  opts: PeerServiceOptions,
  wire: PeerBatch__Output | SnapshotChunk__Output,
  cert: CertificateIdentity | undefined,
): void {
  const { clusterId, nodeId } = opts;
  const env = decodeEnvelope(wire);
  // Identity first: a stranger learns nothing about the cluster id from the answer.
  if (opts.identity !== undefined) checkPeerIdentity(cert, env.from, nodeId, opts.identity);
  if (env.clusterId !== clusterId) throw new ClusterMismatchError(env.from, env.clusterId, nodeId, clusterId);
  if (env.to !== nodeId) throw new MisaddressedError(env.from, env.to, nodeId);
}

function undecodable(x: UndecodableRequest): MalformedMessageError {
  return new MalformedMessageError('', `not a valid protobuf message: ${(x.cause as Error)?.message ?? String(x.cause)}`, {
    cause: x.cause,
  });
}

/** Ends the call once: with OK and `ok`, or with the status for `err`. */
function once<R>(callback: sendUnaryData<R>, ok: R, rpc: string, logger: TransportLogger) {
  let done = false;
  return {
    get done(): boolean {
      return done;
    },
    finish(err?: unknown): void {
      if (done) return;
      done = true;
      if (err === undefined) {
        callback(null, ok);
        return;
      }
      if (isTransportError(err)) {
        logger.warn({ rpc, code: err.code, err: err.message }, 'rejected peer traffic');
        callback(toServiceError(err));
        return;
      }
      logger.error({ rpc, err: String(err) }, 'peer call failed');
      callback({ code: GrpcStatus.INTERNAL, details: `internal error: ${String(err)}` });
    },
  };
}
