// PeerTransport on loopback: batches both ways, chunked snapshots, back-pressure, foreign
// clusters, malformed and garbage traffic, and a peer that restarts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { Message } from '../../src/raft/messages.js';
import type { PeerBatch } from '../../src/transport/generated/palisade/v1/PeerBatch.js';
import type { SnapshotChunk } from '../../src/transport/generated/palisade/v1/SnapshotChunk.js';
import { loadRaftProto } from '../../src/transport/raft-proto.js';
import type { TransportLogger } from '../../src/transport/logger.js';
import { eventually, heartbeat, testNode, type TestNode } from './helpers.js';

const service = loadRaftProto().palisade.v1.RaftPeer.service;
const started: TestNode[] = [];

async function pair(opts: Parameters<typeof testNode>[0] extends infer O ? Partial<O> : never = {}): Promise<[TestNode, TestNode]> {
  const a = testNode({ ...opts, nodeId: 'n1' });
  const b = testNode({ ...opts, nodeId: 'n2' });
  started.push(a, b);
  await Promise.all([a.transport.start(), b.transport.start()]);
  a.transport.setPeer('n2', b.transport.address);
  b.transport.setPeer('n1', a.transport.address);
  return [a, b];
}

after(async () => {
  await Promise.all(started.map((n) => n.transport.stop()));
});

interface CallResult {
  code: grpc.status;
  details: string;
}

/** Writes raw bytes on a RaftPeer client stream, as a broken or hostile peer would. */
function rawCall(
  address: string,
  method: 'Stream' | 'InstallSnapshot',
  payloads: Buffer[],
  creds = grpc.credentials.createInsecure(),
): Promise<CallResult> {
  const client = new grpc.Client(address, creds);
  return new Promise<CallResult>((resolve) => {
    const call = client.makeClientStreamRequest<Buffer, Buffer>(
      `/palisade.v1.RaftPeer/${method}`,
      (b) => b,
      (b) => b,
      { deadline: Date.now() + 5000 },
      (err) => {
        client.close();
        resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' });
      },
    );
    call.on('error', () => {});
    for (const p of payloads) call.write(p);
    call.end();
  });
}

const batchBytes = (b: PeerBatch): Buffer => service.Stream.requestSerialize(b);
const chunkBytes = (c: SnapshotChunk): Buffer => service.InstallSnapshot.requestSerialize(c);

describe('PeerTransport', () => {
  test('two transports exchange messages in order, batched on one stream per direction', async () => {
    const [a, b] = await pair();
    const outbound = Array.from({ length: 200 }, (_, i) => heartbeat('n1', 'n2', i));
    a.transport.send(outbound);
    await eventually(() => b.received.length === 200, 'n2 receives 200 heartbeats');
    assert.deepEqual(b.received, outbound);
    const stats = a.transport.stats().peers.get('n2');
    assert.ok(stats !== undefined);
    assert.equal(stats.sentMessages, 200);
    assert.ok(stats.sentBatches < 200, `200 messages went out in ${stats.sentBatches} batches`);
    assert.equal(stats.connects, 1);

    const replies: Message[] = outbound.map((m) => ({
      type: 'heartbeatResponse',
      from: 'n2',
      to: 'n1',
      term: 1,
      round: (m as { round: number }).round,
    }));
    for (const r of replies) b.transport.send([r]);
    await eventually(() => a.received.length === 200, 'n1 receives 200 responses');
    assert.deepEqual(a.received, replies);
  });

  test('large appends under back-pressure arrive complete and in order', async () => {
    const [a, b] = await pair({ limits: { queueMessages: 10_000 } });
    const payload = (i: number) => new Uint8Array(200_000).fill(i % 251);
    const sent: Message[] = Array.from({ length: 60 }, (_, i) => ({
      type: 'appendEntries',
      from: 'n1',
      to: 'n2',
      term: 2,
      prevIndex: i,
      prevTerm: 1,
      commit: 0,
      entries: [{ term: 2, index: i + 1, type: 'normal', data: payload(i) }],
    }));
    a.transport.send(sent);
    await eventually(() => b.received.length === 60, '60 large appends arrive', 10_000);
    assert.deepEqual(b.received, sent);
    const stats = a.transport.stats().peers.get('n2');
    assert.ok(stats !== undefined && stats.sentBatches > 1, 'a 12 MB backlog is split into several batches');
    assert.equal(stats.dropped.queueFull, 0);
  });

  test('§7: a snapshot larger than the gRPC message limit arrives chunked and intact; the sender learns it succeeded', async () => {
    const [a, b] = await pair({ limits: { maxMessageBytes: 1 << 20, snapshotChunkBytes: 64 << 10 } });
    const data = new Uint8Array(5 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const m: Message = {
      type: 'installSnapshot',
      from: 'n1',
      to: 'n2',
      term: 3,
      snapshot: { metadata: { index: 1000, term: 2, confState: { voters: ['n1', 'n2', 'n3'], learners: [] } }, data },
    };
    a.transport.send([m, heartbeat('n1', 'n2', 1)]);
    await eventually(() => b.received.some((r) => r.type === 'installSnapshot'), 'the snapshot arrives', 10_000);
    const got = b.received.find((r) => r.type === 'installSnapshot');
    assert.deepEqual(got, m);
    await eventually(() => a.snapshots.length === 1, 'reportSnapshot is called');
    assert.deepEqual(a.snapshots, [['n2', true]]);
  });

  test('a snapshot to an unreachable peer is reported as failed (reportSnapshot false, reportUnreachable)', async () => {
    const gone = testNode({ nodeId: 'n9' });
    const address = await gone.transport.start();
    await gone.transport.stop();
    const a = testNode({ nodeId: 'n1', peers: new Map([['n9', address]]), limits: { connectTimeoutMs: 300 } });
    started.push(a);
    await a.transport.start();
    a.transport.send([
      {
        type: 'installSnapshot',
        from: 'n1',
        to: 'n9',
        term: 1,
        snapshot: { metadata: { index: 1, term: 1, confState: { voters: ['n1'], learners: [] } }, data: new Uint8Array(10) },
      },
    ]);
    await eventually(() => a.snapshots.length === 1, 'the failed snapshot is reported');
    assert.deepEqual(a.snapshots, [['n9', false]]);
    assert.ok(a.unreachable.includes('n9'));
  });

  test('a full queue towards an absent peer drops the oldest messages, counts them and reports the peer unreachable', async () => {
    const gone = testNode({ nodeId: 'n9' });
    const address = await gone.transport.start();
    await gone.transport.stop();
    const a = testNode({ nodeId: 'n1', peers: new Map([['n9', address]]), limits: { queueMessages: 10 } });
    started.push(a);
    await a.transport.start();
    a.transport.send(Array.from({ length: 25 }, (_, i) => heartbeat('n1', 'n9', i)));
    const stats = a.transport.stats().peers.get('n9');
    assert.ok(stats !== undefined);
    assert.notEqual(stats.state, 'streaming');
    assert.equal(stats.queued, 10);
    assert.equal(stats.dropped.queueFull, 15);
    assert.equal(stats.droppedByType.heartbeat, 15);
    assert.ok(a.unreachable.includes('n9'));
    // Unknown recipients are counted, not thrown at the Ready loop.
    a.transport.send([heartbeat('n1', 'nobody', 1)]);
    assert.equal(a.transport.stats().undeliverable, 1);
  });

  test('a node of another cluster is refused with FAILED_PRECONDITION naming both cluster ids', async () => {
    const [a] = await pair();
    const errors: string[] = [];
    const logger: TransportLogger = { debug() {}, info() {}, warn() {}, error: (o) => errors.push(JSON.stringify(o)) };
    const foreign = testNode({ nodeId: 'n3', clusterId: 'beta', logger, peers: new Map([['n1', a.transport.address]]) });
    started.push(foreign);
    await foreign.transport.start();
    const before = a.received.length;
    foreign.transport.send([heartbeat('n3', 'n1', 1)]);
    await eventually(() => errors.length > 0, 'the foreign node logs the refusal');
    const stats = foreign.transport.stats().peers.get('n1');
    assert.match(
      stats?.lastError ?? '',
      /cluster id mismatch: node "n3" belongs to cluster "beta" but node "n1" belongs to cluster "alpha"/,
    );
    assert.equal(a.received.length, before, 'nothing from the foreign cluster reached the core');

    const raw = await rawCall(a.transport.address, 'Stream', [batchBytes({ clusterId: 'beta', from: 'n3', to: 'n1', messages: [] })]);
    assert.equal(raw.code, grpc.status.FAILED_PRECONDITION);
    assert.match(raw.details, /"beta".*"alpha"/);
    const rawSnap = await rawCall(a.transport.address, 'InstallSnapshot', [
      chunkBytes({ clusterId: 'beta', from: 'n3', to: 'n1', data: Buffer.from('x') }),
    ]);
    assert.equal(rawSnap.code, grpc.status.FAILED_PRECONDITION);
  });

  // The sender's grpc-js holds every message written on a stream for a possible retry until the
  // call is committed, which the server's response headers do (else up to 1 MiB per stream).
  test('a peer stream gets its response headers as soon as it opens', async () => {
    const [a] = await pair();
    const client = new grpc.Client(a.transport.address, grpc.credentials.createInsecure());
    try {
      const call = client.makeClientStreamRequest<Buffer, Buffer>(
        '/palisade.v1.RaftPeer/Stream',
        (b) => b,
        (b) => b,
        () => {},
      );
      call.on('error', () => {});
      let headers = false;
      call.on('metadata', () => (headers = true));
      call.write(batchBytes({ clusterId: 'alpha', from: 'n2', to: 'n1', messages: [] }));
      await eventually(() => headers, 'response headers while the stream is open', 3000);
      call.cancel();
    } finally {
      client.close();
    }
  });

  test('malformed and garbage payloads get INVALID_ARGUMENT and the server keeps serving', async () => {
    const [a, b] = await pair();
    const addr = a.transport.address;
    const env = { clusterId: 'alpha', from: 'n2', to: 'n1' };
    const cases: [string, 'Stream' | 'InstallSnapshot', Buffer[], RegExp][] = [
      ['invalid wire type', 'Stream', [Buffer.from([0x37, 0x01, 0x02])], /not a valid protobuf message/],
      // protobufjs reads field 1 as a string whatever its wire type: it parses, but as nonsense.
      ['bytes that happen to parse', 'Stream', [Buffer.from([0x0f, 0x01, 0x02])], /from: node id is empty/],
      ['length beyond the end', 'Stream', [Buffer.from([0x3a, 0x10, 0x41])], /not a valid protobuf message: index out of range/],
      [
        'term above 2^53',
        'Stream',
        [batchBytes({ ...env, messages: [{ term: '18446744073709551615', heartbeat: {} }] })],
        /messages\[0\]\.term: 18446744073709551615 exceeds 2\^53-1/,
      ],
      ['no message body', 'Stream', [batchBytes({ ...env, messages: [{ term: '1' }] })], /messages\[0\]: no message body/],
      ['empty cluster id', 'Stream', [batchBytes({ ...env, clusterId: '', messages: [] })], /clusterId: cluster id is empty/],
      [
        'bad entry type',
        'Stream',
        [batchBytes({ ...env, messages: [{ term: '1', propose: { entries: [{ term: '1', index: '1' }] } }] })],
        /entries\[0\]\.type: entry type is missing/,
      ],
      ['garbage chunk', 'InstallSnapshot', [Buffer.from([0xff, 0xff, 0xff])], /not a valid protobuf message/],
      [
        'data before header',
        'InstallSnapshot',
        [chunkBytes({ ...env, data: Buffer.from('abc') })],
        /first chunk of a snapshot must be its header/,
      ],
      [
        'truncated snapshot',
        'InstallSnapshot',
        [chunkBytes({ ...env, header: { term: '1', size: '10', metadata: { index: '1', term: '1', confState: { voters: ['n1'] } } } })],
        /truncated: received 0 of 10/,
      ],
    ];
    for (const [name, method, payloads, details] of cases) {
      const r = await rawCall(addr, method, payloads);
      assert.equal(r.code, grpc.status.INVALID_ARGUMENT, `${name}: got ${grpc.status[r.code]} ${r.details}`);
      assert.match(r.details, details, name);
    }
    const misaddressed = await rawCall(addr, 'Stream', [batchBytes({ ...env, to: 'n7', messages: [] })]);
    assert.equal(misaddressed.code, grpc.status.FAILED_PRECONDITION);
    assert.match(misaddressed.details, /addressed node "n7" but reached node "n1"/);

    assert.equal(a.received.length, 0, 'nothing malformed reached the core');
    b.transport.send([heartbeat('n2', 'n1', 42)]);
    await eventually(() => a.received.length === 1, 'a well-formed message still arrives');
    assert.deepEqual(a.received, [heartbeat('n2', 'n1', 42)]);
  });

  test('a handler that throws does not cut the stream; a taken port fails start() clearly', async () => {
    const [a, b] = await pair();
    let calls = 0;
    b.transport.onMessage((m) => {
      calls++;
      if ((m as { round: number }).round === 1) throw new Error('boom');
      b.received.push(m);
    });
    a.transport.send([heartbeat('n1', 'n2', 1), heartbeat('n1', 'n2', 2)]);
    await eventually(() => b.received.length === 1, 'the message after the throwing one arrives');
    assert.equal(calls, 2);
    assert.equal(a.transport.stats().peers.get('n2')?.connects, 1, 'no reconnect was needed');

    const clash = testNode({ nodeId: 'n5', listen: a.transport.address });
    await assert.rejects(clash.transport.start(), new RegExp(`cannot listen on ${a.transport.address}`));
  });

  test('a peer that restarts on the same address is reconnected', async () => {
    const [a, b] = await pair();
    a.transport.send([heartbeat('n1', 'n2', 0)]);
    await eventually(() => b.received.length === 1, 'first heartbeat');
    const address = b.transport.address;
    await b.transport.stop();
    await eventually(() => a.transport.stats().peers.get('n2')?.state !== 'streaming', 'n1 notices n2 is gone');
    assert.ok(a.unreachable.includes('n2'), 'the core was told n2 is unreachable');

    const b2 = testNode({ nodeId: 'n2', listen: address });
    started.push(b2);
    await b2.transport.start();
    let round = 1;
    await eventually(() => {
      a.transport.send([heartbeat('n1', 'n2', round++)]);
      return b2.received.length > 0;
    }, 'the restarted n2 receives heartbeats again');
    const stats = a.transport.stats().peers.get('n2');
    assert.equal(stats?.state, 'streaming');
    assert.ok((stats?.connects ?? 0) >= 2);
  });
  test('a restarted peer is reconnected as soon as its first batch arrives, not at the end of the back-off', async () => {
    // Back-off long enough that waiting it out would fail the deadline below.
    const [a, b] = await pair({ backoff: { initialMs: 4000, maxMs: 4000, jitter: 0 } });
    a.transport.send([heartbeat('n1', 'n2', 0)]);
    await eventually(() => b.received.length === 1, 'first heartbeat');
    const address = b.transport.address;
    await b.transport.stop();
    await eventually(() => a.transport.stats().peers.get('n2')?.state === 'backoff', 'n1 waits out its back-off towards n2');

    const b2 = testNode({ nodeId: 'n2', listen: address });
    started.push(b2);
    await b2.transport.start();
    b2.transport.setPeer('n1', a.transport.address);
    b2.transport.send([heartbeat('n2', 'n1', 0)]);
    await eventually(() => a.received.some((m) => m.from === 'n2'), 'n1 hears from the restarted n2');
    a.transport.send([heartbeat('n1', 'n2', 1)]);
    await eventually(() => b2.received.length > 0, 'the restarted n2 receives a heartbeat well within the back-off', 2000);
  });

  test('a peer that reaches us while we cannot reach it cuts the back-off short only once per failure streak', async () => {
    const [a, b] = await pair({ backoff: { initialMs: 4000, maxMs: 4000, jitter: 0 } });
    // n1 believes n2 is at a port where nothing listens: every connection attempt fails.
    const nowhere = testNode({ nodeId: 'n9' });
    started.push(nowhere);
    await nowhere.transport.start();
    const deadAddress = nowhere.transport.address;
    await nowhere.transport.stop();
    a.transport.setPeer('n2', deadAddress);
    await eventually(() => a.transport.stats().peers.get('n2')?.state === 'backoff', 'n1 cannot reach n2');
    for (let round = 0; round < 20; round++) {
      b.transport.send([heartbeat('n2', 'n1', round)]);
      await eventually(() => a.received.filter((m) => m.from === 'n2').length > round, `heartbeat ${round} from n2`);
    }
    const failures = a.transport.stats().peers.get('n2')?.failures ?? 0;
    assert.ok(failures <= 2, `n1 tried to reach n2 ${failures} times: the back-off must hold (one early try at most)`);
  });
});
