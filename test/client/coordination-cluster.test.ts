// The client's coordination against a real 3-node cluster (in-process nodes over gRPC): locks
// exclusive between sessions, election queueing and handover, observe, abort, and a session lost
// when its client is cut off — told to its client before anyone else is granted what it held.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/connect.js';
import type { PalisadeClient } from '../../src/client/types.js';
import type { LeaderChange, Session } from '../../src/client/coordination-types.js';
import { SessionLostError, StaleFencingTokenError } from '../../src/errors.js';
import { startCluster, waitUntil, type TestCluster } from '../server/helpers.js';
import { startProxy } from './tcp-proxy.js';

let cluster: TestCluster;
let endpoints: string[];
const clients: PalisadeClient[] = [];

function client(eps: string[] = endpoints): PalisadeClient {
  const c = connect(eps, { timeoutMs: 8000 });
  clients.push(c);
  return c;
}

before(async () => {
  cluster = await startCluster(3);
  await cluster.leader();
  endpoints = [...cluster.options.values()].map((o) => o.listen!);
});
after(async () => {
  for (const c of clients) c.close();
  await cluster.close();
});

/** Whether `session` waits in the queue of `name` (by the cluster's applied state). */
async function waits(c: PalisadeClient, name: string, session: Session): Promise<boolean> {
  const q = (await c.locks.list(name)).find((x) => x.name === name);
  return q?.waiters.some((w) => w.sessionId === session.id) ?? false;
}

describe('coordination on a real cluster', () => {
  test('a lock is exclusive between two sessions; release hands it to the waiter with a larger token', async () => {
    const c = client();
    const [s1, s2] = [await c.session({ ttlMs: 3000 }), await c.session({ ttlMs: 3000 })];
    const first = await s1.lock('ex/a');
    let secondHeld = false;
    const second = s2.lock('ex/a').then((g) => ((secondHeld = true), g));
    await waitUntil('s2 queued behind s1', () => waits(c, 'ex/a', s2));
    assert.equal(secondHeld, false, 'not granted while s1 holds');
    await first.release();
    const g2 = await second;
    assert.ok(g2.token > first.token, `token ${g2.token} > ${first.token}`);
    const q = (await c.locks.list('ex/a')).find((x) => x.name === 'ex/a');
    assert.deepEqual(
      q?.holders.map((h) => [h.sessionId, h.token]),
      [[s2.id, g2.token]],
    );
    await s2.close();
    await s1.close();
    assert.equal((await c.locks.list('ex/a')).length, 0, 'a queue with nobody in it disappears');
  });

  test('campaign queues; resign hands leadership over; observe sees every change; proclaim', async () => {
    const c = client();
    const observer = c.observe('el/x');
    const seen: LeaderChange[] = [];
    const watching = (async () => {
      for await (const change of observer) seen.push(change);
    })();
    await waitUntil('the observer has the current state', () => seen.length >= 1);
    const [s1, s2] = [await c.session({ ttlMs: 3000, owner: 'one' }), await c.session({ ttlMs: 3000, owner: 'two' })];
    const lead1 = await s1.campaign('el/x', 'v1');
    const waiting2 = s2.campaign('el/x', 'v2');
    await waitUntil('s2 queued', () => waits(c, 'el/x', s2));
    assert.deepEqual(await c.leader('el/x'), { sessionId: s1.id, owner: 'one', token: lead1.token, value: 'v1' });
    await lead1.proclaim('v1b');
    await lead1.resign();
    const lead2 = await waiting2;
    assert.ok(lead2.token > lead1.token);
    assert.equal((await c.leader('el/x'))?.sessionId, s2.id);
    await s2.close(); // ends its leadership
    await waitUntil('observer saw nobody lead again', () => seen.length >= 5 && seen.at(-1)?.leader === undefined);
    observer.cancel();
    await watching;
    assert.deepEqual(
      seen.map((e) => (e.leader === undefined ? 'none' : `${e.leader.sessionId}:${e.leader.value}`)),
      ['none', `${s1.id}:v1`, `${s1.id}:v1b`, `${s2.id}:v2`, 'none'],
    );
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].index > seen[i - 1].index, 'indexes increase');
    assert.equal(await lead2.lost.then(() => lead2.held), false);
    await s1.close();
  });

  test('observe goes on through another node when the one it streams from stops, repeating nothing', async () => {
    const watcherClient = client(); // a fresh client streams from the first endpoint
    const first = [...cluster.options.values()].find((o) => o.listen === endpoints[0])!.id!;
    const observer = watcherClient.observe('obs/x');
    const seen: LeaderChange[] = [];
    const watching = (async () => {
      for await (const change of observer) seen.push(change);
    })();
    const c = client(endpoints.slice(1));
    const s1 = await c.session({ ttlMs: 3000 });
    const lead1 = await s1.campaign('obs/x', 'a');
    await waitUntil('the observer saw s1 lead', () => seen.at(-1)?.leader?.sessionId === s1.id);
    await cluster.nodes.get(first)!.stop();
    cluster.nodes.delete(first);
    await lead1.resign();
    const s2 = await c.session({ ttlMs: 3000 });
    await s2.campaign('obs/x', 'b');
    await waitUntil('the observer saw s2 lead', () => seen.at(-1)?.leader?.sessionId === s2.id, 15_000);
    observer.cancel();
    await watching;
    const shown = seen.map((e) => (e.leader === undefined ? 'none' : e.leader.sessionId));
    assert.deepEqual(shown.slice(0, 2), ['none', s1.id]);
    assert.equal(shown.at(-1), s2.id);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].index > seen[i - 1].index, `indexes increase: ${JSON.stringify(seen)}`);
    await s1.close();
    await s2.close();
    await cluster.restart(first);
    await cluster.leader();
  });

  test('an AbortSignal takes the waiter out of the queue', async () => {
    const c = client();
    const [s1, s2] = [await c.session({ ttlMs: 3000 }), await c.session({ ttlMs: 3000 })];
    const held = await s1.lock('ab/a');
    const abort = new AbortController();
    const waiting = s2.lock('ab/a', { signal: abort.signal });
    await waitUntil('s2 queued', () => waits(c, 'ab/a', s2));
    abort.abort(new Error('not any more'));
    await assert.rejects(waiting, /not any more/);
    assert.equal(await waits(c, 'ab/a', s2), false, 'left the queue');
    await held.release();
    assert.equal((await c.locks.list('ab/a')).length, 0, 'nobody was granted it after the release');
    await s1.close();
    await s2.close();
  });

  test('ephemeral keys go with their session; a stale fencing token is refused', async () => {
    const c = client();
    const s1 = await c.session({ ttlMs: 3000 });
    await s1.put('eph/k', 'v');
    const g1 = await s1.lock('fence/a');
    await c.kv.put('fence/data', 'by s1', { ifToken: g1 });
    await g1.release();
    const s2 = await c.session({ ttlMs: 3000 });
    const g2 = await s2.lock('fence/a');
    await assert.rejects(c.kv.put('fence/data', 'late s1', { ifToken: g1 }), StaleFencingTokenError);
    assert.equal((await c.kv.get('fence/data')).kv?.value, 'by s1');
    await c.kv.put('fence/data', 'by s2', { ifToken: g2 });
    assert.equal((await c.kv.get('eph/k')).kv?.value, 'v');
    await s1.close();
    assert.equal((await c.kv.get('eph/k')).kv, undefined, 'deleted with its session');
    await s2.close();
  });

  // The leader expires a session ttl after it received the last keep-alive it acknowledged; the
  // client counts from when it sent it, less the drift bound and a margin. Here the client reaches
  // the leader through a proxy that delays every answer, then is cut off: it must be told it lost
  // the lock before the next holder is granted it.
  // A client that counted from the acknowledgement's arrival instead would give up REPLY_DELAY_MS
  // later, after the next holder was granted (checked by injecting that bug).
  const REPLY_DELAY_MS = 1000;
  test('a client cut off from the leader is told its session is lost before anyone else gets its lock', async (t) => {
    const leader = await cluster.leader();
    const proxy = await startProxy(cluster.options.get(leader.id)!.listen!, REPLY_DELAY_MS);
    const cutOff = client([proxy.address]);
    const other = client();
    const ttlMs = 5000;
    await cutOff.status(); // the connection's own round trips through the slow proxy, before the session counts
    const s1 = await cutOff.session({ ttlMs });
    const g1 = await s1.lock('cut/a');
    const s2 = await other.session({ ttlMs: 5000 });
    let grantedAt = Number.POSITIVE_INFINITY;
    const next = s2.lock('cut/a').then((g) => ((grantedAt = performance.now()), g));
    await waitUntil('s2 queued', () => waits(other, 'cut/a', s2));
    let lostAt = Number.POSITIVE_INFINITY;
    void g1.lost.then(() => (lostAt = performance.now()));
    // Cut right after an acknowledgement has been taken in (validity jumps), so which keep-alive
    // was the last one acknowledged is known: the next goes out only ttl/3 after it was sent.
    let remaining = s1.remainingMs();
    await waitUntil(
      'an acknowledged keep-alive',
      () => {
        const now = s1.remainingMs();
        const jumped = now > remaining + ttlMs / 6;
        remaining = now;
        return jumped;
      },
      10_000,
      5,
    );
    await proxy.cut();
    const cutAt = performance.now();
    assert.deepEqual(await s1.done, { reason: 'lost' });
    const g2 = await next;
    t.diagnostic(
      `after the cut: lost at ${(lostAt - cutAt).toFixed(0)} ms, the next holder granted at ${(grantedAt - cutAt).toFixed(0)} ms`,
    );
    assert.ok(lostAt < grantedAt, `lost ${(lostAt - cutAt).toFixed(0)} ms after the cut, next grant ${(grantedAt - cutAt).toFixed(0)} ms`);
    assert.ok(g2.token > g1.token);
    await assert.rejects(s1.lock('cut/b'), SessionLostError);
    await s2.close();
  });

  test('the only node a client knows is stopped: its session is lost, and the lock goes on once the cluster expires it', async () => {
    const leader = await cluster.leader();
    const pinned = client([cluster.options.get(leader.id)!.listen!]);
    const other = client();
    const s1 = await pinned.session({ ttlMs: 2000 });
    const g1 = await s1.lock('stop/a');
    const s2 = await other.session({ ttlMs: 5000 });
    let grantedAt = Number.POSITIVE_INFINITY;
    const next = s2.lock('stop/a').then((g) => ((grantedAt = performance.now()), g));
    await waitUntil('s2 queued', () => waits(other, 'stop/a', s2));
    await leader.stop();
    cluster.nodes.delete(leader.id);
    assert.deepEqual(await s1.done, { reason: 'lost' });
    const lostAt = performance.now();
    assert.equal(g1.held, false);
    const g2 = await next;
    assert.ok(lostAt < grantedAt && g2.token > g1.token);
    await s2.close();
    await cluster.restart(leader.id);
  });
});
