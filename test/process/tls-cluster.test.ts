// Issue 14, transport and identity, on real agent processes with TLS on (certificates from
// `palisade certs`): the CLI works through the client port; attackers that speak gRPC
// themselves — a valid certificate of a non-member, n2's certificate claiming to be n3, a
// user's certificate, no certificate — get every Raft message rejected, and the cluster's term
// and log do not move; plaintext on a non-loopback address without --insecure exits 2 with the
// reason; certificates rotated under the running cluster (SIGHUP) cause no election and no
// failed call, and a follower restarted afterwards rejoins with the new ones.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { caPaths, initCa, issueNode, issueUser, nodePaths, userPaths } from '../../src/cli/pki.js';
import { connect, type NodeStatusReport, type PalisadeClient } from '../../src/client/index.js';
import type { Message } from '../../src/raft/messages.js';
import { encodeBatch } from '../../src/transport/codec.js';
import { loadRaftProto } from '../../src/transport/raft-proto.js';
import { CLI, REPO, freePorts, requireBuild, runCli, waitFor } from './process-cluster.js';
import { hasOpenssl } from '../openssl.js';

const IDS = ['n1', 'n2', 'n3'] as const;
const CLUSTER = 'secure';

interface Agent {
  readonly id: string;
  readonly peer: string;
  readonly client: string;
  readonly dataDir: string;
  readonly log: string;
  child?: ReturnType<typeof spawn>;
  exited?: Promise<number | null>;
}

class TlsCluster {
  readonly agents = new Map<string, Agent>();
  private readonly clients: PalisadeClient[] = [];

  constructor(
    readonly root: string,
    readonly pki: string,
  ) {}

  static async create(): Promise<TlsCluster> {
    const root = mkdtempSync(join(tmpdir(), 'palisade-tls-proc-'));
    const c = new TlsCluster(root, join(root, 'pki'));
    await initCa(c.pki);
    for (const id of [...IDS, 'n9']) await issueNode(c.pki, id);
    await issueUser(c.pki, 'alice', 'admin');
    const ports = await freePorts(2 * IDS.length);
    IDS.forEach((id, i) =>
      c.agents.set(id, {
        id,
        peer: `127.0.0.1:${ports[i]}`,
        client: `127.0.0.1:${ports[IDS.length + i]}`,
        dataDir: join(root, id),
        log: join(root, `${id}.log`),
      }),
    );
    return c;
  }

  agent(id: string): Agent {
    return this.agents.get(id)!;
  }

  args(id: string): string[] {
    const a = this.agent(id);
    const node = nodePaths(this.pki, id);
    const peers = IDS.map((p) => `${p}=${this.agent(p).peer}`).join(',');
    return [
      'agent',
      '--id',
      id,
      '--cluster',
      CLUSTER,
      '--listen',
      a.peer,
      '--client-listen',
      a.client,
      '--data-dir',
      a.dataDir,
      '--peers',
      peers,
      '--tls-ca',
      caPaths(this.pki).cert,
      '--tls-cert',
      node.cert,
      '--tls-key',
      node.key,
    ];
  }

  start(id: string): void {
    const a = this.agent(id);
    const fd = openSync(a.log, 'a');
    writeFileSync(fd, `--- start\n`);
    const child = spawn(process.execPath, [CLI, ...this.args(id)], { cwd: REPO, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    a.child = child;
    a.exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
  }

  async kill(id: string): Promise<void> {
    const a = this.agent(id);
    a.child?.kill('SIGKILL');
    await a.exited;
    a.child = undefined;
  }

  userTls() {
    const u = userPaths(this.pki, 'alice');
    return { caFile: caPaths(this.pki).cert, certFile: u.cert, keyFile: u.key };
  }

  /** A client of one node's client port, as the admin user. */
  client(ids: readonly string[]): PalisadeClient {
    const c = connect(
      ids.map((id) => this.agent(id).client),
      { tls: this.userTls(), timeoutMs: 3000, attemptTimeoutMs: 1000 },
    );
    this.clients.push(c);
    return c;
  }

  async statuses(): Promise<NodeStatusReport[]> {
    return Promise.all(IDS.map((id) => this.client([id]).status()));
  }

  async waitForLeader(): Promise<{ leader: string; term: number }> {
    const byNode = new Map(IDS.map((id) => [id, this.client([id])]));
    return waitFor(
      'one leader agreed by n1, n2, n3 over TLS',
      async () => {
        const all = await Promise.all(IDS.map((id) => byNode.get(id)!.status()));
        const first = all[0];
        if (first.leader === '' || !all.every((s) => s.leader === first.leader && s.term === first.term)) return undefined;
        return { leader: first.leader, term: first.term };
      },
      20_000,
    );
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    await Promise.all(IDS.map((id) => this.kill(id)));
    if (process.env.PALISADE_TEST_KEEP === '1') process.stderr.write(`tls-cluster: kept ${this.root}\n`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}

/** An attacker's raw RaftPeer stream: one batch, then the status the node ends the stream with. */
function attack(address: string, creds: grpc.ChannelCredentials, from: string, to: string, messages: Message[]): Promise<grpc.status> {
  const { RaftPeer } = loadRaftProto().palisade.v1;
  const client = new RaftPeer(address, creds);
  return new Promise((resolve) => {
    const call = client.Stream({ deadline: Date.now() + 5000 }, (err) => {
      client.close();
      resolve(err ? err.code : grpc.status.OK);
    });
    call.on('error', () => {});
    call.write(encodeBatch(CLUSTER, from, to, messages as Exclude<Message, { type: 'installSnapshot' }>[]));
    call.end();
  });
}

/** What an attacker would send to take a cluster over: a high term, a forced election, a forged entry. */
function forged(from: string, to: string, lastIndex: number): Message[] {
  return [
    { type: 'heartbeat', from, to, term: 1000, commit: lastIndex + 5, round: 1 },
    { type: 'timeoutNow', from, to, term: 1000 },
    { type: 'requestVote', from, to, term: 1001, preVote: false, lastIndex: 1_000_000, lastTerm: 1000, transfer: true },
    {
      type: 'appendEntries',
      from,
      to,
      term: 1000,
      prevIndex: lastIndex,
      prevTerm: 1,
      commit: lastIndex + 1,
      entries: [{ term: 1000, index: lastIndex + 1, type: 'normal', data: new Uint8Array([1, 2, 3]) }],
    },
  ];
}

function certCreds(pki: string, paths: { cert: string; key: string } | undefined): grpc.ChannelCredentials {
  const ca = readFileSync(caPaths(pki).cert);
  return paths === undefined
    ? grpc.credentials.createSsl(ca)
    : grpc.credentials.createSsl(ca, readFileSync(paths.key), readFileSync(paths.cert));
}

/** The serial of the certificate a port presents to a new TLS connection. */
function servedSerial(address: string, pki: string): Promise<string> {
  const i = address.lastIndexOf(':');
  const user = userPaths(pki, 'alice');
  return new Promise((resolve, reject) => {
    const s = tlsConnect(
      {
        host: address.slice(0, i),
        port: Number(address.slice(i + 1)),
        ca: readFileSync(caPaths(pki).cert),
        cert: readFileSync(user.cert),
        key: readFileSync(user.key),
        ALPNProtocols: ['h2'],
      },
      () => {
        resolve(s.getPeerCertificate().serialNumber.toUpperCase());
        s.destroy();
      },
    );
    s.on('error', reject);
  });
}

function serialOf(file: string): string {
  return execFileSync('openssl', ['x509', '-in', file, '-noout', '-serial'], { encoding: 'utf8' })
    .trim()
    .replace(/^serial=/, '')
    .toUpperCase();
}

describe('a TLS cluster of real agents', { skip: hasOpenssl() ? false : 'openssl not available' }, () => {
  let c: TlsCluster;

  before(async () => {
    requireBuild();
    c = await TlsCluster.create();
    for (const id of IDS) c.start(id);
    try {
      await c.waitForLeader();
    } catch (err) {
      for (const id of IDS) process.stderr.write(`--- ${id}\n${readFileSync(c.agent(id).log, 'utf8').slice(-3000)}\n`);
      throw err;
    }
  });

  after(async () => {
    await c?.close();
  });

  test('the CLI works through the client port with a user certificate; the peer port does not serve it', async () => {
    const endpoints = IDS.map((id) => c.agent(id).client).join(',');
    const u = c.userTls();
    const creds = ['--cacert', u.caFile, '--cert', u.certFile, '--key', u.keyFile];
    const status = await runCli(['status', '--endpoints', endpoints, ...creds]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /leader/);
    const put = await runCli(['kv', 'put', 'app/greeting', 'hello', '--endpoints', endpoints, ...creds]);
    assert.equal(put.code, 0, put.stderr);
    const get = await runCli(['kv', 'get', 'app/greeting', '--endpoints', endpoints, ...creds]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /hello/);
    // The peer port serves only Status and MemberList (members' join and removal checks), and only to node certificates.
    const onPeerPort = await runCli(['kv', 'get', 'app/greeting', '--endpoints', c.agent('n1').peer, ...creds, '--timeout', '2000']);
    assert.notEqual(onPeerPort.code, 0, 'kv get is not served on the peer port');
    const plaintext = await runCli(['status', '--endpoints', endpoints, '--timeout', '2000']);
    assert.notEqual(plaintext.code, 0, 'a plaintext client reaches nothing');
  });

  test('attackers speaking gRPC themselves: every Raft message rejected, no term or log change', async () => {
    const before = await c.statuses();
    const leader = before[0].leader;
    const n2 = certCreds(c.pki, nodePaths(c.pki, 'n2'));
    const results: { who: string; target: string; code: grpc.status }[] = [];
    for (const target of IDS) {
      const peer = c.agent(target).peer;
      const last = before.find((s) => s.nodeId === target)!.commitIndex;
      results.push({
        who: 'non-member n9 (valid certificate)',
        target,
        code: await attack(peer, certCreds(c.pki, nodePaths(c.pki, 'n9')), 'n9', target, forged('n9', target, last)),
      });
      const claimed = target === 'n3' ? 'n1' : 'n3';
      results.push({
        who: `n2's certificate claiming ${claimed}`,
        target,
        code: await attack(peer, n2, claimed, target, forged(claimed, target, last)),
      });
      results.push({
        who: "a user's (admin) certificate",
        target,
        code: await attack(peer, certCreds(c.pki, userPaths(c.pki, 'alice')), 'n2', target, forged('n2', target, last)),
      });
      results.push({
        who: 'no certificate',
        target,
        code: await attack(peer, certCreds(c.pki, undefined), 'n2', target, forged('n2', target, last)),
      });
      results.push({
        who: 'plaintext',
        target,
        code: await attack(peer, grpc.credentials.createInsecure(), 'n2', target, forged('n2', target, last)),
      });
    }
    for (const r of results) {
      if (r.who.startsWith('non-member') || r.who.startsWith("n2's") || r.who.startsWith("a user's")) {
        assert.equal(r.code, grpc.status.PERMISSION_DENIED, `${r.who} → ${r.target}: ${grpc.status[r.code]}`);
      } else {
        assert.notEqual(r.code, grpc.status.OK, `${r.who} → ${r.target}`);
      }
    }
    // Watch the cluster for a while (well past an election timeout): the forged term 1000 would show at once.
    const deadline = performance.now() + 1500;
    while (performance.now() < deadline) {
      const now = await c.statuses();
      for (const s of now) {
        const was = before.find((b) => b.nodeId === s.nodeId)!;
        assert.equal(s.term, was.term, `${s.nodeId}: term moved from ${was.term} to ${s.term}`);
        assert.equal(s.leader, leader, `${s.nodeId}: leader changed`);
        assert.ok(s.commitIndex < was.commitIndex + 1000, 'no forged commit');
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
    // The log: the only entries after the attack are the cluster's own (a write goes through and reads back).
    const client = c.client(IDS);
    await client.kv.put('app/after-attack', 'ok');
    assert.equal((await client.kv.get('app/after-attack')).kv?.value, 'ok');
    for (const id of IDS)
      assert.match(readFileSync(c.agent(id).log, 'utf8'), /refused peer traffic|rejected peer traffic/, `${id} logged the refusals`);
  });

  test('certificates rotated under the running cluster: no election, no failed call; a restarted follower rejoins with the new ones', async () => {
    const client = c.client(IDS);
    const before = await c.statuses();
    const term = before[0].term;
    const leader = before[0].leader;
    let calls = 0;
    const failures: string[] = [];
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        try {
          await client.kv.put(`app/rotate-${i % 10}`, String(i));
          await client.status();
          calls++;
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    })();
    for (const id of IDS) {
      await issueNode(c.pki, id); // a new key and certificate, renamed into place
      c.agent(id).child!.kill('SIGHUP');
    }
    for (const id of IDS) {
      const want = serialOf(nodePaths(c.pki, id).cert);
      await waitFor(
        `${id} to serve its new certificate on both ports`,
        async () => {
          const [peer, cl] = await Promise.all([servedSerial(c.agent(id).peer, c.pki), servedSerial(c.agent(id).client, c.pki)]);
          return peer === want && cl === want;
        },
        10_000,
      );
    }
    // A follower restarted now handshakes with everyone on the new certificates.
    const follower = IDS.find((id) => id !== leader)!;
    await c.kill(follower);
    c.start(follower);
    const target = (await c.client([leader]).status()).commitIndex;
    await waitFor(
      `${follower} to catch up after its restart`,
      async () => (await c.client([follower]).status()).appliedIndex >= target,
      15_000,
    );
    running = false;
    await load;
    assert.deepEqual(failures, [], 'no call failed during the rotation');
    assert.ok(calls > 10, `the load ran (${calls} calls)`);
    for (const s of await c.statuses()) {
      assert.equal(s.term, term, `${s.nodeId}: no election (term ${term} → ${s.term})`);
      assert.equal(s.leader, leader);
    }
  });

  test('leader-only calls asked of a follower first reach the leader: no redirect to its peer port', async () => {
    const { leader } = await c.waitForLeader();
    const follower = IDS.find((id) => id !== leader)!;
    // The follower first: its "not the leader" answer must not send the client to the leader's
    // peer address (which serves no client API), but on to the other endpoints.
    const endpoints = [follower, leader].map((id) => c.agent(id).client).join(',');
    const u = c.userTls();
    const creds = ['--endpoints', endpoints, '--cacert', u.caFile, '--cert', u.certFile, '--key', u.keyFile];
    for (const args of [['pause'], ['resume'], ['kv', 'put', 'app/via-follower', 'yes'], ['switchover']]) {
      const r = await runCli([...args, ...creds]);
      assert.equal(r.code, 0, `palisade ${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /does not implement/);
    }
  });
});

describe('plaintext on a non-loopback address', () => {
  test('without --insecure: exit 2 with the reason, nothing written; with it: starts and warns', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'palisade-insecure-'));
    try {
      const [port, port2] = await freePorts(2);
      const dataDir = join(dir, 'n1');
      const base = ['agent', '--id', 'n1', '--data-dir', dataDir, '--peers', `n1=127.0.0.1:${port}`];
      const refused = await runCli([...base, '--listen', `0.0.0.0:${port}`], { timeoutMs: 10_000 });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /0\.0\.0\.0:\d+ is not a loopback address and TLS is off/);
      assert.match(refused.stderr, /insecure/);
      assert.throws(() => readFileSync(join(dataDir, 'x')), 'nothing written');
      const clientOnly = await runCli([...base, '--listen', `127.0.0.1:${port}`, '--client-listen', `0.0.0.0:${port2}`], {
        timeoutMs: 10_000,
      });
      assert.equal(clientOnly.code, 2, 'the client port counts too');

      const child = spawn(process.execPath, [CLI, ...base, '--listen', `0.0.0.0:${port}`, '--insecure'], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      try {
        await waitFor('the insecure warning in the log', () => /INSECURE: plaintext gRPC on a non-loopback address/.test(out), 15_000);
        const status = await runCli(['status', '--endpoints', `127.0.0.1:${port}`, '--json']);
        assert.equal(status.code, 0, status.stderr);
        assert.equal((JSON.parse(status.stdout) as { insecure?: unknown }).insecure, true, 'palisade status shows it');
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
