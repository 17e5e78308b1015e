// Sessions across a kill -9 of the leader, with three real agents (docs/coordination.md, design
// item 2): the new leader starts every session's clock afresh when it starts keeping, so a
// session whose keep-alives stopped still expires (no sooner than a TTL after the kill, since
// the old leader's deadline is not carried over), a session kept alive through the failover
// (keep-alives follow the leader hint) never expires, and the lock the dead session held goes
// to the live session waiting for it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { credentials, status as GrpcStatus, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadClientProto } from '../../src/transport/client-proto.js';
import type { PalisadeClient as RawClient } from '../../src/transport/generated/palisade/v1/Palisade.js';
import type { AcquireResponse__Output } from '../../src/transport/generated/palisade/v1/AcquireResponse.js';
import type { SessionCreateResponse__Output } from '../../src/transport/generated/palisade/v1/SessionCreateResponse.js';
import type { SessionListResponse__Output } from '../../src/transport/generated/palisade/v1/SessionListResponse.js';
import { ProcessCluster, waitFor } from './process-cluster.js';

const TTL = 3000;

type Callback<R> = (err: ServiceError | null, res?: R) => void;

function unary<R>(client: RawClient, method: string, req: object, timeoutMs = 2000): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const fn = (client as unknown as Record<string, (req: object, opts: object, cb: Callback<R>) => void>)[method];
    fn.call(client, req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as R)));
  });
}

function reasonOf(err: unknown): string | undefined {
  return (err as { metadata?: Metadata }).metadata?.get('palisade-error')[0]?.toString();
}

describe('3 agents: sessions across a kill -9 of the leader', () => {
  let c: ProcessCluster;
  const raw = new Map<string, RawClient>();
  const rawOf = (id: string): RawClient => {
    let r = raw.get(id);
    if (r === undefined)
      raw.set(id, (r = new (loadClientProto().palisade.v1.Palisade)(c.node(id).clientAddress, credentials.createInsecure())));
    return r;
  };

  before(async () => {
    c = await ProcessCluster.start({ size: 3 });
  });
  after(async () => {
    for (const r of raw.values()) r.close();
    await c?.close();
  });

  /** A call at whichever running node takes it, as a failover client would (transient errors retried for `budgetMs`). */
  async function anyNode<R>(method: string, req: object, budgetMs = 10_000): Promise<R> {
    const deadline = performance.now() + budgetMs;
    for (;;) {
      for (const id of c.running()) {
        try {
          return await unary<R>(rawOf(id), method, req);
        } catch (err) {
          const code = (err as { code?: number }).code;
          if (code !== GrpcStatus.UNAVAILABLE && code !== GrpcStatus.DEADLINE_EXCEEDED) throw err;
        }
      }
      if (performance.now() > deadline) throw new Error(`${method}: no node answered for ${budgetMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('the dead session expires no sooner than a TTL after the kill; the kept one lives and gets its lock', async () => {
    const create = (owner: string, n: number) =>
      anyNode<SessionCreateResponse__Output>('SessionCreate', {
        ttlMs: TTL,
        owner,
        request: { clientId: 'failover-test', requestId: String(n) },
      });
    const live = (await create('live', 1)).sessionId;
    const dead = (await create('dead', 2)).sessionId;
    const held = await anyNode<AcquireResponse__Output>('Acquire', { name: 'locks/failover', sessionId: dead, kind: 'lock' });
    assert.equal(held.granted, true);

    // The live session's keep-alives: every ttl/6 at whichever node leads; SESSION_NOT_FOUND would be the bug.
    let keeping = true;
    const refusals: string[] = [];
    const keeper = (async () => {
      while (keeping) {
        try {
          await anyNode('SessionKeepAlive', { sessionId: live });
        } catch (err) {
          refusals.push(reasonOf(err) ?? String(err));
        }
        await new Promise((r) => setTimeout(r, TTL / 6));
      }
    })();
    const waiting = anyNode<AcquireResponse__Output>('Acquire', {
      name: 'locks/failover',
      sessionId: live,
      kind: 'lock',
      wait: true,
    }).catch((err: unknown) => reasonOf(err) ?? String(err));

    // The dead session's last keep-alive, then the kill a little before its deadline on the old leader.
    await anyNode('SessionKeepAlive', { sessionId: dead });
    await new Promise((r) => setTimeout(r, TTL - 1000)); // the fault's timing, not a synchronization
    const { leader } = await c.waitForLeader();
    const killedAt = performance.now();
    await c.kill9(leader);

    const expiredAt = await waitFor(
      'the dead session to expire on the new leader',
      async () => {
        const list = await anyNode<SessionListResponse__Output>('SessionList', {});
        return list.sessions.some((s) => s.sessionId === dead) ? undefined : performance.now();
      },
      30_000,
      50,
    );
    assert.ok(
      expiredAt - killedAt >= TTL,
      `expired ${Math.round(expiredAt - killedAt)} ms after the kill: the new leader restarts every clock`,
    );
    const granted = await waiting;
    assert.ok(
      typeof granted === 'object' && granted.granted,
      `the live session waiting for the lock is granted: ${JSON.stringify(granted)}`,
    );
    assert.ok(Number(granted.token) > Number(held.token));
    keeping = false;
    await keeper;
    assert.deepEqual(refusals, [], 'the live session was never refused');
    const list = await anyNode<SessionListResponse__Output>('SessionList', {});
    assert.ok(list.sessions.some((s) => s.sessionId === live));
  });
});
