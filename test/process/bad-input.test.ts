// Real agent processes fed bad input: an invalid configuration (exit 2, every problem listed,
// nothing written), a data dir of another cluster or another node, a corrupt log entry (a clear
// fail-stop naming the data dir and index; the other nodes lose nothing and the node can be
// rebuilt as the message advises), and garbage on the gRPC port (the node keeps serving).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Level } from 'level';
import { dataDirPaths } from '../../src/storage/data-dir.js';
import { ENTRY_KEYS_FROM, ENTRY_KEYS_TO, entryKey, entryKeyIndex } from '../../src/storage/keys.js';
import { ProcessCluster, freePorts, requireBuild, runCli, waitFor } from './process-cluster.js';

describe('invalid configuration', { concurrency: false }, () => {
  let dir: string;
  before(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'palisade-badcfg-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('flags: exit 2, every problem listed with a fix, nothing written to the data dir', async () => {
    const dataDir = join(dir, 'flags-data');
    const r = await runCli([
      'agent',
      '--id',
      'Bad!',
      '--listen',
      'nowhere',
      '--data-dir',
      dataDir,
      '--peers',
      'n2=127.0.0.1:7102',
      '--heartbeat-ms',
      '0',
      '--log-level',
      'loud',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid configuration \((\d+) problems\)/);
    const count = Number(/\((\d+) problems\)/.exec(r.stderr)![1]);
    assert.ok(count >= 4, `expected at least 4 problems, got ${count}:\n${r.stderr}`);
    for (const field of [/id: "Bad!"/, /listen: "nowhere" is not host:port/, /heartbeat-ms/, /log-level: "loud"/])
      assert.match(r.stderr, field);
    assert.match(r.stderr, /Nothing was started or written/);
    assert.equal(existsSync(dataDir), false, 'the data dir was not created');
  });

  test('YAML file: exit 2, problems named by file:line, nothing written', async () => {
    const dataDir = join(dir, 'yaml-data');
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      ['id: n1', 'listen: 127.0.0.1:7101', `data-dir: ${dataDir}`, 'heartbeat: 50', 'election-timeout-ms: soon', ''].join('\n'),
    );
    const r = await runCli(['agent', '--config', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1: unknown key "heartbeat" — did you mean "heartbeat-ms"\\?`),
    );
    assert.match(r.stderr, /:5:\d+: election-timeout-ms: expected a whole number/);
    assert.equal(existsSync(dataDir), false, 'the data dir was not created');
  });

  test('a new data dir with neither --peers nor --join: exit 2, nothing written', async () => {
    const [port] = await freePorts(1);
    const dataDir = join(dir, 'lonely');
    const r = await runCli(['agent', '--id', 'n1', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /peers|join/);
    assert.ok(!existsSync(dataDir) || readdirSync(dataDir).length === 0, 'nothing was written to the data dir');
  });
});

describe('bad data dirs and garbage on the wire (3-node cluster "alpha")', { concurrency: false }, () => {
  let c: ProcessCluster;
  const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);

  before(async () => {
    c = await ProcessCluster.start({ size: 3, cluster: 'alpha', spareIds: ['n4', 'x9'] });
    const client = c.connect();
    for (const k of keys) await client.kv.put(k, `v-${k}`);
    client.close();
  });
  after(() => c?.close());

  /** Every key still there, read linearizably through the given nodes. */
  async function allKeysOn(ids: readonly string[]): Promise<void> {
    const client = c.connect(ids);
    try {
      const got = await client.kv.list('k');
      assert.deepEqual(new Map(got.kvs.map((kv) => [kv.key, kv.value])), new Map(keys.map((k) => [k, `v-${k}`])));
    } finally {
      client.close();
    }
  }

  test('a data dir of another cluster: a clear error, non-zero exit, the dir untouched', async () => {
    await c.signal('n3', 'SIGTERM');
    const args = c.agentArgs('n3').map((a) => (a === 'alpha' ? 'beta' : a));
    c.start('n3', args);
    const exit = await c.exitOf('n3');
    assert.notEqual(exit.code, 0);
    assert.equal(exit.signal, null);
    const log = c.log('n3');
    assert.match(log, /belongs to cluster "alpha", but this agent is configured for cluster "beta"/);
    assert.ok(log.includes(c.node('n3').dataDir), 'the message names the data dir');
  });

  test('a data dir of another node: a clear error, non-zero exit', async () => {
    // n4 (never a member) pointed at n3's data dir.
    const n3dir = c.node('n3').dataDir;
    const args = c.agentArgs('n4', { join: c.node('n1').address }).map((a) => (a === c.node('n4').dataDir ? n3dir : a));
    c.start('n4', args);
    const exit = await c.exitOf('n4');
    assert.notEqual(exit.code, 0);
    assert.match(c.log('n4'), /data dir \S+ belongs to node "n3", but this agent is node "n4"/);
  });

  test('after both refusals n3 restarts from its intact data dir and catches up', async () => {
    c.start('n3');
    const { leader } = await c.waitForLeader();
    await c.waitForApplied('n3', (await c.status(leader)).commitIndex);
    await allKeysOn(['n3']);
  });

  test('a corrupt log entry: fail-stop naming the data dir and index; nothing lost elsewhere; rebuild as advised', async () => {
    const { leader } = await c.waitForLeader();
    const victim = c.founders.find((id) => id !== leader)!;
    const others = c.founders.filter((id) => id !== victim);
    await c.kill9(victim);

    // Flip one byte inside a stored entry, as a disk fault would (same approach as
    // test/storage/corruption.test.ts, through LevelDB so the damage is not in LevelDB's own framing).
    const { dataDir, storeDir } = dataDirPaths(c.node(victim).dataDir);
    const db = new Level<Uint8Array, Uint8Array>(storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
    const indexes: number[] = [];
    for await (const k of db.keys({ gte: ENTRY_KEYS_FROM, lt: ENTRY_KEYS_TO })) indexes.push(entryKeyIndex(k)!);
    const index = indexes[Math.floor(indexes.length / 2)];
    const value = new Uint8Array(await db.get(entryKey(index)));
    value[value.length - 1] ^= 0x20;
    await db.put(entryKey(index), value);
    await db.close();

    c.start(victim);
    const exit = await c.exitOf(victim);
    assert.notEqual(exit.code, 0);
    assert.equal(exit.signal, null, 'it exits, it does not crash');
    const log = c.log(victim);
    assert.match(log, new RegExp(`corrupt Raft log entry at index ${index} in data dir ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(log, /remove this node from the cluster and add it back/);

    // The other two still have everything and still commit.
    await c.waitForLeader(others);
    await allKeysOn(others);

    // The advice, followed: remove the member, wipe its data dir, add it back, start it with --join.
    const via = c.endpoints(others);
    const removed = await runCli(['members', 'remove', victim, '--endpoints', via]);
    assert.equal(removed.code, 0, removed.stderr);
    rmSync(c.node(victim).dataDir, { recursive: true, force: true });
    const added = await runCli(['members', 'add', victim, c.node(victim).address, '--endpoints', via]);
    assert.equal(added.code, 0, added.stderr);
    c.start(victim, c.agentArgs(victim, { join: c.node(others[0]).address }));
    const next = await c.waitForLeader(others);
    await c.waitForApplied(victim, (await c.status(next.leader)).commitIndex, 20_000);
    await allKeysOn([victim]);
  });

  test('garbage on the gRPC port: the node keeps serving; malformed requests get INVALID_ARGUMENT', async () => {
    const target = 'n1';
    const [host, port] = c.node(target).address.split(':') as [string, string];
    const garbage = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)),
      // A valid HTTP/2 preface followed by a frame header announcing a huge bogus frame.
      Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
        Buffer.from([0xff, 0xff, 0xff, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff]),
        Buffer.alloc(64, 0xab),
      ]),
    ];
    for (const bytes of garbage) {
      await new Promise<void>((ok) => {
        const s = netConnect(Number(port), host, () => s.end(bytes));
        s.on('error', () => ok());
        s.on('close', () => ok());
        s.setTimeout(2000, () => s.destroy());
      });
    }

    // Well-framed gRPC calls whose payload is not a protobuf message.
    const raw = new Client(c.node(target).address, credentials.createInsecure());
    const notProtobuf = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const unaryErr = await new Promise<ServiceError | null>((ok) =>
      raw.makeUnaryRequest(
        '/palisade.v1.Palisade/KvPut',
        (b: Buffer) => b,
        (b: Buffer) => b,
        notProtobuf,
        (err) => ok(err),
      ),
    );
    assert.equal(unaryErr?.code, GrpcStatus.INVALID_ARGUMENT, `KvPut with garbage: ${unaryErr?.message}`);
    const streamErr = await new Promise<ServiceError | null>((ok) => {
      const call = raw.makeClientStreamRequest(
        '/palisade.v1.RaftPeer/Stream',
        (b: Buffer) => b,
        (b: Buffer) => b,
        (err) => ok(err),
      );
      call.write(notProtobuf);
      call.end();
    });
    assert.ok(
      streamErr?.code === GrpcStatus.INVALID_ARGUMENT || streamErr?.code === GrpcStatus.FAILED_PRECONDITION,
      `peer Stream with garbage: ${streamErr?.code} ${streamErr?.message}`,
    );
    raw.close();

    // Still the same process, still serving clients and the cluster.
    assert.ok(c.isRunning(target) && c.node(target).child!.exitCode === null, `${target} is still running`);
    const s = await c.status(target);
    assert.ok(s.leader !== '');
    const client = c.connect([target]);
    await client.kv.put('after-garbage', 'fine');
    assert.equal((await client.kv.get('after-garbage')).kv?.value, 'fine');
    client.close();
  });

  test('a node of another cluster pointed at this one is rejected; this cluster is unaffected', async () => {
    // x9 founds cluster "beta" with n1's address as its peer: its vote requests reach alpha's n1.
    const x9 = c.node('x9');
    const peers = `x9=${x9.address},n1=${c.node('n1').address}`;
    c.start('x9', [
      'agent',
      '--id',
      'x9',
      '--listen',
      x9.address,
      '--data-dir',
      x9.dataDir,
      '--peers',
      peers,
      '--cluster',
      'beta',
      '--election-timeout-ms',
      '300',
    ]);
    await waitFor(
      'n1 to reject beta traffic',
      () => /TRANSPORT_CLUSTER_MISMATCH.*node \\"x9\\" belongs to cluster \\"beta\\"/.test(c.log('n1')),
      15_000,
    );
    await c.signal('x9', 'SIGKILL');
    const alpha = c.founders;
    await c.waitForLeader(alpha);
    const client = c.connect(alpha);
    const members = await client.members.list().finally(() => client.close());
    assert.deepEqual(members.map((m) => m.id).sort(), [...alpha].sort(), 'x9 did not become a member of alpha');
    await allKeysOn(alpha);
  });
});
