// A membership change has no request id, so the client cannot have a retry recognised as one.
// For `remove`, "absent" is what the caller asked for: after an attempt that may have taken
// effect (timed out, connection lost mid-call), the leader's NOT_FOUND means the removal is done.
// Scripted servers stand in for the cluster (test/client/fake-server.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect } from '../../src/client/connect.js';
import { mayHaveTakenEffect } from '../../src/client/failover.js';
import { NoLeaderError, NotFoundError, ShuttingDownError, toGrpcStatus } from '../../src/errors.js';
import { grpcError, startFake, type FakeServer } from '../client/fake-server.js';

type Cb = grpc.sendUnaryData<unknown>;
const servers: FakeServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});
async function fake(handlers: Parameters<typeof startFake>[0]): Promise<FakeServer> {
  const s = await startFake(handlers);
  servers.push(s);
  return s;
}
const remaining = {
  members: [
    { id: 'n1', address: 'h:1', voter: true },
    { id: 'n2', address: 'h:2', voter: true },
  ],
};

describe('members.remove retried', () => {
  test('the first attempt timed out, the retry finds the member gone: success (index 0, the current members)', async () => {
    // The first leader applies the removal but its answer never arrives in time.
    const slow = await fake({ MemberRemove: () => {} });
    const leader = await fake({
      MemberRemove: (_c: unknown, cb: Cb) => cb(grpcError(new NotFoundError('member n3 is not in the cluster')), null),
      MemberList: (_c: unknown, cb: Cb) => cb(null, remaining),
    });
    const client = connect([slow.address, leader.address], { timeoutMs: 3000, attemptTimeoutMs: 300 });
    try {
      const r = await client.members.remove('n3');
      assert.deepEqual(r, {
        members: [
          { id: 'n1', address: 'h:1', voter: true },
          { id: 'n2', address: 'h:2', voter: true },
        ],
        index: 0,
      });
      assert.deepEqual(
        leader.calls.map((x) => x.method),
        ['MemberRemove', 'MemberList'],
      );
      assert.deepEqual(leader.calls[1].request, { serializable: false }, 'a linearizable member list');
    } finally {
      client.close();
    }
  });

  test('NOT_FOUND with no earlier attempt that could have removed it stays NOT_FOUND (unknown member: exit 5)', async () => {
    const follower = await fake({ MemberRemove: (_c: unknown, cb: Cb) => cb(grpcError(new NoLeaderError('not the leader')), null) });
    const leader = await fake({
      MemberRemove: (_c: unknown, cb: Cb) => cb(grpcError(new NotFoundError('member n9 is not in the cluster')), null),
    });
    const client = connect([follower.address, leader.address], { timeoutMs: 3000 });
    try {
      await assert.rejects(client.members.remove('n9'), (e: unknown) => e instanceof NotFoundError && /n9/.test(e.message));
      assert.deepEqual(
        leader.calls.map((x) => x.method),
        ['MemberRemove'],
        'no member list asked for',
      );
    } finally {
      client.close();
    }
  });
});

test('mayHaveTakenEffect: timeouts, a stopping node and a broken call may have; a refused connection or a redirect did not', () => {
  const svc = (s: Partial<grpc.ServiceError>) =>
    Object.assign(new Error(s.details ?? ''), { metadata: new grpc.Metadata(), ...s }) as grpc.ServiceError;
  const fromOurs = (e: Parameters<typeof toGrpcStatus>[0]) => svc(toGrpcStatus(e));
  assert.equal(mayHaveTakenEffect(svc({ code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' })), true);
  assert.equal(mayHaveTakenEffect(fromOurs(new ShuttingDownError('n1'))), true);
  assert.equal(mayHaveTakenEffect(svc({ code: grpc.status.UNAVAILABLE, details: 'Connection dropped' })), true);
  assert.equal(
    mayHaveTakenEffect(svc({ code: grpc.status.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED' })),
    false,
  );
  assert.equal(mayHaveTakenEffect(fromOurs(new NoLeaderError('not the leader', 'n1', 'h:1'))), false);
  assert.equal(mayHaveTakenEffect(fromOurs(new NotFoundError('gone'))), false);
  assert.equal(mayHaveTakenEffect(new Error('not a grpc error')), false);
});
