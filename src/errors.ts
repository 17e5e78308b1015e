// The errors users of palisade see (embedding API, client, CLI). One class per failure, each
// with a stable `code`, a message that says what to do, and the underlying `cause`. At the gRPC
// edge an error travels as a status code plus the trailing metadata key `palisade-error` (the
// code), so the client rebuilds the same class: `toGrpcStatus` on the server, `fromGrpcError`
// in the client.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

export const ErrorCode = {
  NoLeader: 'NO_LEADER',
  Unreachable: 'UNREACHABLE',
  ShuttingDown: 'SHUTTING_DOWN',
  NotFound: 'NOT_FOUND',
  InvalidArgument: 'INVALID_ARGUMENT',
  ConfigInvalid: 'CONFIG_INVALID',
  MembershipChangePending: 'MEMBERSHIP_CHANGE_PENDING',
  MembershipChangeRejected: 'MEMBERSHIP_CHANGE_REJECTED',
  Timeout: 'TIMEOUT',
  WatchCompacted: 'WATCH_COMPACTED',
  /** An operator action the cluster's state does not allow now (switchover to a lagging node, while paused...). */
  PreconditionFailed: 'PRECONDITION_FAILED',
  /** The call carries no valid credentials (no verified client certificate, no known token). */
  Unauthenticated: 'UNAUTHENTICATED',
  /** The caller is known but its role does not allow the call. */
  PermissionDenied: 'PERMISSION_DENIED',
  /** A limit of the node: the store's quota, watches per connection... The message says which. */
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  Internal: 'INTERNAL',
  // Coordination (docs/coordination.md): the reasons of a FAILED_PRECONDITION answer.
  /** The session has ended (closed or expired) or never existed. */
  SessionNotFound: 'SESSION_NOT_FOUND',
  /** A write guarded by a fencing token whose grant is over. */
  StaleFencingToken: 'STALE_FENCING_TOKEN',
  /** Proclaim or release by a session that does not hold the name (with that token). */
  NotHolder: 'NOT_HOLDER',
  /** The name exists as another kind (lock, election, semaphore) or with another limit. */
  QueueMismatch: 'QUEUE_MISMATCH',
  /** Client side: the session is over for this client (lost, expired or closed) before the call could finish. */
  SessionLost: 'SESSION_LOST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Trailing metadata keys of a failed call. */
export const ERROR_METADATA_KEY = 'palisade-error';
/** The leader's id and client address, when the answering node knows them (NO_LEADER answers). */
export const LEADER_ID_METADATA_KEY = 'palisade-leader-id';
export const LEADER_ADDRESS_METADATA_KEY = 'palisade-leader';

export abstract class PalisadeError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The answering node knows no leader (election in progress, partitioned, transfer running), or
 * could not hand the request to it. `leader`/`leaderAddress` name the leader when one is known,
 * so a client can go there directly. Retrying (with the same request id) is safe.
 */
export class NoLeaderError extends PalisadeError {
  readonly code = ErrorCode.NoLeader;
  constructor(
    reason: string,
    readonly leader?: string,
    readonly leaderAddress?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `no leader: ${reason}${leader ? ` (known leader ${leader}${leaderAddress ? ` at ${leaderAddress}` : ''})` : ''}; retry shortly`,
      options,
    );
  }
}

/** No endpoint answered (connection refused, timed out connecting, TLS failure...). */
export class UnavailableError extends PalisadeError {
  readonly code = ErrorCode.Unreachable;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The node is stopping; ask another endpoint. */
export class ShuttingDownError extends PalisadeError {
  readonly code = ErrorCode.ShuttingDown;
  constructor(nodeId: string) {
    super(`node ${nodeId} is shutting down; use another endpoint`);
  }
}

/** An unknown member (the CLI's missing-key case is not an error: KvGetResponse.found). */
export class NotFoundError extends PalisadeError {
  readonly code = ErrorCode.NotFound;
  constructor(message: string) {
    super(message);
  }
}

/** A malformed request: bad key, bad id, value too large, unknown field value. Do not retry as is. */
export class InvalidArgumentError extends PalisadeError {
  readonly code = ErrorCode.InvalidArgument;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Node configuration with problems; `problems` lists every one, each saying how to fix it. */
export class ConfigError extends PalisadeError {
  readonly code = ErrorCode.ConfigInvalid;
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Another membership change has not been applied yet; retry once it has. */
export class MembershipChangePendingError extends PalisadeError {
  readonly code = ErrorCode.MembershipChangePending;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A membership change that cannot apply (e.g. removing the last voter). */
export class MembershipChangeRejectedError extends PalisadeError {
  readonly code = ErrorCode.MembershipChangeRejected;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Not done in time. For a write the outcome is unknown: retry with the SAME request id and it
 * is applied at most once.
 */
export class TimeoutError extends PalisadeError {
  readonly code = ErrorCode.Timeout;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A watch asked for revisions that are no longer kept: read the current state, then watch again. */
export class WatchCompactedError extends PalisadeError {
  readonly code = ErrorCode.WatchCompacted;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The cluster's state does not allow the operation now; the message says what has to change first. */
export class PreconditionFailedError extends PalisadeError {
  readonly code = ErrorCode.PreconditionFailed;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No valid credentials: give a client certificate of the cluster's CA, or a token the agent knows. */
export class UnauthenticatedError extends PalisadeError {
  readonly code = ErrorCode.Unauthenticated;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller's role does not allow the call; the message names the role that would. */
export class PermissionDeniedError extends PalisadeError {
  readonly code = ErrorCode.PermissionDenied;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A limit of the node refused the call (the store's --quota-bytes, watches or streams per
 * connection). Retrying as is fails the same way; the message says what would help.
 */
export class ResourceExhaustedError extends PalisadeError {
  readonly code = ErrorCode.ResourceExhausted;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A bug or an unexpected failure on the answering node; its log has the details. */
export class InternalError extends PalisadeError {
  readonly code = ErrorCode.Internal;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The session has ended (closed, or expired on the leader's clock) or never existed: create a new one. */
export class SessionNotFoundError extends PalisadeError {
  readonly code = ErrorCode.SessionNotFound;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The write was refused, not applied: it was guarded by a fencing token that no longer holds its
 * name (a newer holder may exist). The writer must stop acting as the holder.
 */
export class StaleFencingTokenError extends PalisadeError {
  readonly code = ErrorCode.StaleFencingToken;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The session does not hold the name (with that token): its leadership or lock is over. */
export class NotHolderError extends PalisadeError {
  readonly code = ErrorCode.NotHolder;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The name is in use as another kind (lock, election, semaphore) or with another limit. */
export class QueueMismatchError extends PalisadeError {
  readonly code = ErrorCode.QueueMismatch;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The session is over for this client (`session.done` settled: lost, expired or closed), so what
 * depended on it (a campaign, a lock, a proclaim) did not happen or is over. Never sent by a node.
 */
export class SessionLostError extends PalisadeError {
  readonly code = ErrorCode.SessionLost;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type AnyPalisadeError =
  | NoLeaderError
  | UnavailableError
  | ShuttingDownError
  | NotFoundError
  | InvalidArgumentError
  | ConfigError
  | MembershipChangePendingError
  | MembershipChangeRejectedError
  | TimeoutError
  | WatchCompactedError
  | PreconditionFailedError
  | UnauthenticatedError
  | PermissionDeniedError
  | ResourceExhaustedError
  | InternalError
  | SessionNotFoundError
  | StaleFencingTokenError
  | NotHolderError
  | QueueMismatchError
  | SessionLostError;

function grpcCodeOf(err: AnyPalisadeError): GrpcStatus {
  switch (err.code) {
    case ErrorCode.NoLeader:
    case ErrorCode.Unreachable:
    case ErrorCode.ShuttingDown:
      return GrpcStatus.UNAVAILABLE;
    case ErrorCode.NotFound:
      return GrpcStatus.NOT_FOUND;
    case ErrorCode.InvalidArgument:
    case ErrorCode.ConfigInvalid:
      return GrpcStatus.INVALID_ARGUMENT;
    case ErrorCode.MembershipChangePending:
    case ErrorCode.MembershipChangeRejected:
    case ErrorCode.PreconditionFailed:
    case ErrorCode.SessionNotFound:
    case ErrorCode.StaleFencingToken:
    case ErrorCode.NotHolder:
    case ErrorCode.QueueMismatch:
    case ErrorCode.SessionLost:
      return GrpcStatus.FAILED_PRECONDITION;
    case ErrorCode.Timeout:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case ErrorCode.WatchCompacted:
      return GrpcStatus.OUT_OF_RANGE;
    case ErrorCode.Unauthenticated:
      return GrpcStatus.UNAUTHENTICATED;
    case ErrorCode.PermissionDenied:
      return GrpcStatus.PERMISSION_DENIED;
    case ErrorCode.ResourceExhausted:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case ErrorCode.Internal:
      return GrpcStatus.INTERNAL;
    default: {
      const never: never = err;
      return never;
    }
  }
}

/** The status a server handler answers with for `err` (anything not ours becomes INTERNAL). */
export function toGrpcStatus(err: unknown): Partial<ServiceError> & { code: GrpcStatus; details: string; metadata: Metadata } {
  const e: AnyPalisadeError = isPalisadeError(err)
    ? err
    : new InternalError(err instanceof Error ? err.message : String(err), { cause: err });
  const metadata = new Metadata();
  metadata.set(ERROR_METADATA_KEY, e.code);
  if (e instanceof NoLeaderError) {
    if (e.leader) metadata.set(LEADER_ID_METADATA_KEY, e.leader);
    if (e.leaderAddress) metadata.set(LEADER_ADDRESS_METADATA_KEY, e.leaderAddress);
  }
  return { code: grpcCodeOf(e), details: e.message, metadata };
}

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function isPalisadeError(err: unknown): err is AnyPalisadeError {
  return err instanceof PalisadeError && CODES.has(err.code);
}

function metadataString(md: Metadata | undefined, key: string): string | undefined {
  const v = md?.get(key)[0];
  return v === undefined ? undefined : String(v);
}

/** Rebuilds the typed error a server sent (or classifies a transport-level failure). */
export function fromGrpcError(err: Partial<ServiceError> & { message?: string }): AnyPalisadeError {
  const details = err.details || err.message || 'unknown error';
  const md = err.metadata instanceof Metadata ? err.metadata : undefined;
  const code = metadataString(md, ERROR_METADATA_KEY);
  const opts = { cause: err };
  switch (code) {
    case ErrorCode.NoLeader: {
      const e = new NoLeaderError('', metadataString(md, LEADER_ID_METADATA_KEY), metadataString(md, LEADER_ADDRESS_METADATA_KEY), opts);
      e.message = details;
      return e;
    }
    case ErrorCode.Unreachable:
      return new UnavailableError(details, opts);
    case ErrorCode.ShuttingDown: {
      const e = new ShuttingDownError('');
      e.message = details;
      return e;
    }
    case ErrorCode.NotFound:
      return new NotFoundError(details);
    case ErrorCode.InvalidArgument:
      return new InvalidArgumentError(details, opts);
    case ErrorCode.ConfigInvalid: {
      const problems = details
        .split('\n')
        .filter((l) => l.startsWith('  - '))
        .map((l) => l.slice(4));
      return new ConfigError(problems.length > 0 ? problems : [details]);
    }
    case ErrorCode.MembershipChangePending:
      return new MembershipChangePendingError(details, opts);
    case ErrorCode.MembershipChangeRejected:
      return new MembershipChangeRejectedError(details, opts);
    case ErrorCode.Timeout:
      return new TimeoutError(details, opts);
    case ErrorCode.WatchCompacted:
      return new WatchCompactedError(details, opts);
    case ErrorCode.PreconditionFailed:
      return new PreconditionFailedError(details, opts);
    case ErrorCode.Unauthenticated:
      return new UnauthenticatedError(details, opts);
    case ErrorCode.PermissionDenied:
      return new PermissionDeniedError(details, opts);
    case ErrorCode.ResourceExhausted:
      return new ResourceExhaustedError(details, opts);
    case ErrorCode.Internal:
      return new InternalError(details, opts);
    case ErrorCode.SessionNotFound:
      return new SessionNotFoundError(details, opts);
    case ErrorCode.StaleFencingToken:
      return new StaleFencingTokenError(details, opts);
    case ErrorCode.NotHolder:
      return new NotHolderError(details, opts);
    case ErrorCode.QueueMismatch:
      return new QueueMismatchError(details, opts);
    case ErrorCode.SessionLost:
      return new SessionLostError(details, opts);
    default:
      break;
  }
  // No palisade code: a failure below our handlers (connection, deadline set by the caller...).
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
      return new UnavailableError(details, opts);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new TimeoutError(details, opts);
    case GrpcStatus.INVALID_ARGUMENT:
      return new InvalidArgumentError(details, opts);
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError(details);
    case GrpcStatus.OUT_OF_RANGE:
      return new WatchCompactedError(details, opts);
    case GrpcStatus.UNAUTHENTICATED:
      return new UnauthenticatedError(details, opts);
    case GrpcStatus.PERMISSION_DENIED:
      return new PermissionDeniedError(details, opts);
    case GrpcStatus.RESOURCE_EXHAUSTED:
      // grpc-js's own refusals (a message above the size limit) carry no palisade code.
      return new ResourceExhaustedError(details, opts);
    default:
      return new InternalError(details, opts);
  }
}
