// Membership changes and leadership transfer are decided by the leader (a follower answers the
// not-leader redirect), a removed node learns it and stops, and the leader's status reports when
// it last heard from each follower. A real 3-node cluster in this process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { connect } from '../../src/client/connect.js';
import { LEADER_ADDRESS_METADATA_KEY, LEADER_ID_METADATA_KEY } from '../../src/errors.js';
import { RemovedFromClusterError } from '../../src/server/removal.js';
import { startNode, type PalisadeNode } from '../../src/server/node.js';
import { rmSync } from 'node:fs';
import { call, errorCode, rawClient, startCluster, waitUntil, type TestCluster } from './helpers.js';

describe('§6 membership changes go to the leader', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster(3);
  });
  after(async () => {
    await c.close();
  });

  const followerOf = async (): Promise<{ leader: PalisadeNode; follower: PalisadeNode }> => {
    const leader = await c.leader();
    const follower = [...c.nodes.values()].find((n) => n.id !== leader.id)!;
    return { leader, follower };
  };

  test('a follower answers member changes and transfers with the redirect to the leader', async () => {
    const { leader, follower } = await followerOf();
    const client = rawClient(follower.address);
    for (const [method, req] of [
      ['MemberRemove', { id: follower.id }],
      ['MemberRemove', { id: 'n9' }],
      ['MemberAdd', { id: 'n9', address: '127.0.0.1:1', learner: true }],
      ['MemberPromote', { id: 'n9' }],
      ['TransferLeadership', { to: follower.id }],
    ] as const) {
      await assert.rejects(call(client, method, req), (err: unknown) => {
        assert.deepEqual(errorCode(err), { code: GrpcStatus.UNAVAILABLE, reason: 'NO_LEADER' }, method);
        const md = (err as { metadata: import('@grpc/grpc-js').Metadata }).metadata;
        assert.equal(md.get(LEADER_ADDRESS_METADATA_KEY)[0], leader.address, `${method} names the leader's address`);
        assert.equal(md.get(LEADER_ID_METADATA_KEY)[0], leader.id);
        return true;
      });
    }
    assert.equal(follower.status().members.length, 3, 'nothing was changed');
  });

  test("the leader's status: every follower heard from recently (heartbeat responses count), all reachable", async () => {
    const leader = await c.leader();
    const contacts: number[] = [];
    for (let i = 0; i < 40; i++) {
      const st = leader.status();
      for (const m of st.members) {
        if (m.id === leader.id) continue;
        contacts.push(m.lastContactMs);
        assert.equal(m.reachable, true, `${m.id} reachable at sample ${i} (last contact ${m.lastContactMs} ms)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 7));
    }
    contacts.sort((a, b) => a - b);
    const median = contacts[contacts.length >> 1];
    // Heartbeats every 20 ms: a follower answers each one, so the median is about half of that.
    assert.ok(median >= 0 && median < 100, `median last contact ${median} ms (${contacts.join(',')})`);
  });

  test('removing a follower through its own endpoint: the client follows the redirect, the removed node stops itself', async () => {
    const { leader, follower } = await followerOf();
    const others = [...c.nodes.values()].filter((n) => n.id !== follower.id);
    const client = connect([follower.address, ...others.map((n) => n.address)], { timeoutMs: 5000 });
    try {
      const r = await client.members.remove(follower.id);
      assert.ok(r.index > 0, 'the leader applied the removal');
      assert.deepEqual(r.members.map((m) => m.id).sort(), others.map((n) => n.id).sort());
    } finally {
      client.close();
    }
    // The leader no longer replicates to it, so it usually never applies its own removal: it
    // hears from no leader, asks the members, and stops with the removal error.
    const outcome = await withTimeout(follower.stopped, 10_000, `${follower.id} to stop after its removal`);
    assert.ok(outcome.error instanceof RemovedFromClusterError, String(outcome.error));
    assert.equal(outcome.error.nodeId, follower.id);
    c.nodes.delete(follower.id);
    // The rest carry on (2 voters), and nothing the removed node sent disturbed them.
    assert.equal((await c.leader()).status().term, leader.status().term);
    await call(rawClient(leader.address), 'KvPut', { key: 'after/remove', value: 'ok' });
  });

  test('a removed node wiped and added back under the same id replays its old removal and stays', async () => {
    const leader = await c.leader();
    const id = [...c.nodes.keys()].find((x) => x !== leader.id)!;
    const options = c.options.get(id)!;
    const client = connect([leader.address], { timeoutMs: 5000 });
    try {
      await client.members.remove(id);
      const gone = c.nodes.get(id)!;
      await withTimeout(gone.stopped, 10_000, `${id} to stop after its removal`);
      c.nodes.delete(id);
      rmSync(options.dataDir!, { recursive: true, force: true });
      await client.members.add(id, options.listen!, { learner: true });
    } finally {
      client.close();
    }
    const { peers: _founders, ...rest } = options;
    const back = await startNode({ ...rest, join: leader.address });
    c.nodes.set(id, back);
    // Its log holds its first addition, its removal and its new addition: it applies all three.
    await waitUntil(
      `${id} to replicate as a learner`,
      () => back.status().role === 'learner' && back.status().appliedIndex >= leader.status().commitIndex,
    );
    const early = await Promise.race([back.stopped, new Promise((resolve) => setTimeout(() => resolve('running'), 2500))]);
    assert.equal(early, 'running', `${id} must not stop: ${JSON.stringify(early)}`);
  });
});

describe('§6 removing the leader', () => {
  test('the leader applies its own removal, hands over, and stops with the removal error once a member confirms it', async () => {
    const c = await startCluster(3);
    try {
      const leader = await c.leader();
      const r = await call<{ members: { id: string }[] }>(rawClient(leader.address), 'MemberRemove', { id: leader.id });
      assert.ok(!r.members.some((m) => m.id === leader.id));
      const outcome = await withTimeout(leader.stopped, 10_000, 'the removed leader to stop');
      assert.ok(outcome.error instanceof RemovedFromClusterError, String(outcome.error));
      c.nodes.delete(leader.id);
      const next = await c.leader();
      assert.notEqual(next.id, leader.id);
      assert.deepEqual(
        next
          .status()
          .members.map((m) => m.id)
          .sort(),
        [...c.nodes.keys()].sort(),
      );
    } finally {
      await c.close();
    }
  });

  test('a second remove of a removed member: the leader answers NOT_FOUND (member-change-retry: a retrying client reports success)', async () => {
    const c = await startCluster(3);
    try {
      const leader = await c.leader();
      const victim = [...c.nodes.values()].find((n) => n.id !== leader.id)!;
      await call(rawClient(leader.address), 'MemberRemove', { id: victim.id });
      await assert.rejects(
        call(rawClient(leader.address), 'MemberRemove', { id: victim.id }),
        (err: unknown) => errorCode(err).code === GrpcStatus.NOT_FOUND,
      );
      await waitUntil(
        'the removed node to stop',
        async () => (await Promise.race([victim.stopped, Promise.resolve(undefined)])) !== undefined,
        10_000,
        50,
      );
      c.nodes.delete(victim.id);
    } finally {
      await c.close();
    }
  });
});

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
