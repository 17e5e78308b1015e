// Typed errors survive the trip through a gRPC status: toGrpcStatus on the server, fromGrpcError
// in the client, keyed by the `palisade-error` trailing metadata.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  ConfigError,
  InternalError,
  InvalidArgumentError,
  MembershipChangePendingError,
  MembershipChangeRejectedError,
  NoLeaderError,
  NotFoundError,
  NotHolderError,
  PermissionDeniedError,
  QueueMismatchError,
  SessionLostError,
  SessionNotFoundError,
  ShuttingDownError,
  StaleFencingTokenError,
  TimeoutError,
  UnauthenticatedError,
  UnavailableError,
  WatchCompactedError,
  fromGrpcError,
  toGrpcStatus,
} from '../../src/errors.js';

test('every error class maps to its gRPC status and back to the same class and code', () => {
  const cases = [
    [new NoLeaderError('election in progress', 'n2', '127.0.0.1:7102'), GrpcStatus.UNAVAILABLE],
    [new UnavailableError('no endpoint answered'), GrpcStatus.UNAVAILABLE],
    [new ShuttingDownError('n1'), GrpcStatus.UNAVAILABLE],
    [new NotFoundError('member n9 is not in the cluster'), GrpcStatus.NOT_FOUND],
    [new InvalidArgumentError('key is empty'), GrpcStatus.INVALID_ARGUMENT],
    [new ConfigError(['id: missing — set it']), GrpcStatus.INVALID_ARGUMENT],
    [new MembershipChangePendingError('pending'), GrpcStatus.FAILED_PRECONDITION],
    [new MembershipChangeRejectedError('last voter'), GrpcStatus.FAILED_PRECONDITION],
    [new TimeoutError('not applied in time'), GrpcStatus.DEADLINE_EXCEEDED],
    [new WatchCompactedError('revision 3 is compacted'), GrpcStatus.OUT_OF_RANGE],
    [new UnauthenticatedError('no credentials'), GrpcStatus.UNAUTHENTICATED],
    [new PermissionDeniedError('MemberAdd needs role admin'), GrpcStatus.PERMISSION_DENIED],
    [new InternalError('bug'), GrpcStatus.INTERNAL],
    [new SessionNotFoundError('session 12 has ended'), GrpcStatus.FAILED_PRECONDITION],
    [new StaleFencingTokenError('lock a is not held with token 7'), GrpcStatus.FAILED_PRECONDITION],
    [new NotHolderError('session 12 does not hold e'), GrpcStatus.FAILED_PRECONDITION],
    [new QueueMismatchError('a is a lock, not a semaphore'), GrpcStatus.FAILED_PRECONDITION],
    [new SessionLostError('session 12 is lost'), GrpcStatus.FAILED_PRECONDITION],
  ] as const;
  for (const [err, code] of cases) {
    const st = toGrpcStatus(err);
    assert.equal(st.code, code, err.name);
    assert.equal(st.metadata.get('palisade-error')[0], err.code);
    const back = fromGrpcError({ ...st, message: `${st.code} ${st.details}` });
    assert.equal(back.constructor, err.constructor, err.name);
    assert.equal(back.code, err.code);
    assert.equal(back.message, err.message);
  }
});

test('NO_LEADER carries the known leader and its address', () => {
  const back = fromGrpcError(toGrpcStatus(new NoLeaderError('forwarding failed', 'n2', '10.0.0.2:7101')));
  assert.ok(back instanceof NoLeaderError);
  assert.equal(back.leader, 'n2');
  assert.equal(back.leaderAddress, '10.0.0.2:7101');
});

test('foreign errors become INTERNAL; bare gRPC failures are classified by status code', () => {
  assert.equal(toGrpcStatus(new Error('boom')).code, GrpcStatus.INTERNAL);
  assert.ok(
    fromGrpcError({ code: GrpcStatus.UNAVAILABLE, details: 'connect ECONNREFUSED', metadata: new Metadata() }) instanceof UnavailableError,
  );
  assert.ok(fromGrpcError({ code: GrpcStatus.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }) instanceof TimeoutError);
});
