// Peer traffic over TLS with client certificates (mTLS) and the peer port's identity rule:
// nodes holding their own certificate of the cluster CA talk; a client without a certificate,
// with one from another CA, with a certificate of a non-member, with another member's
// certificate, or with a user's certificate, gets no message through. A dialling node sends
// only to a server that presents the node certificate of the peer it meant to reach.
// Certificates rotate under a running transport without breaking its streams.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { initCa, issueNode, issueUser, nodePaths, userPaths, caPaths } from '../../src/cli/pki.js';
import type { Message } from '../../src/raft/messages.js';
import { encodeBatch } from '../../src/transport/codec.js';
import { loadRaftProto } from '../../src/transport/raft-proto.js';
import { snapshotChunks } from '../../src/transport/snapshot-chunks.js';
import { TlsMaterial, type TlsConfig } from '../../src/transport/tls.js';
import { eventually, heartbeat, testNode, type TestNode } from './helpers.js';
import { hasOpenssl } from '../openssl.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-tls-'));
const clusterDir = join(dir, 'cluster');
const rogueDir = join(dir, 'rogue');
const started: TestNode[] = [];

function nodeTls(pkiDir: string, id: string): TlsConfig {
  const p = nodePaths(pkiDir, id);
  return { certFile: p.cert, keyFile: p.key, caFile: caPaths(pkiDir).cert };
}

function creds(paths: { cert: string; key: string } | undefined): grpc.ChannelCredentials {
  const ca = readFileSync(caPaths(clusterDir).cert);
  if (paths === undefined) return grpc.credentials.createSsl(ca);
  return grpc.credentials.createSsl(ca, readFileSync(paths.key), readFileSync(paths.cert));
}

/** Writes one batch on a raw RaftPeer stream, as an attacker would; resolves with the final status. */
function sendBatch(
  address: string,
  credentials: grpc.ChannelCredentials,
  from: string,
  to: string,
  messages: Message[],
): Promise<grpc.status> {
  const { RaftPeer } = loadRaftProto().palisade.v1;
  const client = new RaftPeer(address, credentials);
  return new Promise((resolve) => {
    const call = client.Stream({ deadline: Date.now() + 3000 }, (err) => {
      client.close();
      resolve(err ? err.code : grpc.status.OK);
    });
    call.on('error', () => {});
    call.write(encodeBatch('alpha', from, to, messages as Exclude<Message, { type: 'installSnapshot' }>[]));
    call.end();
  });
}

function sendSnapshot(address: string, credentials: grpc.ChannelCredentials, from: string, to: string): Promise<grpc.status> {
  const { RaftPeer } = loadRaftProto().palisade.v1;
  const client = new RaftPeer(address, credentials);
  const m = {
    type: 'installSnapshot' as const,
    from,
    to,
    term: 1000,
    snapshot: { metadata: { index: 50, term: 1000, confState: { voters: [from], learners: [] } }, data: new Uint8Array(64) },
  };
  return new Promise((resolve) => {
    const call = client.InstallSnapshot({ deadline: Date.now() + 3000 }, (err) => {
      client.close();
      resolve(err ? err.code : grpc.status.OK);
    });
    call.on('error', () => {});
    for (const chunk of snapshotChunks('alpha', m, 16)) call.write(chunk);
    call.end();
  });
}

/**
 * A RaftPeer server that accepts any stream and counts the batches it receives, presenting the
 * certificate `paths`: where a node whose address book is wrong (or was tampered with) dials.
 */
async function catchAllPeer(paths: {
  cert: string;
  key: string;
}): Promise<{ address: string; batches: () => number; stop: () => Promise<void> }> {
  const { RaftPeer } = loadRaftProto().palisade.v1;
  let batches = 0;
  const server = new grpc.Server();
  server.addService(RaftPeer.service, {
    Stream: (call: grpc.ServerReadableStream<unknown, unknown>) => {
      call.on('data', () => batches++);
      call.on('error', () => {});
    },
    InstallSnapshot: (call: grpc.ServerReadableStream<unknown, unknown>) => {
      call.on('data', () => batches++);
      call.on('error', () => {});
    },
  });
  const creds = grpc.ServerCredentials.createSsl(
    readFileSync(caPaths(clusterDir).cert),
    [{ cert_chain: readFileSync(paths.cert), private_key: readFileSync(paths.key) }],
    true,
  );
  const port = await new Promise<number>((ok, fail) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? fail(err) : ok(p))));
  return { address: `127.0.0.1:${port}`, batches: () => batches, stop: () => new Promise((ok) => server.tryShutdown(() => ok())) };
}

/** The serial number of the certificate a TLS server presents on a new connection. */
function servedSerial(address: string, pkiDir: string): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const p = nodePaths(pkiDir, 'n2');
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host, port, ca: readFileSync(caPaths(pkiDir).cert), cert: readFileSync(p.cert), key: readFileSync(p.key), ALPNProtocols: ['h2'] },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.destroy();
        resolve(serial);
      },
    );
    socket.on('error', reject);
  });
}

describe('TLS / mTLS', { skip: hasOpenssl() ? false : 'openssl not available' }, () => {
  before(async () => {
    await initCa(clusterDir);
    await initCa(rogueDir, { name: 'rogue-ca' });
    for (const id of ['n1', 'n2', 'n9']) await issueNode(clusterDir, id);
    await issueNode(rogueDir, 'n2');
    await issueUser(clusterDir, 'n2', 'admin'); // a user whose name is a node id
  });

  after(async () => {
    await Promise.all(started.map((n) => n.transport.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('nodes with their own certificates of the cluster CA exchange messages; strangers are refused', async () => {
    const a = testNode({ nodeId: 'n1', tls: nodeTls(clusterDir, 'n1') });
    const b = testNode({ nodeId: 'n2', tls: nodeTls(clusterDir, 'n2') });
    started.push(a, b);
    await Promise.all([a.transport.start(), b.transport.start()]);
    a.transport.setPeer('n2', b.transport.address);
    b.transport.setPeer('n1', a.transport.address);
    a.transport.send([heartbeat('n1', 'n2', 1)]);
    b.transport.send([heartbeat('n2', 'n1', 2)]);
    await eventually(() => a.received.length === 1 && b.received.length === 1, 'both directions over mTLS');

    const addr = a.transport.address;
    const hb = [heartbeat('n2', 'n1', 3)];
    assert.notEqual(await sendBatch(addr, grpc.credentials.createInsecure(), 'n2', 'n1', hb), grpc.status.OK, 'plaintext client refused');
    assert.notEqual(await sendBatch(addr, creds(undefined), 'n2', 'n1', hb), grpc.status.OK, 'TLS client without certificate refused');
    assert.notEqual(
      await sendBatch(addr, creds(nodePaths(rogueDir, 'n2')), 'n2', 'n1', hb),
      grpc.status.OK,
      'certificate of another CA refused',
    );
    assert.equal(a.received.length, 1, 'nothing from strangers reached the core');
  });

  test("identity rule: a non-member, another member's certificate, a user's certificate — every message rejected", async () => {
    const a = testNode({
      nodeId: 'n1',
      tls: nodeTls(clusterDir, 'n1'),
      peers: new Map([
        ['n2', '127.0.0.1:1'],
        ['n3', '127.0.0.1:2'],
      ]),
    });
    started.push(a);
    await a.transport.start();
    const addr = a.transport.address;
    const forged: Message[] = [
      { type: 'heartbeat', from: 'n3', to: 'n1', term: 1000, commit: 0, round: 1 },
      { type: 'timeoutNow', from: 'n3', to: 'n1', term: 1000 },
    ];
    const asN9 = forged.map((m) => ({ ...m, from: 'n9' }));
    const n2 = creds(nodePaths(clusterDir, 'n2'));
    assert.equal(
      await sendBatch(addr, creds(nodePaths(clusterDir, 'n9')), 'n9', 'n1', asN9),
      grpc.status.PERMISSION_DENIED,
      'valid certificate of a non-member',
    );
    assert.equal(await sendBatch(addr, n2, 'n3', 'n1', forged), grpc.status.PERMISSION_DENIED, "n2's certificate claiming n3");
    assert.equal(await sendSnapshot(addr, n2, 'n3', 'n1'), grpc.status.PERMISSION_DENIED, "a snapshot from n2's certificate claiming n3");
    assert.equal(
      await sendBatch(
        addr,
        creds(userPaths(clusterDir, 'n2')),
        'n2',
        'n1',
        forged.map((m) => ({ ...m, from: 'n2' })),
      ),
      grpc.status.PERMISSION_DENIED,
      'a user certificate whose CN is a member id',
    );
    assert.equal(a.received.length, 0, 'no forged message reached the core');
    // The same connection parameters with the truth pass: the refusals above are the identity rule.
    assert.equal(await sendBatch(addr, n2, 'n2', 'n1', [heartbeat('n2', 'n1', 9)]), grpc.status.OK, 'n2 speaking as itself');
    assert.equal(a.received.length, 1);
  });

  test('dialling: the server must present the node certificate of the peer meant, not only one valid for the address', async () => {
    const impostor = await catchAllPeer(nodePaths(clusterDir, 'n9')); // valid for 127.0.0.1, but n9's
    const genuine = await catchAllPeer(nodePaths(clusterDir, 'n2'));
    const a = testNode({ nodeId: 'n1', tls: nodeTls(clusterDir, 'n1') });
    started.push(a);
    await a.transport.start();
    try {
      a.transport.setPeer('n2', impostor.address);
      a.transport.send([heartbeat('n1', 'n2', 1)]);
      await eventually(() => a.unreachable.includes('n2') || impostor.batches() > 0, 'n1 to give up on the impostor (or send to it)');
      assert.equal(impostor.batches(), 0, "no batch for n2 reached a server holding n9's certificate");
      // The same path to a server with n2's own certificate delivers: the refusal above is the CN check.
      a.transport.setPeer('n2', genuine.address);
      await eventually(() => {
        a.transport.send([heartbeat('n1', 'n2', 2)]);
        return genuine.batches() > 0;
      }, 'n1 to reach the genuine n2');
    } finally {
      await Promise.all([impostor.stop(), genuine.stop()]);
    }
  });

  test('a certificate rotated under a running transport: streams keep flowing, new handshakes present the new one', async () => {
    const rotDir = join(dir, 'rot');
    await initCa(rotDir);
    await issueNode(rotDir, 'n1');
    await issueNode(rotDir, 'n2');
    const material = TlsMaterial.load(nodeTls(rotDir, 'n1'));
    const a = testNode({ nodeId: 'n1', tls: material });
    const b = testNode({ nodeId: 'n2', tls: nodeTls(rotDir, 'n2') });
    started.push(a, b);
    await Promise.all([a.transport.start(), b.transport.start()]);
    a.transport.setPeer('n2', b.transport.address);
    b.transport.setPeer('n1', a.transport.address);
    let round = 0;
    b.transport.send([heartbeat('n2', 'n1', ++round)]);
    a.transport.send([heartbeat('n1', 'n2', ++round)]);
    await eventually(() => a.received.length === 1 && b.received.length === 1, 'first exchange');
    const before = material.summary().serial;

    await issueNode(rotDir, 'n1'); // a new key and certificate in place of the old files
    assert.equal(material.reload(), true, 'the files changed');
    assert.notEqual(material.summary().serial, before);
    assert.equal(material.reload(), false, 'nothing changed since');
    assert.equal(
      (await servedSerial(a.transport.address, rotDir)).toLowerCase(),
      material.summary().serial.toLowerCase(),
      'a new connection sees the new certificate',
    );
    b.transport.send([heartbeat('n2', 'n1', ++round)]);
    a.transport.send([heartbeat('n1', 'n2', ++round)]);
    await eventually(
      () => a.received.length === 2 && b.received.length === 2,
      'the streams opened before the rotation still carry messages',
    );
    assert.equal(a.transport.stats().peers.get('n2')?.connects, 1, 'no reconnect was needed');
  });

  test('a broken file on reload keeps the certificate in use and names the file', async () => {
    const brokenDir = join(dir, 'broken');
    await initCa(brokenDir);
    await issueNode(brokenDir, 'n1');
    await issueNode(brokenDir, 'n2');
    const cfg = nodeTls(brokenDir, 'n1');
    const material = TlsMaterial.load(cfg);
    const serial = material.summary().serial;
    const mismatched = TlsMaterial.load.bind(null, { ...cfg, keyFile: nodePaths(brokenDir, 'n2').key });
    assert.throws(mismatched, /is not the key of certificate/);
    rmSync(cfg.certFile);
    assert.throws(() => material.reload(), /cannot read TLS certificate file/);
    assert.equal(material.summary().serial, serial);
  });

  test('missing certificate files fail with a message naming the file', async () => {
    await assert.rejects(
      () => testNode({ nodeId: 'n1', tls: { ...nodeTls(clusterDir, 'n1'), keyFile: join(dir, 'nope.key') } }).transport.start(),
      /cannot read TLS key file ".*nope\.key"/,
    );
  });
});
