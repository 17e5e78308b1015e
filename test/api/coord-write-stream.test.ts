// Acquire and Release on the KvWrite stream (src/api/write-stream.ts) over a fake
// CoordinationPort: answered as the unary calls are (a grant with its token, a release, a bad
// request as that item's INVALID_ARGUMENT while the stream goes on); a waiting acquire ends when
// the stream is cancelled, and one held longer than the stream holds a wait is answered not granted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentials, status as GrpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import type { AcquireCall, CoordinationPort } from '../../src/api/coordination-port.js';
import { acquireItem } from '../../src/api/write-stream.js';
import { loadClientProto } from '../../src/transport/client-proto.js';
import type { KvWriteRequest } from '../../src/transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse__Output } from '../../src/transport/generated/palisade/v1/KvWriteResponse.js';
import { waitUntil } from '../server/helpers.js';
import { fakePort, serveDuringTests } from './serve-port.js';

const seen = { acquires: [] as AcquireCall[], released: [] as string[], waiting: 0, aborted: 0 };

const notUsed = (): never => {
  throw new Error('not used');
};

const coordination: CoordinationPort = {
  createSession: notUsed,
  keepAlive: notUsed,
  closeSession: notUsed,
  sessions: () => [],
  acquire: (req, signal) => {
    seen.acquires.push(req);
    if (req.name === 'free') return Promise.resolve({ granted: true, token: 41 });
    seen.waiting++;
    return new Promise((_resolve, reject) =>
      signal.addEventListener('abort', () => {
        seen.waiting--;
        seen.aborted++;
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      }),
    );
  },
  release: async (name, session) => {
    seen.released.push(`${name}/${session}`);
    return { released: true };
  },
  proclaim: notUsed,
  queues: () => [],
  observe: notUsed,
};

const port = fakePort({ coordination });
const address = serveDuringTests(port);

type Stream = ClientDuplexStream<KvWriteRequest, KvWriteResponse__Output>;

function open(): { call: Stream; answers: KvWriteResponse__Output[]; close: () => void } {
  const { Palisade } = loadClientProto().palisade.v1;
  const stub = new Palisade(address(), credentials.createInsecure());
  const call = stub.KvWrite() as Stream;
  const answers: KvWriteResponse__Output[] = [];
  call.on('data', (r: KvWriteResponse__Output) => answers.push(r));
  call.on('error', () => {});
  return { call, answers, close: () => stub.close() };
}

const acquire = (name: string) => ({ name, sessionId: '12', kind: 'lock', limit: 1, value: '', wait: true });

test('acquire and release on the stream answer as the unary calls; a bad item fails alone', async () => {
  const s = open();
  try {
    s.call.write({ seq: 1, acquire: acquire('free') });
    s.call.write({ seq: 2, acquire: { ...acquire('free'), kind: 'mutex' } });
    s.call.write({ seq: 3, release: { name: 'free', sessionId: '12' } });
    await waitUntil('three answers', () => s.answers.length === 3);
    const bySeq = new Map(s.answers.map((a) => [a.seq, a]));
    assert.equal(bySeq.get(1)!.result, 'acquire');
    assert.deepEqual(bySeq.get(1)!.acquire, { granted: true, token: '41', position: 0 });
    assert.equal(bySeq.get(2)!.result, 'error');
    assert.equal(bySeq.get(2)!.error!.code, GrpcStatus.INVALID_ARGUMENT);
    assert.equal(bySeq.get(3)!.result, 'release');
    assert.deepEqual(bySeq.get(3)!.release, { released: true });
    assert.deepEqual(seen.released, ['free/12']);
    assert.equal(seen.acquires.at(-1)!.wait, true);
  } finally {
    s.call.cancel();
    s.close();
  }
});

test('a waiting acquire ends on the node when its stream is cancelled', { timeout: 10_000 }, async () => {
  const s = open();
  const before = seen.aborted;
  try {
    s.call.write({ seq: 1, acquire: acquire('busy') });
    await waitUntil('the node waits', () => seen.waiting > 0);
    s.call.cancel();
    await waitUntil('the wait aborted', () => seen.aborted > before && seen.waiting === 0);
  } finally {
    s.close();
  }
});

test('a waiting acquire is answered not granted once held for the hold time, and its wait ends', { timeout: 10_000 }, async () => {
  const before = seen.aborted;
  const waits = new Set<AbortController>();
  const answer = await acquireItem(port, acquire('busy'), waits, 50);
  assert.deepEqual(answer, { granted: false, token: '0', position: 0 });
  assert.equal(seen.aborted, before + 1);
  assert.equal(waits.size, 0);
});
