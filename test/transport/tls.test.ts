// Peer traffic over TLS with client certificates (mTLS): nodes holding certificates of the
// cluster CA talk; a client without a certificate, or with one from another CA, does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { TlsConfig } from '../../src/transport/tls.js';
import { eventually, heartbeat, testNode, type TestNode } from './helpers.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-tls-'));
const started: TestNode[] = [];

/** A CA and one node certificate it signed (valid for 127.0.0.1, server and client use). */
function makePki(name: string): TlsConfig {
  const p = (f: string) => join(dir, `${name}-${f}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-subj', `/CN=${name}-ca`, '-days', '2'], { stdio: 'ignore' });
  execFileSync('openssl', ['req', ...ec, '-keyout', p('node.key'), '-out', p('node.csr'), '-subj', `/CN=${name}-node`], { stdio: 'ignore' });
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', p('node.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('node.crt'), '-days', '2', '-extfile', p('ext.cnf')],
    { stdio: 'ignore' },
  );
  return { certFile: p('node.crt'), keyFile: p('node.key'), caFile: p('ca.crt') };
}

function rawStatus(address: string, creds: grpc.ChannelCredentials): Promise<grpc.status> {
  const client = new grpc.Client(address, creds);
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest<Buffer, Buffer>('/palisade.v1.RaftPeer/Stream', (b) => b, (b) => b, { deadline: Date.now() + 3000 }, (err) => {
      client.close();
      resolve(err ? err.code : grpc.status.OK);
    });
    call.on('error', () => {});
    call.end();
  });
}

describe('TLS / mTLS', { skip: hasOpenssl() ? false : 'openssl not available' }, () => {
  let cluster: TlsConfig;
  let rogue: TlsConfig;

  before(() => {
    cluster = makePki('cluster');
    rogue = makePki('rogue');
  });

  after(async () => {
    await Promise.all(started.map((n) => n.transport.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('nodes with certificates of the cluster CA exchange messages; strangers are refused', async () => {
    const a = testNode({ nodeId: 'n1', tls: cluster });
    const b = testNode({ nodeId: 'n2', tls: cluster });
    started.push(a, b);
    await Promise.all([a.transport.start(), b.transport.start()]);
    a.transport.setPeer('n2', b.transport.address);
    b.transport.setPeer('n1', a.transport.address);
    a.transport.send([heartbeat('n1', 'n2', 1)]);
    b.transport.send([heartbeat('n2', 'n1', 2)]);
    await eventually(() => a.received.length === 1 && b.received.length === 1, 'both directions over mTLS');

    const addr = a.transport.address;
    assert.notEqual(await rawStatus(addr, grpc.credentials.createInsecure()), grpc.status.OK, 'plaintext client refused');
    const ca = readFileSync(cluster.caFile);
    assert.notEqual(await rawStatus(addr, grpc.credentials.createSsl(ca)), grpc.status.OK, 'TLS client without certificate refused');
    const rogueCreds = grpc.credentials.createSsl(ca, readFileSync(rogue.keyFile), readFileSync(rogue.certFile));
    assert.notEqual(await rawStatus(addr, rogueCreds), grpc.status.OK, 'client certificate of another CA refused');
    assert.equal(a.received.length, 1, 'nothing from strangers reached the core');
  });

  test('missing certificate files fail with a message naming the file', async () => {
    await assert.rejects(
      () => testNode({ nodeId: 'n1', tls: { ...cluster, keyFile: join(dir, 'nope.key') } }).transport.start(),
      /cannot read TLS key file ".*nope\.key"/,
    );
  });
});
