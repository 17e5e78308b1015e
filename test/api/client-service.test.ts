// The client service against a fake NodePort: wire checks and error mapping at the edge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { NodeStatus } from '../../src/api/node-port.js';
import { NoLeaderError, TimeoutError } from '../../src/errors.js';
import { call, errorCode, rawClient } from '../server/helpers.js';
import { fakePort, serveDuringTests } from './serve-port.js';

const status: NodeStatus = { id: 'n1', cluster: 'c', leader: '', term: 3, commitIndex: 9, appliedIndex: 9, role: 'follower', members: [] };
const writes: unknown[] = [];
const fake = fakePort({
  status: () => status,
  write: async (cmd) => {
    writes.push(cmd);
    if (cmd.key === 'slow') throw new TimeoutError('not applied in time');
    throw new NoLeaderError('no leader known', 'n2', '127.0.0.1:7102');
  },
});

const address = serveDuringTests(fake);

test('garbage bytes instead of a request get INVALID_ARGUMENT, not INTERNAL', async () => {
  const client = new Client(address(), credentials.createInsecure());
  const err = await new Promise<ServiceError>((resolve) =>
    client.makeUnaryRequest(
      '/palisade.v1.Palisade/KvPut',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
      (e) => resolve(e!),
    ),
  );
  client.close();
  assert.equal(err.code, GrpcStatus.INVALID_ARGUMENT);
});

test('NO_LEADER answers carry the known leader in trailing metadata', async () => {
  await assert.rejects(call(rawClient(address()), 'KvPut', { key: 'k', value: 'v' }), (err: unknown) => {
    assert.deepEqual(errorCode(err), { code: GrpcStatus.UNAVAILABLE, reason: 'NO_LEADER' });
    const md = (err as ServiceError).metadata;
    assert.equal(md.get('palisade-leader-id')[0], 'n2');
    assert.equal(md.get('palisade-leader')[0], '127.0.0.1:7102');
    return true;
  });
});

test('a write not applied in time is DEADLINE_EXCEEDED; the request id reaches the node unchanged', async () => {
  const req = { key: 'slow', value: 'v', request: { clientId: 'c1', requestId: '42' } };
  await assert.rejects(call(rawClient(address()), 'KvPut', req), (err: unknown) => errorCode(err).code === GrpcStatus.DEADLINE_EXCEEDED);
  assert.deepEqual(writes.at(-1), { type: 'put', key: 'slow', value: 'v', request: { clientId: 'c1', requestId: '42' } });
});

test('Status converts 64-bit fields to decimal strings', async () => {
  const st = await call<{ term: string; commitIndex: string; nodeId: string }>(rawClient(address()), 'Status', {});
  assert.equal(st.term, '3');
  assert.equal(st.commitIndex, '9');
  assert.equal(st.nodeId, 'n1');
});
