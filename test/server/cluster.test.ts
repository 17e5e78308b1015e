// A real 3-node cluster in this process: LevelDB storage in temp dirs, gRPC on loopback.
// Every wait is a bounded poll for a condition.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { KvGetResponse__Output } from '../../src/transport/generated/palisade/v1/KvGetResponse.js';
import type { KvPutResponse__Output } from '../../src/transport/generated/palisade/v1/KvPutResponse.js';
import type { MemberChangeResponse__Output } from '../../src/transport/generated/palisade/v1/MemberChangeResponse.js';
import type { StatusResponse__Output } from '../../src/transport/generated/palisade/v1/StatusResponse.js';
import { startNode, type NodeEvent, type PalisadeNode } from '../../src/server/node.js';
import { call, errorCode, freePorts, rawClient, silent, startCluster, waitUntil, type TestCluster } from './helpers.js';
import { join } from 'node:path';

describe('a 3-node cluster (§5.2 election, §5.3 replication, linearizable reads)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster(3);
  });
  after(async () => {
    await c.close();
  });

  const others = (id: string): PalisadeNode[] => [...c.nodes.values()].filter((n) => n.id !== id);

  test('elects exactly one leader that every node agrees on', async () => {
    const leader = await c.leader();
    for (const n of c.nodes.values()) assert.equal(n.status().leader, leader.id);
    const st = leader.status();
    assert.equal(st.members.length, 3);
    assert.ok(st.members.every((m) => m.voter));
    // Reachability is what the leader has heard since it took over: it settles within a heartbeat or two.
    await waitUntil('every member reachable from the leader', () => leader.status().members.every((m) => m.reachable));
  });

  test('a put on a follower is readable linearizably on another follower', async () => {
    const leader = await c.leader();
    const [f1, f2] = others(leader.id);
    const put = await call<KvPutResponse__Output>(rawClient(f1.address), 'KvPut', { key: 'app/x', value: 'hello' });
    assert.equal(put.duplicate, false);
    const got = await call<KvGetResponse__Output>(rawClient(f2.address), 'KvGet', { key: 'app/x' });
    assert.equal(got.found, true);
    assert.equal(got.kv?.value, 'hello');
    assert.equal(got.kv?.modRevision, put.revision);
  });

  test('a retried put with the same request id is applied once', async () => {
    const leader = await c.leader();
    const [f1] = others(leader.id);
    const req = { key: 'app/once', value: 'v', request: { clientId: 'test-client', requestId: 'r-1' } };
    const first = await call<KvPutResponse__Output>(rawClient(f1.address), 'KvPut', req);
    const again = await call<KvPutResponse__Output>(rawClient(leader.address), 'KvPut', req);
    assert.equal(again.duplicate, true);
    assert.equal(again.revision, first.revision);
    const got = await call<KvGetResponse__Output>(rawClient(leader.address), 'KvGet', { key: 'app/once' });
    assert.equal(got.kv?.version, '1', 'one put, one version');
  });

  test('malformed requests get INVALID_ARGUMENT with the palisade-error code', async () => {
    const client = rawClient((await c.leader()).address);
    for (const [method, req] of [
      ['KvPut', { key: '', value: 'x' }],
      ['KvGet', { key: '' }],
      ['KvCas', { key: 'k', value: 'x', expectedRevision: '18446744073709551615' }],
      ['KvPut', { key: 'k', value: 'x', request: { clientId: 'only-client' } }],
      ['MemberAdd', { id: 'Bad Id', address: '127.0.0.1:1' }],
      ['MemberAdd', { id: 'n9', address: 'no-port' }],
    ] as const) {
      await assert.rejects(call(client, method, req), (err: unknown) => {
        assert.deepEqual(
          errorCode(err),
          { code: GrpcStatus.INVALID_ARGUMENT, reason: 'INVALID_ARGUMENT' },
          `${method} ${JSON.stringify(req)}`,
        );
        return true;
      });
    }
    await assert.rejects(call(client, 'MemberRemove', { id: 'n9' }), (err: unknown) => errorCode(err).code === GrpcStatus.NOT_FOUND);
  });

  test('KvWatch streams puts and deletes under a prefix from a revision', async () => {
    const client = rawClient((await c.leader()).address);
    const first = await call<KvPutResponse__Output>(client, 'KvPut', { key: 'w/a', value: '1' });
    const stream = (client as unknown as { KvWatch(req: object): NodeJS.EventEmitter & { cancel(): void } }).KvWatch({
      prefix: 'w/',
      fromRevision: first.revision,
    });
    const got: { type: string; kv: { key: string } }[] = [];
    stream.on('data', (e: { type: string; kv: { key: string } }) => got.push(e));
    stream.on('error', () => {});
    await call(client, 'KvPut', { key: 'w/b', value: '2' });
    await call(client, 'KvDelete', { key: 'w/a' });
    await call(client, 'KvPut', { key: 'other', value: '3' });
    await waitUntil('three watch events', () => got.length >= 3);
    stream.cancel();
    assert.deepEqual(
      got.map((e) => `${e.type} ${e.kv.key}`),
      ['put w/a', 'put w/b', 'delete w/a'],
    );
  });

  test('Status over gRPC: the leader reports every member with match index', async () => {
    const leader = await c.leader();
    const st = await call<StatusResponse__Output>(rawClient(leader.address), 'Status', {});
    assert.equal(st.nodeId, leader.id);
    assert.equal(st.leader, leader.id);
    assert.deepEqual(
      st.members.map((m) => m.id),
      ['n1', 'n2', 'n3'],
    );
    assert.ok(st.members.every((m) => Number(m.matchIndex) > 0));
  });

  test('HTTP /health, /status and /metrics respond', async () => {
    await c.leader();
    const n = [...c.nodes.values()][0];
    const health = await fetch(`http://${n.httpAddress}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    const status = (await (await fetch(`http://${n.httpAddress}/status`)).json()) as { id: string; members: unknown[] };
    assert.equal(status.id, n.id);
    assert.equal(status.members.length, 3);
    const metrics = await (await fetch(`http://${n.httpAddress}/metrics`)).text();
    for (const name of [
      'palisade_raft_term',
      'palisade_raft_commit_index',
      'palisade_raft_applied_index',
      'palisade_raft_is_leader',
      'palisade_raft_leader_changes_total',
      'palisade_proposals_total',
      'palisade_ready_loop_duration_seconds_bucket',
      'palisade_snapshots_taken_total',
      'palisade_transport_received_total',
    ]) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), `${name} in /metrics`);
    }
    // The process's own figures: the node runs in this test process, so they must match ours.
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(rss > 10 * 2 ** 20 && Math.abs(rss - process.memoryUsage.rss()) < 256 * 2 ** 20, `process_resident_memory_bytes ${rss}`);
    assert.match(metrics, /^nodejs_heap_size_used_bytes [1-9]\d*$/m);
    assert.match(metrics, /^process_cpu_seconds_total \d+(\.\d+)?$/m);
    // /primary is 200 only on the active node (test/ha/server-promote.test.ts checks which).
    assert.ok([200, 503].includes((await fetch(`http://${n.httpAddress}/primary`)).status), '/primary is served');
  });

  test('stop() of the leader hands leadership to another node before closing', async () => {
    const leader = await c.leader();
    const events: NodeEvent[] = [];
    const successor = others(leader.id);
    const subs = successor.map((n) => n.events());
    const reading = subs.map(async (s) => {
      for await (const e of s) events.push(e);
    });
    const term = leader.status().term;
    await leader.stop();
    // No election timeout had to pass: the new leader already leads when stop() returns.
    const now = successor.filter((n) => n.status().role === 'leader');
    assert.equal(now.length, 1, 'a successor leads as soon as stop() returns');
    assert.equal(now[0].status().term, term + 1, 'one election, started by TimeoutNow');
    c.nodes.delete(leader.id);
    await waitUntil('the leaderChanged event', () => events.some((e) => e.type === 'leaderChanged' && e.leader === now[0].id));
    for (const s of subs) (s as unknown as { return(): void }).return();
    await Promise.all(reading);
    // Restart from the data dir: the data is still there.
    const back = await c.restart(leader.id);
    await waitUntil('the restarted node to apply app/x', async () => {
      const got = await call<KvGetResponse__Output>(rawClient(back.address), 'KvGet', { key: 'app/x', serializable: true });
      return got.found && got.kv?.value === 'hello';
    });
    await c.leader();
  });
});

describe('membership and snapshots', () => {
  test('a node added as a learner joins, is promoted, catches up from a snapshot and is removed (§6, §7)', async () => {
    const c = await startCluster(3, { snapshotEntries: 20 });
    let n4: PalisadeNode | undefined;
    try {
      const leader = await c.leader();
      const client = rawClient(leader.address);
      for (let i = 0; i < 45; i++) await call(client, 'KvPut', { key: `k/${i}`, value: String(i) });
      const [port, httpPort] = await freePorts(2);
      const address = `127.0.0.1:${port}`;
      const added = await call<MemberChangeResponse__Output>(client, 'MemberAdd', { id: 'n4', address, learner: true });
      assert.ok(added.members.some((m) => m.id === 'n4' && !m.voter));
      n4 = await startNode({
        id: 'n4',
        listen: address,
        dataDir: join(c.dir, 'n4'),
        http: `127.0.0.1:${httpPort}`,
        join: leader.address,
        heartbeatMs: 20,
        electionTimeoutMs: 150,
        logger: silent,
      });
      await waitUntil('n4 to catch up', async () => {
        const got = await call<KvGetResponse__Output>(rawClient(n4!.address), 'KvGet', { key: 'k/44', serializable: true });
        return got.found;
      });
      assert.equal(n4.status().role, 'learner');
      const n4metrics = await (await fetch(`http://${n4.httpAddress}/metrics`)).text();
      assert.match(n4metrics, /^palisade_snapshots_restored_total 1$/m, "n4 started from the leader's snapshot");
      const promoted = await call<MemberChangeResponse__Output>(client, 'MemberPromote', { id: 'n4' });
      assert.ok(promoted.members.some((m) => m.id === 'n4' && m.voter));
      await waitUntil('n4 to see itself as a voter', () => n4!.status().role === 'follower');
      const metrics = await (await fetch(`http://${[...c.nodes.values()][0].httpAddress}/metrics`)).text();
      assert.match(metrics, /^palisade_snapshots_taken_total [1-9]/m, 'the log was compacted');
      const removed = await call<MemberChangeResponse__Output>(client, 'MemberRemove', { id: 'n4' });
      assert.ok(!removed.members.some((m) => m.id === 'n4'));
    } finally {
      await n4?.stop();
      await c.close();
    }
  });
});
