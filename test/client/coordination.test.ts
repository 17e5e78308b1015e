// The client's coordination against scripted servers: the keep-alive loop (cadence, leader hints,
// the moment a session is given up), acquire (wait, re-issue, abort, the no-phantom check),
// observe across a failover, the KV options and the lists. Real nodes: coordination-cluster.test.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect } from '../../src/client/connect.js';
import { waitForGrant, type WaitingSession } from '../../src/client/acquire.js';
import { ClientCalls } from '../../src/client/calls.js';
import { EndpointPool } from '../../src/client/pool.js';
import { guaranteedValidityMs, DEFAULT_DRIFT_BOUND, DEFAULT_MARGIN_MS } from '../../src/client/session-clock.js';
import type { LeaderChange } from '../../src/client/coordination-types.js';
import {
  InvalidArgumentError,
  NoLeaderError,
  NotHolderError,
  QueueMismatchError,
  SessionLostError,
  SessionNotFoundError,
  StaleFencingTokenError,
} from '../../src/errors.js';
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

type Cb = grpc.sendUnaryData<unknown>;
type Call<R = Record<string, unknown>> = grpc.ServerUnaryCall<R, unknown>;

async function waitFor<T>(what: string, check: () => T, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const created = (sessionId: string, ttlMs: number) => (_c: Call, cb: Cb) => cb(null, { sessionId, ttlMs, duplicate: false });
const ok = (_c: Call, cb: Cb) => cb(null, {});
const count = (s: FakeServer, method: string) => s.calls.filter((c) => c.method === method).length;

describe('session keep-alive', () => {
  test('create carries ttl, lock-delay, owner and a request id; keep-alives go every ttl/3', async () => {
    const s = await fake({ SessionCreate: created('17', 1200), SessionKeepAlive: ok, SessionClose: ok });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      const started = performance.now();
      const session = await client.session({ ttlMs: 1200, lockDelayMs: 500, owner: 'w1' });
      assert.equal(session.id, '17');
      assert.equal(session.ttlMs, 1200);
      const req = s.calls[0].request as { ttlMs: number; lockDelayMs: number; owner: string; request: { requestId: string } };
      assert.deepEqual([req.ttlMs, req.lockDelayMs, req.owner], [1200, 500, 'w1']);
      assert.ok(req.request.requestId !== '');
      await waitFor('three keep-alives', () => count(s, 'SessionKeepAlive') >= 3);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 3 * 400 - 20, `three keep-alives every ttl/3 take ≥ 1200 ms, took ${elapsed}`);
      assert.ok(session.valid && session.remainingMs() > 0);
      await session.close();
      assert.deepEqual(await session.done, { reason: 'closed' });
      assert.equal(session.valid, false);
      assert.equal(session.remainingMs(), 0);
      assert.deepEqual(s.calls.at(-1), { method: 'SessionClose', request: { sessionId: '17' } });
    } finally {
      client.close();
    }
  });

  test('bad session options are refused before any call', async () => {
    const s = await fake({});
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      await assert.rejects(client.session({ ttlMs: -5, lockDelayMs: 1.5 }), (err: Error) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /ttlMs must be a positive integer.*lockDelayMs must be a non-negative integer/);
        return true;
      });
      assert.equal(s.calls.length, 0);
    } finally {
      client.close();
    }
  });

  test('a follower that names the leader: keep-alives go to the leader from then on', async () => {
    const leader = await fake({ SessionKeepAlive: ok, SessionClose: ok });
    const follower = await fake({
      SessionCreate: created('9', 1000),
      SessionKeepAlive: (_c: Call, cb: Cb) => cb(grpcError(new NoLeaderError('not the leader', 'n2', leader.address)), null),
    });
    const client = connect([follower.address, leader.address], { timeoutMs: 2000 });
    try {
      const session = await client.session({ ttlMs: 1000 });
      await waitFor('keep-alives at the leader', () => count(leader, 'SessionKeepAlive') >= 4);
      assert.equal(count(follower, 'SessionKeepAlive'), 1, 'redirected once, then straight to the leader');
      assert.ok(session.valid, 'valid past its ttl: the leader acknowledges');
      await session.close();
    } finally {
      client.close();
    }
  });

  test('the cluster says the session ended: done is expired and its grants are lost', async () => {
    let expire = false;
    const s = await fake({
      SessionCreate: created('5', 1000),
      SessionKeepAlive: (_c: Call, cb: Cb) =>
        expire ? cb(grpcError(new SessionNotFoundError('session 5 has ended')), null) : cb(null, {}),
      Acquire: (_c: Call, cb: Cb) => cb(null, { granted: true, token: '40', position: 0 }),
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      const session = await client.session({ ttlMs: 1000 });
      const lock = await session.lock('a');
      assert.equal(lock.token, 40);
      assert.ok(lock.held);
      expire = true;
      assert.deepEqual(await session.done, { reason: 'expired' });
      await lock.lost;
      assert.equal(lock.held, false);
      await assert.rejects(session.lock('b'), SessionLostError);
    } finally {
      client.close();
    }
  });

  // A create answered after the validity it guarantees (counted from its first send): one
  // keep-alive confirms it; a session that expired meanwhile is replaced; never a session handed
  // out invalid.
  test('a create answered too late is confirmed by one keep-alive before it is handed out', async () => {
    const ttlMs = 1000;
    const validity = guaranteedValidityMs({ ttlMs, driftBound: DEFAULT_DRIFT_BOUND, marginMs: DEFAULT_MARGIN_MS });
    const s = await fake({
      SessionCreate: (_c: Call, cb: Cb) => setTimeout(() => cb(null, { sessionId: '8', ttlMs, duplicate: false }), validity + 50),
      SessionKeepAlive: ok,
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      const session = await client.session({ ttlMs });
      assert.equal(session.id, '8');
      assert.ok(session.valid && session.remainingMs() > validity - 200, `valid from the keep-alive: ${session.remainingMs()} ms left`);
      assert.deepEqual(
        s.calls.slice(0, 2).map((c) => c.method),
        ['SessionCreate', 'SessionKeepAlive'],
      );
      await session.close();
    } finally {
      client.close();
    }
  });

  test('a late create whose session expired meanwhile is closed and created again; three times late is a SessionLostError', async () => {
    const ttlMs = 1000;
    const validity = guaranteedValidityMs({ ttlMs, driftBound: DEFAULT_DRIFT_BOUND, marginMs: DEFAULT_MARGIN_MS });
    let creates = 0;
    let lateCreates = 1;
    const s = await fake({
      SessionCreate: (_c: Call, cb: Cb) => {
        const id = String(++creates);
        setTimeout(() => cb(null, { sessionId: id, ttlMs, duplicate: false }), creates <= lateCreates ? validity + 50 : 0);
      },
      SessionKeepAlive: (c: Call, cb: Cb) =>
        Number(c.request.sessionId) <= lateCreates
          ? cb(grpcError(new SessionNotFoundError(`session ${String(c.request.sessionId)} has ended`)), null)
          : cb(null, {}),
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      const session = await client.session({ ttlMs });
      assert.equal(session.id, '2');
      assert.ok(session.valid);
      await waitFor('the late one closed', () =>
        s.calls.some((c) => c.method === 'SessionClose' && (c.request as { sessionId: string }).sessionId === '1'),
      );
      await session.close();
      creates = 0;
      lateCreates = 3;
      await assert.rejects(client.session({ ttlMs }), (err: unknown) => err instanceof SessionLostError && /3 times/.test(err.message));
      assert.equal(creates, 3, 'no fourth create');
    } finally {
      client.close();
    }
  });

  // The leader expires the session ttl after it RECEIVED the last keep-alive it acknowledged; the
  // client must give it up before that, counting from when it SENT it — here the acks come late.
  test('lost: done fires after the guaranteed validity and before the leader could expire it', async () => {
    const ttlMs = 1000;
    const receipts: number[] = [];
    let answering = true;
    const s = await fake({
      SessionCreate: created('3', ttlMs),
      SessionKeepAlive: (_c: Call, cb: Cb) => {
        if (!answering) return; // a leader that no longer answers (the call runs to its deadline)
        receipts.push(performance.now());
        setTimeout(() => cb(null, { ttlMs }), 250); // acknowledged late
      },
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 3000 });
    try {
      const session = await client.session({ ttlMs });
      await waitFor('two acknowledged keep-alives', () => receipts.length >= 2);
      answering = false;
      const lastReceipt = receipts.at(-1)!;
      const end = await session.done;
      const lostAt = performance.now();
      assert.deepEqual(end, { reason: 'lost' });
      const validity = guaranteedValidityMs({ ttlMs, driftBound: DEFAULT_DRIFT_BOUND, marginMs: DEFAULT_MARGIN_MS });
      assert.ok(
        lostAt < lastReceipt + ttlMs,
        `given up ${(lostAt - lastReceipt).toFixed(0)} ms after the last receipt: not before the leader's expiry at ${ttlMs}`,
      );
      assert.ok(
        lostAt >= lastReceipt - 20 + validity,
        `given up ${(lostAt - lastReceipt).toFixed(0)} ms after the last receipt: too early`,
      );
    } finally {
      client.close();
    }
  });
});

describe('acquire', () => {
  test('lock waits (wait: true) and is re-issued after a failover; release leaves', async () => {
    let n = 0;
    const s = await fake({
      SessionCreate: created('8', 5000),
      SessionKeepAlive: ok,
      Acquire: (_c: Call, cb: Cb) =>
        n++ === 0 ? cb(grpcError(new NoLeaderError('election')), null) : cb(null, { granted: true, token: '12', position: 0 }),
      Release: (_c: Call, cb: Cb) => cb(null, { released: true }),
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      const session = await client.session({ ttlMs: 5000 });
      const lock = await session.lock('jobs/a');
      const acquires = s.calls.filter((c) => c.method === 'Acquire').map((c) => c.request);
      assert.equal(acquires.length, 2);
      assert.deepEqual(acquires[1], { name: 'jobs/a', sessionId: '8', kind: 'lock', limit: 1, value: '', wait: true });
      assert.deepEqual([lock.name, lock.token, lock.held], ['jobs/a', 12, true]);
      assert.equal(await session.lock('jobs/a'), lock, 'asking again for a held name answers the same grant');
      await lock.release();
      assert.equal(lock.held, false);
      await lock.lost;
      assert.deepEqual(s.calls.find((c) => c.method === 'Release')?.request, { name: 'jobs/a', sessionId: '8' });
      await lock.release(); // a no-op once over
      assert.equal(count(s, 'Release'), 1);
      await session.close();
    } finally {
      client.close();
    }
  });

  test('campaign, proclaim with the token, resign; a refused proclaim ends the leadership', async () => {
    const s = await fake({
      SessionCreate: created('8', 5000),
      SessionKeepAlive: ok,
      Acquire: (_c: Call, cb: Cb) => cb(null, { granted: true, token: '30', position: 0 }),
      Proclaim: (c: Call<{ value: string }>, cb: Cb) =>
        c.request.value === 'refuse' ? cb(grpcError(new NotHolderError('not held')), null) : cb(null, {}),
      Release: (_c: Call, cb: Cb) => cb(null, { released: true }),
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      const session = await client.session({ ttlMs: 5000 });
      const lead = await session.campaign('e', 'v1');
      assert.equal((s.calls.find((c) => c.method === 'Acquire')?.request as { kind: string; value: string }).kind, 'election');
      await lead.proclaim('v2');
      assert.deepEqual(s.calls.find((c) => c.method === 'Proclaim')?.request, { name: 'e', sessionId: '8', token: '30', value: 'v2' });
      await assert.rejects(lead.proclaim('refuse'), NotHolderError);
      assert.equal(lead.held, false);
      await assert.rejects(lead.proclaim('v3'), NotHolderError, 'refused locally once over');
      const again = await session.campaign('e', 'v1');
      await again.resign();
      assert.equal(count(s, 'Release'), 1);
      await session.close();
    } finally {
      client.close();
    }
  });

  test('semaphore and a mismatch: the cluster refusal is a QueueMismatchError', async () => {
    const s = await fake({
      SessionCreate: created('8', 5000),
      SessionKeepAlive: ok,
      Acquire: (c: Call<{ limit: number }>, cb: Cb) =>
        c.request.limit === 3
          ? cb(null, { granted: true, token: '4', position: 0 })
          : cb(grpcError(new QueueMismatchError('limit 3')), null),
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      const session = await client.session({ ttlMs: 5000 });
      assert.equal((await session.semaphore('pool', 3)).token, 4);
      await assert.rejects(session.semaphore('pool', 2), QueueMismatchError);
      await assert.rejects(session.semaphore('pool', 0), /positive integer/);
      await session.close();
    } finally {
      client.close();
    }
  });

  test('an AbortSignal ends the wait: the call is cancelled, the session leaves the queue, the promise rejects with the reason', async () => {
    const held: Call[] = [];
    const s = await fake({
      SessionCreate: created('8', 5000),
      SessionKeepAlive: ok,
      Acquire: (c: Call) => void held.push(c), // queued: never answered
      Release: (_c: Call, cb: Cb) => cb(null, { released: false }),
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      const session = await client.session({ ttlMs: 5000 });
      const abort = new AbortController();
      const waiting = session.lock('busy', { signal: abort.signal });
      await waitFor('the held Acquire', () => held.length === 1);
      abort.abort(new Error('gave up'));
      await assert.rejects(waiting, /gave up/);
      assert.deepEqual(s.calls.find((c) => c.method === 'Release')?.request, { name: 'busy', sessionId: '8' });
      await waitFor('the held call cancelled', () => held[0].cancelled);
      await assert.rejects(session.lock('busy', { signal: AbortSignal.abort(new Error('already')) }), /already/);
      await session.close();
    } finally {
      client.close();
    }
  });

  test('a held Acquire is re-issued after its deadline (acquire is idempotent)', async () => {
    let n = 0;
    const s = await fake({
      SessionCreate: created('8', 1000),
      SessionKeepAlive: ok,
      Acquire: (_c: Call, cb: Cb) => (n++ === 0 ? undefined : cb(null, { granted: true, token: '77', position: 0 })),
      SessionClose: ok,
    });
    const client = connect(s.address, { timeoutMs: 1000 });
    try {
      const session = await client.session({ ttlMs: 1000 });
      const started = performance.now();
      const lock = await session.lock('slow');
      assert.equal(lock.token, 77);
      assert.equal(count(s, 'Acquire'), 2);
      assert.ok(performance.now() - started >= 1900, 'the first call ran to its deadline');
      await session.close();
    } finally {
      client.close();
    }
  });

  // The no-phantom rule (etcd-io/etcd#11007): a grant that arrives when this client can no
  // longer count on its session is given back, never returned.
  test('a grant arriving after the session stopped being valid here is released and refused', async () => {
    const s = await fake({
      Acquire: (_c: Call, cb: Cb) => cb(null, { granted: true, token: '90', position: 0 }),
      Release: (_c: Call, cb: Cb) => cb(null, { released: true }),
    });
    const pool = new EndpointPool([s.address], undefined);
    const calls = new ClientCalls(pool, { timeoutMs: 2000, attemptTimeoutMs: 2000, unreachableRounds: 3 }, 'c');
    let validChecks = 0;
    const released: string[] = [];
    const session: WaitingSession = {
      sessionId: '8',
      ttlMs: 5000,
      calls,
      endSignal: new AbortController().signal,
      // Valid when the wait starts; no longer when the grant arrives (a pause of this process).
      checkValid: () => validChecks++ === 0,
      endedByCluster: () => undefined,
      release: async (name) => void released.push(name),
    };
    try {
      await assert.rejects(waitForGrant(session, { name: 'x', kind: 'election', limit: 1, value: 'me' }, undefined), SessionLostError);
      assert.deepEqual(released, ['x']);
    } finally {
      calls.writes.close();
      pool.close();
    }
  });
});

describe('observe, lists and KV options', () => {
  const holder = (sessionId: string, token: number, value = 'v') => ({ sessionId, owner: `o${sessionId}`, token: String(token), value });

  test('observe: current leader first; after a failover the next node repeats nothing and skips what lags', async () => {
    const a = await fake({
      Observe: (call: grpc.ServerWritableStream<{ name: string }, unknown>) => {
        call.write({ holders: [holder('1', 5)], index: '5' });
        call.write({ holders: [], index: '8' });
        setTimeout(() => call.emit('error', grpcError(new NoLeaderError('stopping'))), 20);
      },
    });
    const b = await fake({
      Observe: (call: grpc.ServerWritableStream<{ name: string }, unknown>) => {
        call.write({ holders: [holder('1', 5)], index: '5' }); // lags behind what was seen
        call.write({ holders: [], index: '8' }); // what was seen last
        call.write({ holders: [holder('2', 9, 'w')], index: '9' });
      },
    });
    const client = connect([a.address, b.address], { timeoutMs: 2000 });
    const got: LeaderChange[] = [];
    try {
      const observer = client.observe('e');
      for await (const change of observer) {
        got.push(change);
        if (got.length === 3) break;
      }
    } finally {
      client.close();
    }
    assert.deepEqual(got, [
      { leader: { sessionId: '1', owner: 'o1', token: 5, value: 'v' }, index: 5 },
      { leader: undefined, index: 8 },
      { leader: { sessionId: '2', owner: 'o2', token: 9, value: 'w' }, index: 9 },
    ]);
    assert.deepEqual(a.calls[0].request, { name: 'e' });
  });

  test('lists, leader(name)', async () => {
    const queue = {
      name: 'e',
      kind: 'election',
      limit: 1,
      holders: [holder('1', 5)],
      waiters: [{ sessionId: '2', owner: 'o2', value: 'w' }],
      delayed: false,
    };
    const s = await fake({
      QueueList: (_c: Call, cb: Cb) => cb(null, { queues: [{ ...queue, name: 'e2', holders: [] }, queue] }),
      SessionList: (_c: Call, cb: Cb) =>
        cb(null, {
          sessions: [
            { sessionId: '1', owner: 'o1', ttlMs: 1000, lockDelayMs: 0, holds: ['e'], waits: [], ephemeralKeys: 2, remainingMs: '700' },
            { sessionId: '2', owner: 'o2', ttlMs: 1000, lockDelayMs: 0, holds: [], waits: ['e'], ephemeralKeys: 0, remainingMs: '-1' },
          ],
        }),
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      assert.deepEqual(await client.leader('e'), { sessionId: '1', owner: 'o1', token: 5, value: 'v' });
      const queues = await client.locks.list('e');
      assert.deepEqual(queues[1], { ...queue, holders: [{ sessionId: '1', owner: 'o1', token: 5, value: 'v' }] });
      const sessions = await client.sessions.list();
      assert.deepEqual(
        sessions.map((x) => x.remainingMs),
        [700, undefined],
      );
      assert.equal(sessions[0].ephemeralKeys, 2);
    } finally {
      client.close();
    }
  });

  test('kv put/cas/delete carry the session and the fencing guard; a stale token is a StaleFencingTokenError', async () => {
    const s = await fake({
      KvPut: (c: Call<{ ifToken: { token: string } | null }>, cb: Cb) =>
        c.request.ifToken?.token === '1'
          ? cb(grpcError(new StaleFencingTokenError('a is held with a newer token')), null)
          : cb(null, { revision: '3', duplicate: false }),
      KvDelete: (_c: Call, cb: Cb) => cb(null, { deleted: true, revision: '4', duplicate: false }),
      KvCas: (_c: Call, cb: Cb) => cb(null, { succeeded: true, revision: '5', current: null, duplicate: false }),
    });
    const client = connect(s.address, { timeoutMs: 2000 });
    try {
      await client.kv.put('k', 'v', { session: '12', ifToken: { name: 'a', token: 7 } });
      await client.kv.put('k', 'v', { session: { id: '13' } });
      await assert.rejects(client.kv.put('k', 'v', { ifToken: { name: 'a', token: 1 } }), StaleFencingTokenError);
      await client.kv.delete('k', { ifToken: { name: 'a', token: 7 } });
      await client.kv.cas('k', 0, 'v', { session: '12' });
      const req = (m: string, i = 0) => s.calls.filter((c) => c.method === m)[i].request as Record<string, unknown>;
      assert.deepEqual([req('KvPut').sessionId, req('KvPut').ifToken], ['12', { name: 'a', token: '7' }]);
      assert.deepEqual([req('KvPut', 1).sessionId, req('KvPut', 1).ifToken], ['13', null]);
      assert.deepEqual(req('KvDelete').ifToken, { name: 'a', token: '7' });
      assert.deepEqual([req('KvCas').sessionId, req('KvCas').ifToken], ['12', null]);
      await assert.rejects(client.kv.put('k', 'v', { ifToken: { name: '', token: 7 } }), /ifToken.name/);
    } finally {
      client.close();
    }
  });
});
