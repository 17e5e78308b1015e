// The typed client against scripted servers: endpoints in turn, the same request id on every
// retry of a write (so the cluster applies it once), redirects, typed errors, watch resume.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect } from '../../src/client/connect.js';
import { parseEndpoints } from '../../src/client/endpoints.js';
import { InvalidEndpointError, MalformedResponseError } from '../../src/client/errors.js';
import { transportDetail } from '../../src/client/failover.js';
import { NoLeaderError, NotFoundError, TimeoutError, UnavailableError, LEADER_ADDRESS_METADATA_KEY } from '../../src/errors.js';
import type { WatchEvent } from '../../src/client/types.js';
import { grpcError, startFake, type FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});
async function fake(handlers: Parameters<typeof startFake>[0]): Promise<FakeServer> {
  const s = await startFake(handlers);
  servers.push(s);
  return s;
}
/** A loopback address that refuses connections: a server started and stopped. */
async function deadAddress(): Promise<string> {
  const s = await startFake({});
  await s.stop();
  return s.address;
}

type Cb = grpc.sendUnaryData<unknown>;
const kvOk = (revision: number) => ({ revision: String(revision), duplicate: false });

describe('endpoints', () => {
  test('comma lists, arrays, de-duplication, IPv6', () => {
    assert.deepEqual(parseEndpoints('a:1, b:2,a:1'), ['a:1', 'b:2']);
    assert.deepEqual(parseEndpoints(['[::1]:7101', 'c:3']), ['[::1]:7101', 'c:3']);
  });
  test('bad endpoints are an InvalidEndpointError (code INVALID_ARGUMENT)', () => {
    assert.throws(() => parseEndpoints(''), InvalidEndpointError);
    assert.throws(() => parseEndpoints('host'), /"host" is not HOST:PORT/);
    assert.throws(() => parseEndpoints('h:70000'), /port 70000/);
    assert.equal(new InvalidEndpointError('x').code, 'INVALID_ARGUMENT');
  });
  test('transport details are reduced to their cause', () => {
    assert.equal(
      transportDetail('No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:7. Resolution note: '),
      'connect ECONNREFUSED 127.0.0.1:7',
    );
  });
});

describe('failover and retries', () => {
  test('a dead endpoint is skipped; the next one answers', async () => {
    const live = await fake({ KvPut: (_c: unknown, cb: Cb) => cb(null, kvOk(7)) });
    const client = connect([await deadAddress(), live.address], { timeoutMs: 3000 });
    try {
      assert.deepEqual(await client.kv.put('k', 'v'), { revision: 7, duplicate: false });
    } finally {
      client.close();
    }
  });

  test('a retried write carries the same (clientId, requestId); a new write gets a new id', async () => {
    let n = 0;
    const a = await fake({
      KvPut: (_c: unknown, cb: Cb) => (n++ === 0 ? cb(grpcError(new NoLeaderError('election')), null) : cb(null, kvOk(n))),
    });
    const client = connect([a.address], { timeoutMs: 3000, clientId: 'c-1' });
    try {
      await client.kv.put('k', 'v1');
      await client.kv.put('k', 'v2');
    } finally {
      client.close();
    }
    const ids = a.calls
      .filter((c) => c.method === 'KvPut')
      .map((c) => (c.request as { request: { clientId: string; requestId: string } }).request);
    assert.equal(ids.length, 3);
    assert.deepEqual(ids[0], ids[1], 'the retry reuses the id');
    assert.equal(ids[0].clientId, 'c-1');
    assert.notEqual(ids[2].requestId, ids[1].requestId, 'a new logical write gets a new id');
  });

  test('an attempt that hangs past its deadline is retried elsewhere with the same id', async () => {
    const slow = await fake({ KvDelete: () => undefined /* never answers */ });
    const fast = await fake({ KvDelete: (_c: unknown, cb: Cb) => cb(null, { deleted: true, revision: '9', duplicate: true }) });
    const client = connect([slow.address, fast.address], { timeoutMs: 3000, attemptTimeoutMs: 200 });
    try {
      assert.deepEqual(await client.kv.delete('k'), { deleted: true, revision: 9, duplicate: true });
    } finally {
      client.close();
    }
    const slowReq = slow.calls.find((c) => c.method === 'KvDelete')!.request as { request: unknown };
    const fastReq = fast.calls.find((c) => c.method === 'KvDelete')!.request as { request: unknown };
    assert.deepEqual(slowReq.request, fastReq.request);
  });

  test('a follower naming the leader address redirects the client there', async () => {
    const leader = await fake({ TransferLeadership: (_c: unknown, cb: Cb) => cb(null, { leader: 'n2', term: '5' }) });
    const follower = await fake({
      TransferLeadership: (_c: unknown, cb: Cb) => {
        const e = grpcError(new NoLeaderError('not the leader', 'n1', leader.address));
        cb(e, null);
      },
    });
    const client = connect(follower.address, { timeoutMs: 3000 });
    try {
      assert.deepEqual(await client.transfer('n2'), { leader: 'n2', term: 5 });
    } finally {
      client.close();
    }
    assert.equal(leader.calls.length, 1);
    assert.ok(grpcError(new NoLeaderError('x', 'n1', 'h:1')).metadata?.get(LEADER_ADDRESS_METADATA_KEY).length);
  });
});

describe('typed errors', () => {
  test('NOT_FOUND is final: no retry, a NotFoundError', async () => {
    const s = await fake({ MemberRemove: (_c: unknown, cb: Cb) => cb(grpcError(new NotFoundError('no member n9')), null) });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      await assert.rejects(client.members.remove('n9'), (e: unknown) => e instanceof NotFoundError && e.message === 'no member n9');
    } finally {
      client.close();
    }
    assert.equal(s.calls.length, 1);
  });

  test('no leader anywhere: NoLeaderError once the budget is spent', async () => {
    const s = await fake({ KvGet: (_c: unknown, cb: Cb) => cb(grpcError(new NoLeaderError('election in progress')), null) });
    const client = connect(s.address, { timeoutMs: 400 });
    const started = Date.now();
    try {
      await assert.rejects(client.kv.get('k'), (e: unknown) => e instanceof NoLeaderError && e.code === 'NO_LEADER');
    } finally {
      client.close();
    }
    assert.ok(Date.now() - started < 2000);
    assert.ok(s.calls.length >= 2, 'retried while the budget lasted');
  });

  test('nothing reachable: UnavailableError (code UNREACHABLE) quickly', async () => {
    const client = connect([await deadAddress(), await deadAddress()], { timeoutMs: 10_000 });
    const started = Date.now();
    try {
      await assert.rejects(client.status(), (e: unknown) => e instanceof UnavailableError && e.code === 'UNREACHABLE');
    } finally {
      client.close();
    }
    assert.ok(Date.now() - started < 3000, 'gives up after a few rounds, not the whole budget');
  });

  test('a hung node and nothing else: TimeoutError', async () => {
    const s = await fake({ KvList: () => undefined });
    const client = connect(s.address, { timeoutMs: 300 });
    try {
      await assert.rejects(client.kv.list('a/'), (e: unknown) => e instanceof TimeoutError && e.code === 'TIMEOUT');
    } finally {
      client.close();
    }
  });

  test('revisions above 2^53-1 are refused, not rounded', async () => {
    const s = await fake({ KvPut: (_c: unknown, cb: Cb) => cb(null, { revision: '9007199254740993', duplicate: false }) });
    const client = connect(s.address, { timeoutMs: 1000 });
    try {
      await assert.rejects(client.kv.put('k', 'v'), MalformedResponseError);
    } finally {
      client.close();
    }
  });
});

describe('reads', () => {
  test('get: found and missing; list; members; status converted to numbers', async () => {
    const kv = { key: 'a', value: 'x', createRevision: '2', modRevision: '3', version: '2' };
    const s = await fake({
      KvGet: (c: { request: { key: string; serializable: boolean } }, cb: Cb) =>
        cb(null, c.request.key === 'a' ? { found: true, kv, revision: '4' } : { found: false, kv: null, revision: '4' }),
      KvList: (_c: unknown, cb: Cb) => cb(null, { kvs: [kv], revision: '4', more: false }),
      MemberList: (_c: unknown, cb: Cb) => cb(null, { members: [{ id: 'n1', address: 'h:1', voter: true }] }),
      Status: (_c: unknown, cb: Cb) =>
        cb(null, {
          cluster: 'c',
          nodeId: 'n1',
          leader: 'n1',
          term: '2',
          commitIndex: '10',
          appliedIndex: '10',
          version: 'v',
          members: [
            { id: 'n1', address: 'h:1', role: 'leader', voter: true, reachable: true, lastContactMs: '-1', matchIndex: '10', lag: '0' },
          ],
        }),
    });
    const client = connect(s.address, { timeoutMs: 1000 });
    try {
      assert.deepEqual(await client.kv.get('a', { serializable: true }), {
        kv: { key: 'a', value: 'x', createRevision: 2, modRevision: 3, version: 2 },
        revision: 4,
      });
      assert.equal((s.calls[0].request as { serializable: boolean }).serializable, true);
      assert.deepEqual(await client.kv.get('zz'), { kv: undefined, revision: 4 });
      assert.equal((await client.kv.list('')).kvs.length, 1);
      assert.deepEqual(await client.members.list(), [{ id: 'n1', address: 'h:1', voter: true }]);
      const st = await client.status();
      assert.equal(st.term, 2);
      assert.equal(st.members[0].lastContactMs, undefined);
      assert.equal(st.members[0].matchIndex, 10);
    } finally {
      client.close();
    }
  });
});

describe('watch', () => {
  const ev = (rev: number, type = 'put') => ({
    type,
    kv: { key: `k${rev}`, value: `v${rev}`, createRevision: String(rev), modRevision: String(rev), version: '1' },
    revision: String(rev),
  });

  test('events in order; on a node failure it resumes elsewhere from the next revision', async () => {
    const a = await fake({
      KvWatch: (call: grpc.ServerWritableStream<{ fromRevision: string }, unknown>) => {
        call.write(ev(1));
        call.write(ev(2, 'delete'));
        // grpc-js ends a server stream with a status through emit('error'), not destroy().
        setTimeout(() => call.emit('error', grpcError(new NoLeaderError('stopping'))), 20);
      },
    });
    const b = await fake({
      KvWatch: (call: grpc.ServerWritableStream<{ fromRevision: string }, unknown>) => {
        call.write(ev(Number(call.request.fromRevision)));
      },
    });
    const client = connect([a.address, b.address], { timeoutMs: 2000 });
    const watcher = client.kv.watch('k', { fromRevision: 1 });
    const got: WatchEvent[] = [];
    try {
      for await (const e of watcher) {
        got.push(e);
        if (got.length === 3) watcher.cancel();
      }
    } finally {
      client.close();
    }
    assert.deepEqual(
      got.map((e) => [e.type, e.revision, e.kv.key]),
      [
        ['put', 1, 'k1'],
        ['delete', 2, 'k2'],
        ['put', 3, 'k3'],
      ],
    );
    assert.equal((a.calls[0].request as { fromRevision: string }).fromRevision, '1');
    assert.equal((b.calls[0].request as { fromRevision: string }).fromRevision, '3');
  });

  test('a node that stops (cancelling its streams) is not the end: the watch resumes on the next endpoint', async () => {
    let wrote = false;
    const a = await fake({
      KvWatch: (call: grpc.ServerWritableStream<{ fromRevision: string }, unknown>) => {
        call.write(ev(1));
        wrote = true;
      },
    });
    const b = await fake({
      KvWatch: (call: grpc.ServerWritableStream<{ fromRevision: string }, unknown>) => {
        call.write(ev(Number(call.request.fromRevision)));
      },
    });
    const client = connect([a.address, b.address], { timeoutMs: 2000 });
    const got: number[] = [];
    try {
      const watcher = client.kv.watch('k', { fromRevision: 1 });
      for await (const e of watcher) {
        got.push(e.revision);
        if (got.length === 1) await a.stop(); // forceShutdown: the client sees CANCELLED
        if (got.length === 2) break;
      }
    } finally {
      client.close();
    }
    assert.ok(wrote);
    assert.deepEqual(got, [1, 2]);
    assert.equal((b.calls[0].request as { fromRevision: string }).fromRevision, '2');
  });

  test('break out of for-await cancels the stream', async () => {
    const s = await fake({
      KvWatch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        call.write(ev(1));
      },
    });
    const client = connect(s.address, { timeoutMs: 1000 });
    try {
      for await (const e of client.kv.watch('')) {
        assert.equal(e.revision, 1);
        break;
      }
    } finally {
      client.close();
    }
  });

  test('a final error ends the iteration with the typed error', async () => {
    const s = await fake({
      KvWatch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        call.emit('error', grpcError(new NotFoundError('gone')));
      },
    });
    const client = connect(s.address, { timeoutMs: 1000 });
    try {
      await assert.rejects(async () => {
        for await (const _ of client.kv.watch('')) void _;
      }, NotFoundError);
    } finally {
      client.close();
    }
  });
});

describe('writes on the KvWrite stream', () => {
  type WriteReq = { seq: number; op: 'put' | 'delete' | 'cas'; put?: { key: string; request: { clientId: string; requestId: string } } };
  type Duplex = grpc.ServerDuplexStream<WriteReq, unknown>;
  /** A KvWrite handler that answers each item with `answer(item)` (undefined: never answers). */
  const streamOf =
    (seen: WriteReq[], answer: (r: WriteReq) => object | undefined) =>
    (call: Duplex): void => {
      call.on('data', (r: WriteReq) => {
        seen.push(r);
        const a = answer(r);
        if (a !== undefined) call.write({ seq: r.seq, ...a });
      });
      call.on('end', () => call.end());
    };

  test('many writes in flight share one stream, answered out of order, and no unary call is made', async () => {
    const seen: WriteReq[] = [];
    const held: { call: Duplex; r: WriteReq }[] = [];
    const s = await fake({
      KvWrite: (call: Duplex) => {
        call.on('data', (r: WriteReq) => {
          seen.push(r);
          held.push({ call, r });
          // Answer the whole burst once it is here, last first.
          if (held.length === 5)
            for (const h of held.reverse()) h.call.write({ seq: h.r.seq, put: kvOk(Number(h.r.put!.request.requestId)) });
        });
        call.on('end', () => call.end());
      },
    });
    const client = connect(s.address, { timeoutMs: 3000, clientId: 'c-9' });
    try {
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => client.kv.put(`k${i}`, 'v')));
      // Each caller got its own answer: revision = its request id, in call order.
      assert.deepEqual(
        results.map((r) => r.revision),
        [1, 2, 3, 4, 5],
      );
    } finally {
      client.close();
    }
    assert.deepEqual(
      s.calls.map((c) => c.method),
      ['KvWrite'],
    );
    assert.equal(new Set(seen.map((r) => r.seq)).size, 5, 'distinct seqs');
    assert.ok(seen.every((r) => r.op === 'put' && r.put!.request.clientId === 'c-9'));
  });

  test('an item refused with something a retry can fix goes to the unary call with the same request id', async () => {
    const seen: WriteReq[] = [];
    const s = await fake({
      KvWrite: streamOf(seen, () => ({
        error: { code: grpc.status.UNAVAILABLE, message: 'election', reason: 'NO_LEADER', leaderId: '', leaderAddress: '' },
      })),
      KvPut: (_c: unknown, cb: Cb) => cb(null, kvOk(11)),
    });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      assert.deepEqual(await client.kv.put('k', 'v'), { revision: 11, duplicate: false });
    } finally {
      client.close();
    }
    const unary = s.calls.find((c) => c.method === 'KvPut')!.request as { request: unknown };
    assert.deepEqual(unary.request, seen[0].put!.request);
  });

  test('a final refusal on the stream is the typed error, without a retry', async () => {
    const s = await fake({
      KvWrite: streamOf([], () => ({
        error: { code: grpc.status.NOT_FOUND, message: 'gone', reason: 'NOT_FOUND', leaderId: '', leaderAddress: '' },
      })),
      KvPut: (_c: unknown, cb: Cb) => cb(null, kvOk(1)),
    });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      await assert.rejects(client.kv.put('k', 'v'), NotFoundError);
    } finally {
      client.close();
    }
    assert.equal(s.calls.filter((c) => c.method === 'KvPut').length, 0);
  });

  test('an item never answered is retried as a unary call once the attempt time is spent; the hung stream is cancelled', async () => {
    const seen: WriteReq[] = [];
    let cancelled!: () => void;
    const streamGone = new Promise<void>((resolve) => (cancelled = resolve));
    const s = await fake({
      // A hung node: reads, never answers, never ends its side (not even after the client's).
      KvWrite: (call: Duplex) => {
        call.on('cancelled', cancelled);
        call.on('data', (r: WriteReq) => seen.push(r));
      },
      KvPut: (_c: unknown, cb: Cb) => cb(null, kvOk(3)),
    });
    const client = connect(s.address, { timeoutMs: 3000, attemptTimeoutMs: 150 });
    try {
      assert.deepEqual(await client.kv.put('k', 'v'), { revision: 3, duplicate: false });
      // Not left open waiting for a node that does not answer (it would keep the process alive).
      await Promise.race([
        streamGone,
        new Promise((_r, reject) => setTimeout(() => reject(new Error('the hung stream was not cancelled within 5 s')), 5000).unref()),
      ]);
    } finally {
      client.close();
    }
    const unary = s.calls.find((c) => c.method === 'KvPut')!.request as { request: unknown };
    assert.deepEqual(unary.request, seen[0].put!.request);
  });

  test('a stream that breaks with writes in flight: each is retried once, as a unary call with its id', async () => {
    const seen: WriteReq[] = [];
    const s = await fake({
      KvWrite: (call: Duplex) => {
        call.on('data', (r: WriteReq) => {
          seen.push(r);
          if (seen.length === 3) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'node stopping' });
        });
      },
      KvPut: (c: { request: { request: { requestId: string } } }, cb: Cb) => cb(null, kvOk(100 + Number(c.request.request.requestId))),
    });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      const results = await Promise.all([1, 2, 3].map((i) => client.kv.put(`k${i}`, 'v')));
      assert.deepEqual(
        results.map((r) => r.revision),
        [101, 102, 103],
      );
    } finally {
      client.close();
    }
    const unaryIds = s.calls
      .filter((c) => c.method === 'KvPut')
      .map((c) => (c.request as { request: { requestId: string } }).request.requestId);
    assert.deepEqual(unaryIds.sort(), seen.map((r) => r.put!.request.requestId).sort());
  });
});
