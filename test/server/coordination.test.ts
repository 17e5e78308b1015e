// Coordination on a real in-process 3-node cluster over gRPC (docs/coordination.md): sessions,
// keep-alives only at the leader, expiry on the leader's clock when keep-alives stop, locks
// with fencing tokens and waiting acquires, Observe, KV writes with a session or a fencing guard
// (unary and the KvWrite stream), and the named regression "etcd phantom leader".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcStatus, type ClientDuplexStream, type ClientReadableStream } from '@grpc/grpc-js';
import type { PalisadeClient as RawClient } from '../../src/transport/generated/palisade/v1/Palisade.js';
import type { AcquireResponse__Output } from '../../src/transport/generated/palisade/v1/AcquireResponse.js';
import type { ObserveEvent__Output } from '../../src/transport/generated/palisade/v1/ObserveEvent.js';
import type { QueueListResponse__Output } from '../../src/transport/generated/palisade/v1/QueueListResponse.js';
import type { SessionCreateResponse__Output } from '../../src/transport/generated/palisade/v1/SessionCreateResponse.js';
import type { SessionListResponse__Output } from '../../src/transport/generated/palisade/v1/SessionListResponse.js';
import type { KvWriteRequest } from '../../src/transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse__Output } from '../../src/transport/generated/palisade/v1/KvWriteResponse.js';
import { call, errorCode, rawClient, startCluster, waitUntil, type TestCluster } from './helpers.js';

const TTL = 1500;

describe('coordination on a 3-node cluster', { concurrency: false }, () => {
  let c: TestCluster;
  const clients = new Map<string, RawClient>();
  const client = (id: string): RawClient => {
    let cl = clients.get(id);
    if (cl === undefined) clients.set(id, (cl = rawClient(c.nodes.get(id)!.address)));
    return cl;
  };
  const keepers: (() => void)[] = [];

  before(async () => {
    // Timing the shared test machine keeps (three nodes in one process): leader changes stay rare.
    c = await startCluster(3, { heartbeatMs: 50, electionTimeoutMs: 400 });
  });
  after(async () => {
    for (const stop of keepers) stop();
    for (const cl of clients.values()) cl.close();
    await c?.close();
  });

  const leaderId = async (): Promise<string> => (await c.leader()).id;
  const followerId = async (): Promise<string> => {
    const l = await leaderId();
    return [...c.nodes.keys()].find((id) => id !== l)!;
  };

  /**
   * A unary call at the node `at` names now (leader or follower), retried as a client would on
   * UNAVAILABLE and DEADLINE_EXCEEDED (a leader change on the loaded test machine) for 10 s.
   * Only calls that are safe to retry go through here (idempotent, or with a request id).
   */
  async function ask<R>(at: 'leader' | 'follower', method: string, req: object): Promise<R> {
    const deadline = performance.now() + 10_000;
    for (;;) {
      const id = at === 'leader' ? await leaderId() : await followerId();
      try {
        return await call<R>(client(id), method, req);
      } catch (err) {
        const code = errorCode(err).code;
        const transient = code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED;
        if (!transient || performance.now() > deadline) throw err;
      }
    }
  }

  let created = 0;
  async function createSession(at: 'leader' | 'follower', ttlMs = TTL, lockDelayMs = 0): Promise<string> {
    const request = { clientId: 'coordination-test', requestId: String(++created) };
    const r = await ask<SessionCreateResponse__Output>(at, 'SessionCreate', { ttlMs, lockDelayMs, owner: `test@${at}`, request });
    assert.match(r.sessionId, /^[1-9]\d*$/);
    return r.sessionId;
  }

  /** Keeps `session` alive at whichever node leads, every ttl/4, until the returned stop. */
  function keepAlive(session: string, ttlMs = TTL): () => void {
    let stopped = false;
    const loop = async (): Promise<void> => {
      while (!stopped) {
        for (const id of c.nodes.keys()) {
          try {
            await call(client(id), 'SessionKeepAlive', { sessionId: session }, ttlMs / 2);
            break;
          } catch {
            // a follower, or a node that is down: try the next one
          }
        }
        await new Promise((r) => setTimeout(r, ttlMs / 4));
      }
    };
    void loop();
    const stop = (): void => {
      stopped = true;
    };
    keepers.push(stop);
    return stop;
  }

  const queue = async (name: string) =>
    (await ask<QueueListResponse__Output>('follower', 'QueueList', { prefix: name })).queues.find((q) => q.name === name);
  const sessionIds = async (): Promise<string[]> =>
    (await ask<SessionListResponse__Output>('follower', 'SessionList', {})).sessions.map((s) => s.sessionId);
  const reason = (want: string) => (err: unknown) =>
    errorCode(err).reason === want && errorCode(err).code === GrpcStatus.FAILED_PRECONDITION;

  test('a lock: granted with a token, the second session queues, release hands it over with a larger token', async () => {
    const a = await createSession('follower');
    const b = await createSession('leader');
    const stopA = keepAlive(a);
    const stopB = keepAlive(b);
    const lock = { name: 'locks/db', kind: 'lock' };
    const ga = await ask<AcquireResponse__Output>('follower', 'Acquire', { ...lock, sessionId: a });
    assert.equal(ga.granted, true);
    assert.ok(Number(ga.token) > 0);
    const again = await ask<AcquireResponse__Output>('leader', 'Acquire', { ...lock, sessionId: a });
    assert.deepEqual([again.granted, again.token], [true, ga.token], 'acquire is idempotent per (name, session)');
    const qb = await ask<AcquireResponse__Output>('leader', 'Acquire', { ...lock, sessionId: b });
    assert.deepEqual([qb.granted, qb.position], [false, 0]);
    const waiting = ask<AcquireResponse__Output>('follower', 'Acquire', { ...lock, sessionId: b, wait: true });
    const q = await queue('locks/db');
    assert.deepEqual(
      q?.holders.map((h) => [h.sessionId, h.token, h.owner]),
      [[a, ga.token, 'test@follower']],
    );
    assert.deepEqual(
      q?.waiters.map((w) => w.sessionId),
      [b],
    );
    await assert.rejects(
      ask('leader', 'Acquire', { name: 'locks/db', sessionId: b, kind: 'semaphore', limit: 2 }),
      reason('QUEUE_MISMATCH'),
    );
    await ask('leader', 'Release', { name: 'locks/db', sessionId: a });
    const gb = await waiting;
    assert.equal(gb.granted, true);
    assert.ok(Number(gb.token) > Number(ga.token), `token ${gb.token} after ${ga.token}`);
    const rel = await ask<{ released: boolean }>('leader', 'Release', { name: 'locks/db', sessionId: b });
    assert.equal(rel.released, true);
    assert.equal(await queue('locks/db'), undefined, 'a queue with nobody in it goes away');
    stopA();
    stopB();
    await ask('follower', 'SessionClose', { sessionId: a });
    await ask('follower', 'SessionClose', { sessionId: b });
  });

  test('keep-alive: at a follower UNAVAILABLE naming the leader; at the leader counted; SessionList shows the leader clock', async () => {
    const s = await createSession('follower');
    const l = await leaderId();
    const f = await followerId();
    await assert.rejects(
      call(client(f), 'SessionKeepAlive', { sessionId: s }),
      (err: { code?: number; metadata?: { get(k: string): unknown[] } }) =>
        err.code === GrpcStatus.UNAVAILABLE && String(err.metadata?.get('palisade-leader-id')[0]) === l,
    );
    const r = await ask<{ ttlMs: number }>('leader', 'SessionKeepAlive', { sessionId: s });
    assert.equal(r.ttlMs, TTL);
    const atLeader = (await ask<SessionListResponse__Output>('leader', 'SessionList', {})).sessions.find((x) => x.sessionId === s);
    assert.ok(atLeader !== undefined && Number(atLeader.remainingMs) > 0 && Number(atLeader.remainingMs) <= TTL, JSON.stringify(atLeader));
    const atFollower = (await ask<SessionListResponse__Output>('follower', 'SessionList', {})).sessions.find((x) => x.sessionId === s);
    assert.equal(atFollower?.remainingMs, '-1');
    await assert.rejects(ask('leader', 'SessionKeepAlive', { sessionId: '999999' }), reason('SESSION_NOT_FOUND'));
    await ask('leader', 'SessionClose', { sessionId: s });
    await assert.rejects(ask('leader', 'SessionKeepAlive', { sessionId: s }), reason('SESSION_NOT_FOUND'));
  });

  test('a session whose keep-alives stop expires on the leader clock (not before its TTL); a kept one does not', async () => {
    const kept = await createSession('leader');
    const stop = keepAlive(kept);
    const dead = await createSession('leader');
    const sent = performance.now();
    await ask('leader', 'SessionKeepAlive', { sessionId: dead });
    await waitUntil('the dead session expired', async () => !(await sessionIds()).includes(dead), 10 * TTL);
    assert.ok(performance.now() - sent >= TTL, 'never before the TTL since the last acknowledged keep-alive was sent');
    assert.ok((await sessionIds()).includes(kept));
    stop();
    await ask('leader', 'SessionClose', { sessionId: kept });
  });

  test('etcd phantom leader: B queues behind A, B stops keeping alive until it expires, A resigns — B must not lead', async () => {
    const a = await createSession('leader');
    const stopA = keepAlive(a);
    const b = await createSession('follower');
    const election = { name: 'election/primary', kind: 'election' };
    const ga = await ask<AcquireResponse__Output>('leader', 'Acquire', { ...election, sessionId: a, value: 'A' });
    assert.equal(ga.granted, true);
    // B campaigns and waits; its keep-alives never come (its client is paused or partitioned).
    const f = await followerId();
    const campaign = call<AcquireResponse__Output>(client(f), 'Acquire', { ...election, sessionId: b, value: 'B', wait: true }, 6 * TTL);
    const outcome = campaign.then(
      (r) => `granted ${JSON.stringify(r)}`,
      (err: unknown) => errorCode(err).reason ?? String(err),
    );
    await waitUntil('B waiting behind A', async () => (await queue('election/primary'))?.waiters.some((w) => w.sessionId === b));
    assert.equal(await outcome, 'SESSION_NOT_FOUND', 'the waiting campaign fails when B expires');
    assert.ok(!(await sessionIds()).includes(b));
    await ask('leader', 'Release', { name: 'election/primary', sessionId: a });
    const after = await queue('election/primary');
    assert.ok(after === undefined || !after.holders.some((h) => h.sessionId === b), 'B never becomes leader');
    // A fresh campaign of B's expired session is refused, not granted.
    await assert.rejects(ask('leader', 'Acquire', { ...election, sessionId: b, value: 'B' }), reason('SESSION_NOT_FOUND'));
    stopA();
    await ask('leader', 'SessionClose', { sessionId: a });
  });

  test('lock-delay: after a holder expires nobody gets the lock until the delay has run out on the leader clock', async () => {
    const DELAY = 1500;
    const dead = await createSession('leader', TTL, DELAY);
    const live = await createSession('follower');
    const stopLive = keepAlive(live);
    const lock = { name: 'locks/delayed', kind: 'lock' };
    const held = await ask<AcquireResponse__Output>('leader', 'Acquire', { ...lock, sessionId: dead });
    assert.equal(held.granted, true);
    const sent = performance.now();
    await ask('leader', 'SessionKeepAlive', { sessionId: dead });
    const waiting = ask<AcquireResponse__Output>('follower', 'Acquire', { ...lock, sessionId: live, wait: true });
    await waitUntil('the holder expired', async () => !(await sessionIds()).includes(dead), 10 * TTL);
    const q = await queue('locks/delayed');
    if (q?.holders.length === 0) assert.equal(q.delayed, true, 'an expired holder leaves the lock delayed, with its waiter queued');
    const granted = await waiting;
    const at = performance.now();
    assert.equal(granted.granted, true);
    assert.ok(at - sent >= TTL + DELAY, `granted ${Math.round(at - sent)} ms after the last keep-alive was sent: not before TTL + delay`);
    stopLive();
    await ask('follower', 'SessionClose', { sessionId: live });
  });

  test('Observe: the holders now, then each change with its index', async () => {
    const a = await createSession('leader');
    const stopA = keepAlive(a);
    const events: ObserveEvent__Output[] = [];
    const stream: ClientReadableStream<ObserveEvent__Output> = client(await followerId()).Observe({ name: 'election/obs' });
    stream.on('data', (e: ObserveEvent__Output) => events.push(e));
    stream.on('error', () => {});
    await waitUntil('the first event', () => events.length >= 1);
    assert.deepEqual(events[0].holders, []);
    const election = { name: 'election/obs', sessionId: a };
    const g = await ask<AcquireResponse__Output>('leader', 'Acquire', { ...election, kind: 'election', value: 'v1' });
    await ask('leader', 'Proclaim', { ...election, token: g.token, value: 'v2' });
    await assert.rejects(ask('leader', 'Proclaim', { ...election, token: String(Number(g.token) + 1), value: 'v3' }), reason('NOT_HOLDER'));
    await ask('leader', 'Release', election);
    await waitUntil('grant, proclaim and resign observed', () => events.length >= 4);
    assert.deepEqual(
      events.map((e) => e.holders.map((h) => [h.sessionId, h.value])),
      [[], [[a, 'v1']], [[a, 'v2']], []],
    );
    const idx = events.map((e) => Number(e.index));
    assert.ok(
      idx.every((x, i) => i === 0 || x > idx[i - 1]),
      `indexes increase: ${idx.join(',')}`,
    );
    stream.cancel();
    stopA();
    await ask('leader', 'SessionClose', { sessionId: a });
  });

  test('KV: a fencing guard refuses a stale token (unary and KvWrite stream); a session binding makes a key ephemeral', async () => {
    const a = await createSession('follower');
    const stopA = keepAlive(a);
    const g = await ask<AcquireResponse__Output>('follower', 'Acquire', { name: 'locks/kv', sessionId: a, kind: 'lock' });
    const guard = (token: string) => ({ name: 'locks/kv', token });
    await ask('follower', 'KvPut', { key: 'fenced/x', value: '1', ifToken: guard(g.token) });
    await assert.rejects(
      ask('follower', 'KvPut', { key: 'fenced/x', value: '2', ifToken: guard(String(Number(g.token) - 1)) }),
      reason('STALE_FENCING_TOKEN'),
    );
    const stream: ClientDuplexStream<KvWriteRequest, KvWriteResponse__Output> = client(await leaderId()).KvWrite();
    const answers: KvWriteResponse__Output[] = [];
    stream.on('data', (r: KvWriteResponse__Output) => answers.push(r));
    stream.on('error', () => {});
    stream.write({ seq: 1, put: { key: 'fenced/x', value: 'stale', ifToken: guard('1') } });
    stream.write({ seq: 2, delete: { key: 'fenced/x', ifToken: guard(g.token) } });
    stream.write({ seq: 3, put: { key: 'eph/a', value: 'bound', sessionId: a } });
    await waitUntil('three stream answers', () => answers.length === 3);
    stream.end();
    const bySeq = new Map(answers.map((r) => [r.seq, r]));
    assert.equal(bySeq.get(1)?.error?.reason, 'STALE_FENCING_TOKEN');
    assert.equal(bySeq.get(2)?.delete?.deleted, true, JSON.stringify(bySeq.get(2)));
    assert.ok(bySeq.get(3)?.put, JSON.stringify(bySeq.get(3)));
    await assert.rejects(ask('leader', 'KvPut', { key: 'eph/b', value: 'x', sessionId: '99999' }), reason('SESSION_NOT_FOUND'));
    const list = (await ask<SessionListResponse__Output>('leader', 'SessionList', {})).sessions.find((s) => s.sessionId === a);
    assert.equal(list?.ephemeralKeys, 1);
    stopA();
    await ask('follower', 'SessionClose', { sessionId: a });
    const got = await ask<{ found: boolean }>('follower', 'KvGet', { key: 'eph/a' });
    assert.equal(got.found, false, 'the ephemeral key went with its session');
  });
});
