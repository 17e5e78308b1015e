// The KvWrite stream against a fake NodePort: items answered as their writes complete (out of
// order), per-item errors as the status the unary call would have had, the stream ended only
// after every item is answered, and garbage ends the stream with INVALID_ARGUMENT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, credentials, status as GrpcStatus, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { WriteResult } from '../../src/api/node-port.js';
import { NoLeaderError } from '../../src/errors.js';
import { loadClientProto } from '../../src/transport/client-proto.js';
import type { KvWriteRequest } from '../../src/transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse__Output } from '../../src/transport/generated/palisade/v1/KvWriteResponse.js';
import { fakePort, serveDuringTests } from './serve-port.js';

/** Writes to key "wait-N" complete after the write to "go" arrives, in reverse order. */
const parked: (() => void)[] = [];
const fake = fakePort({
  write: (cmd): Promise<WriteResult> => {
    if (cmd.key === 'no-leader') return Promise.reject(new NoLeaderError('no leader known', 'n2', '127.0.0.1:7102'));
    const revision = Number(cmd.key.split('-')[1] ?? 0);
    const result: WriteResult = { outcome: { type: 'put', revision }, duplicate: false };
    if (cmd.key === 'go') {
      for (const release of parked.splice(0).reverse()) release();
      return Promise.resolve(result);
    }
    return new Promise((resolve) => parked.push(() => resolve(result)));
  },
});

const address = serveDuringTests(fake);

type Stream = ClientDuplexStream<KvWriteRequest, KvWriteResponse__Output>;

/** Sends `items`, half-closes, and collects every answer until the server ends the stream. */
async function exchange(items: KvWriteRequest[]): Promise<KvWriteResponse__Output[]> {
  const { Palisade } = loadClientProto().palisade.v1;
  const stub = new Palisade(address(), credentials.createInsecure());
  const call = stub.KvWrite() as Stream;
  const answers: KvWriteResponse__Output[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (r: KvWriteResponse__Output) => answers.push(r));
    call.on('end', resolve);
    call.on('error', reject);
  });
  for (const item of items) call.write(item);
  call.end();
  try {
    await done;
  } finally {
    stub.close();
  }
  return answers;
}

test('items are answered as their writes complete, matched by seq; the stream ends after the last', async () => {
  const req = (seq: number, key: string) => ({ seq, put: { key, value: 'v', request: { clientId: 'c', requestId: String(seq) } } });
  const answers = await exchange([req(1, 'wait-1'), req(2, 'wait-2'), req(3, 'go')]);
  const bySeq = new Map(answers.map((a) => [a.seq, [a.result, a.put?.revision]]));
  assert.equal(answers.length, 3);
  assert.deepEqual(bySeq.get(1), ['put', '1']);
  assert.deepEqual(bySeq.get(2), ['put', '2']);
  assert.deepEqual(bySeq.get(3), ['put', '0']);
  assert.ok(
    answers.findIndex((a) => a.seq === 2) < answers.findIndex((a) => a.seq === 1),
    'the later write, released first, is answered first',
  );
});

test('an item error is the status the unary call would end with; other items are unaffected', async () => {
  const answers = await exchange([
    { seq: 7, put: { key: 'no-leader', value: 'v' } },
    { seq: 8, put: { key: '', value: 'v' } },
    { seq: 9 },
    { seq: 10, delete: { key: 'go' } },
  ]);
  const bySeq = new Map(answers.map((a) => [a.seq, a]));
  const { message, ...status } = bySeq.get(7)!.error!;
  assert.deepEqual(status, { code: GrpcStatus.UNAVAILABLE, reason: 'NO_LEADER', leaderId: 'n2', leaderAddress: '127.0.0.1:7102' });
  assert.match(message, /no leader known/);
  assert.equal(bySeq.get(8)!.error!.code, GrpcStatus.INVALID_ARGUMENT);
  assert.match(bySeq.get(8)!.error!.message, /key is empty/);
  assert.equal(bySeq.get(9)!.error!.code, GrpcStatus.INVALID_ARGUMENT, 'an item without an operation');
  assert.equal(bySeq.get(10)!.result, 'delete');
});

test('bytes that are not a KvWriteRequest end the stream with INVALID_ARGUMENT', async () => {
  const client = new Client(address(), credentials.createInsecure());
  const call = client.makeBidiStreamRequest(
    '/palisade.v1.Palisade/KvWrite',
    (b: Buffer) => b,
    (b: Buffer) => b,
  );
  const err = await new Promise<ServiceError>((resolve) => {
    call.on('error', resolve);
    call.on('data', () => {});
    call.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  });
  client.close();
  assert.equal(err.code, GrpcStatus.INVALID_ARGUMENT);
});
