// Errors of the peer transport. Each has a stable `code`; `grpcStatusOf` maps them to the
// status the server answers with, so a sender's log says exactly why a peer refused it.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/** A peer sent something that is not a valid message of our contract. → INVALID_ARGUMENT */
export class MalformedMessageError extends Error {
  readonly code = 'TRANSPORT_MALFORMED_MESSAGE';
  /** `path` locates the bad field, e.g. `messages[2].appendEntries.entries[0].term`. */
  constructor(
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`malformed peer message: ${path ? `${path}: ` : ''}${problem}`, options);
  }
}

/** A node of another cluster reached us (or we reached it). → FAILED_PRECONDITION */
export class ClusterMismatchError extends Error {
  readonly code = 'TRANSPORT_CLUSTER_MISMATCH';
  constructor(
    readonly remoteNode: string,
    readonly remoteCluster: string,
    readonly localNode: string,
    readonly localCluster: string,
  ) {
    super(
      `cluster id mismatch: node "${remoteNode}" belongs to cluster "${remoteCluster}" but node ` +
        `"${localNode}" belongs to cluster "${localCluster}"; a node only talks to its own cluster ` +
        `(check the cluster id in both nodes' configs and the peer addresses)`,
    );
  }
}

/** Traffic addressed to another node id reached us: the peer's address book is wrong. → FAILED_PRECONDITION */
export class MisaddressedError extends Error {
  readonly code = 'TRANSPORT_MISADDRESSED';
  constructor(
    readonly remoteNode: string,
    readonly intendedNode: string,
    readonly localNode: string,
  ) {
    super(
      `node "${remoteNode}" addressed node "${intendedNode}" but reached node "${localNode}"; ` +
        `check the peer addresses in "${remoteNode}"'s config`,
    );
  }
}

/** Peer traffic without a verified certificate of the cluster CA (TLS on). → UNAUTHENTICATED */
export class PeerUnauthenticatedError extends Error {
  readonly code = 'TRANSPORT_UNAUTHENTICATED';
  constructor(
    readonly localNode: string,
    readonly problem: string,
  ) {
    super(`node "${localNode}" refused peer traffic: ${problem}`);
  }
}

/** A verified certificate that may not send this traffic (another node's id, a non-member, a user). → PERMISSION_DENIED */
export class PeerDeniedError extends Error {
  readonly code = 'TRANSPORT_PEER_DENIED';
  constructor(
    readonly certificateName: string,
    readonly claimedFrom: string,
    readonly localNode: string,
    readonly problem: string,
  ) {
    super(`node "${localNode}" refused peer traffic from certificate "${certificateName}" (claiming "${claimedFrom}"): ${problem}`);
  }
}

export type TransportError = MalformedMessageError | ClusterMismatchError | MisaddressedError | PeerUnauthenticatedError | PeerDeniedError;

export function grpcStatusOf(err: TransportError): GrpcStatus {
  switch (err.code) {
    case 'TRANSPORT_MALFORMED_MESSAGE':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'TRANSPORT_CLUSTER_MISMATCH':
    case 'TRANSPORT_MISADDRESSED':
      return GrpcStatus.FAILED_PRECONDITION;
    case 'TRANSPORT_UNAUTHENTICATED':
      return GrpcStatus.UNAUTHENTICATED;
    case 'TRANSPORT_PEER_DENIED':
      return GrpcStatus.PERMISSION_DENIED;
    default: {
      const never: never = err;
      throw new Error(`unhandled transport error ${String(never)}`);
    }
  }
}

export function isTransportError(err: unknown): err is TransportError {
  return (
    err instanceof MalformedMessageError ||
    err instanceof ClusterMismatchError ||
    err instanceof MisaddressedError ||
    err instanceof PeerUnauthenticatedError ||
    err instanceof PeerDeniedError
  );
}

/** The error object a grpc-js handler passes to its callback for `err`. */
export function toServiceError(err: TransportError): Partial<ServiceError> {
  return { code: grpcStatusOf(err), details: err.message, metadata: new Metadata() };
}
