// The client's lock and release on the KvWrite stream, against scripted servers: a grant and a
// release there make no unary call; a node that predates these items (it answers them
// INVALID_ARGUMENT on the stream) and a stream answer "not granted" (held too long) both fall
// back to the unary Acquire / Release, which decide.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect } from '../../src/client/connect.js';
import { startFake, type FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

type Cb = grpc.sendUnaryData<unknown>;
type Item = { seq: number; op: string; acquire?: { name: string; wait: boolean }; release?: { name: string } };
type Duplex = grpc.ServerDuplexStream<Item, unknown>;

const created = (_c: unknown, cb: Cb) => cb(null, { sessionId: '17', ttlMs: 10_000, duplicate: false });
const ok = (_c: unknown, cb: Cb) => cb(null, {});

/** A KvWrite handler that answers each item with `answer(item)`. */
const streamOf =
  (answer: (r: Item) => object) =>
  (call: Duplex): void => {
    call.on('data', (r: Item) => call.write({ seq: r.seq, ...answer(r) }));
    call.on('end', () => call.end());
  };

async function lockAndRelease(handlers: Parameters<typeof startFake>[0]): Promise<{ token: number; methods: string[] }> {
  const s = await startFake({ SessionCreate: created, SessionKeepAlive: ok, SessionClose: ok, ...handlers });
  servers.push(s);
  const client = connect(s.address, { timeoutMs: 3000 });
  try {
    const session = await client.session({ ttlMs: 10_000 });
    const grant = await session.lock('jobs');
    await grant.release();
    await session.close();
    return { token: grant.token, methods: s.calls.map((c) => c.method).filter((m) => m !== 'SessionKeepAlive') };
  } finally {
    client.close();
  }
}

test('a grant and a release on the stream make no unary Acquire or Release', async () => {
  const items: Item[] = [];
  const r = await lockAndRelease({
    KvWrite: streamOf((item) => {
      items.push(item);
      return item.op === 'acquire' ? { acquire: { granted: true, token: '33', position: 0 } } : { release: { released: true } };
    }),
  });
  assert.equal(r.token, 33);
  assert.deepEqual(r.methods, ['SessionCreate', 'KvWrite', 'SessionClose']);
  assert.deepEqual(
    items.map((i) => [i.op, i.acquire?.name ?? i.release?.name, i.acquire?.wait]),
    [
      ['acquire', 'jobs', true],
      ['release', 'jobs', undefined],
    ],
  );
});

test('a node that does not know the items (INVALID_ARGUMENT on the stream): the unary calls decide', async () => {
  const refused = { error: { code: grpc.status.INVALID_ARGUMENT, message: 'KvWrite: the request names no operation', reason: '' } };
  const r = await lockAndRelease({
    KvWrite: streamOf(() => refused),
    Acquire: (_c: unknown, cb: Cb) => cb(null, { granted: true, token: '34', position: 0 }),
    Release: (_c: unknown, cb: Cb) => cb(null, { released: true }),
  });
  assert.equal(r.token, 34);
  assert.deepEqual(r.methods, ['SessionCreate', 'KvWrite', 'Acquire', 'Release', 'SessionClose']);
});

test('"not granted" on the stream (held too long): the unary Acquire waits on', async () => {
  const r = await lockAndRelease({
    KvWrite: streamOf((item) =>
      item.op === 'acquire' ? { acquire: { granted: false, token: '0', position: 0 } } : { release: { released: true } },
    ),
    Acquire: (_c: unknown, cb: Cb) => cb(null, { granted: true, token: '35', position: 0 }),
  });
  assert.equal(r.token, 35);
  assert.deepEqual(r.methods, ['SessionCreate', 'KvWrite', 'Acquire', 'SessionClose']);
});
