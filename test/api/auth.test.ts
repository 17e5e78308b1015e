// Client authentication and roles (issue 14) at the client API's edge: a real gRPC server with
// the client port's TLS credentials (a certificate asked for, not required), the project's own
// client and raw gRPC calls, certificates made by `palisade certs` (system openssl).
//   - no certificate and no token: EVERY RPC (unary and streams) is UNAUTHENTICATED;
//   - a certificate of another CA is no certificate;
//   - reader cannot put, switchover, pause; operator cannot add members; admin can;
//   - nobody writes palisade/... through the API, admin and nodes included (unary and on the
//     KvWrite stream): the nodes write it as Raft proposals;
//   - tokens from the agent's token file, over TLS with the CA only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CallGuard, METHOD_PERMISSION, Permission, ROLE_GRANTS, type Principal } from '../../src/api/auth.js';
import { Role, USER_ROLES } from '../../src/api/roles.js';
import { clientService } from '../../src/api/client-service.js';
import type { HaPort, NodePort, NodeStatus } from '../../src/api/node-port.js';
import { ReloadableTokenTable, hashToken } from '../../src/api/token-file.js';
import { issueNode, issueUser, initCa, caPaths, type PkiPaths } from '../../src/cli/pki.js';
import { connect } from '../../src/client/connect.js';
import type { ClientTls } from '../../src/client/credentials.js';
import type { PalisadeClient } from '../../src/client/types.js';
import { PermissionDeniedError, UnauthenticatedError } from '../../src/errors.js';
import { loadClientProto } from '../../src/transport/client-proto.js';
import { TlsMaterial } from '../../src/transport/tls.js';
import { clientRpcs, rawCall } from './raw-call.js';
import { fakePort } from './serve-port.js';
import { hasOpenssl } from '../openssl.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-auth-'));
const pki = join(dir, 'pki');
const rogue = join(dir, 'rogue');

const status: NodeStatus = { id: 'n1', cluster: 'c', leader: 'n1', term: 3, commitIndex: 9, appliedIndex: 9, role: 'leader', members: [] };
/** What reached the node: only calls the guard let through may show up here. */
const reached: string[] = [];
const ha: Partial<HaPort> = {
  setPaused: async (paused) => {
    reached.push(paused ? 'pause' : 'resume');
    return { paused };
  },
  switchover: async (to) => {
    reached.push(`switchover ${to}`);
    return { from: 'n1', to: 'n2', epoch: 7, durationMs: 12 };
  },
  events: () => [],
};
const port: NodePort = fakePort({
  status: () => status,
  view: () => ({
    revision: 4,
    get: () => undefined,
    list: () => [],
    members: () => ['n1', 'n2'].map((id) => ({ id, address: '', role: 'voter' as const })),
  }),
  write: async (cmd) => {
    reached.push(`${cmd.type} ${cmd.key}`);
    return { outcome: { type: 'put', revision: 5 }, duplicate: false };
  },
  changeMembership: async (cc) => {
    reached.push(`member ${cc.nodeId}`);
    return { members: [], index: 11 };
  },
  watch: () => ({ cancel: () => {}, [Symbol.asyncIterator]: async function* () {} }) as unknown as ReturnType<NodePort['watch']>,
  ha: ha as HaPort,
});

const TOKENS = { deployer: 'operator-token-0123456789', auditor: 'reader-token-0123456789' };

let server: grpc.Server | undefined;
let address = '';
const clients: PalisadeClient[] = [];

function client(tls: ClientTls | undefined, token?: string): PalisadeClient {
  const c = connect(address, { timeoutMs: 3000, ...(tls ? { tls } : {}), ...(token ? { token } : {}) });
  clients.push(c);
  return c;
}

const ca = (): string => caPaths(pki).cert;
const withCert = (p: PkiPaths): ClientTls => ({ caFile: ca(), certFile: p.cert, keyFile: p.key });

/** A certificate of the cluster CA whose subject has no OU (no role). */
function noRoleCert(name: string): PkiPaths {
  const p = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  execFileSync(
    'openssl',
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p.key, '-out', csr, '-subj', `/CN=${name}`],
    { stdio: 'ignore' },
  );
  writeFileSync(`${csr}.ext`, 'extendedKeyUsage=clientAuth\n');
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca(),
      '-CAkey',
      caPaths(pki).key,
      '-CAcreateserial',
      '-out',
      p.cert,
      '-days',
      '2',
      '-extfile',
      `${csr}.ext`,
    ],
    {
      stdio: 'ignore',
    },
  );
  return p;
}

const certs: Record<string, PkiPaths> = {};
/** What the service logged: refusals, and who steered the cluster. */
const logged: Record<string, unknown>[] = [];

describe('client authentication and roles over TLS', { skip: hasOpenssl() ? false : 'openssl not available' }, () => {
  before(async () => {
    await initCa(pki);
    certs.server = await issueNode(pki, 'n1');
    certs.n2 = await issueNode(pki, 'n2');
    for (const role of USER_ROLES) certs[role] = await issueUser(pki, `${role}-user`, role);
    certs.norole = noRoleCert('legacy');
    await initCa(rogue);
    certs.rogueAdmin = await issueUser(rogue, 'mallory', 'admin');

    const tokenFile = join(dir, 'tokens');
    writeFileSync(tokenFile, `deployer operator ${TOKENS.deployer}\nauditor reader sha256:${hashToken(TOKENS.auditor)}\n`);
    chmodSync(tokenFile, 0o600);
    const guard = new CallGuard({ certificates: true, tokens: new ReloadableTokenTable(tokenFile) });
    const material = TlsMaterial.load({ certFile: certs.server.cert, keyFile: certs.server.key, caFile: ca() });
    server = new grpc.Server();
    const svc = clientService(port, guard, {
      info: (obj, msg) => logged.push({ level: 'info', msg: msg ?? '', ...obj }),
      warn: (obj, msg) => logged.push({ level: 'warn', msg: msg ?? '', ...obj }),
      error: (obj, msg) => logged.push({ level: 'error', msg: msg ?? '', ...obj }),
    });
    server.addService(svc.definition, svc.implementation);
    const bound = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', material.clientServerCredentials(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${bound}`;
  });

  after(() => {
    for (const c of clients) c.close();
    server?.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  test('no certificate, no token: every RPC of the service is UNAUTHENTICATED and reaches nothing', async () => {
    const rpcs = clientRpcs();
    assert.deepEqual(rpcs.map((r) => r.name).sort(), Object.keys(METHOD_PERMISSION).sort(), 'the permission table lists every RPC');
    const caOnly = grpc.credentials.createSsl(execFileSync('cat', [ca()]));
    const before = reached.length;
    for (const creds of [
      caOnly,
      grpc.credentials.createSsl(
        execFileSync('cat', [ca()]),
        execFileSync('cat', [certs.rogueAdmin.key]),
        execFileSync('cat', [certs.rogueAdmin.cert]),
      ),
    ]) {
      const raw = new grpc.Client(address, creds);
      for (const rpc of rpcs) assert.equal(await rawCall(raw, rpc), grpc.status.UNAUTHENTICATED, rpc.name);
      raw.close();
    }
    assert.equal(reached.length, before, 'no refused call reached the node');
  });

  test('the typed client without credentials gets UnauthenticatedError naming what to give', async () => {
    const c = client({ caFile: ca() });
    await assert.rejects(
      c.status(),
      (err: unknown) => err instanceof UnauthenticatedError && /client certificate/.test(err.message) && /token/.test(err.message),
    );
    await assert.rejects(c.kv.put('k', 'v'), UnauthenticatedError);
    await assert.rejects(c.pause(), UnauthenticatedError);
  });

  test('a certificate of another CA authenticates nobody, even one saying admin', async () => {
    const c = client({ caFile: ca(), certFile: certs.rogueAdmin.cert, keyFile: certs.rogueAdmin.key });
    await assert.rejects(c.members.add('n5', '127.0.0.1:7105'), UnauthenticatedError);
    assert.ok(!reached.includes('member n5'));
  });

  test('reader: status, members, get, list, events; not put, switchover, pause, transfer, membership', async () => {
    const c = client(withCert(certs.reader));
    assert.equal((await c.status()).nodeId, 'n1');
    assert.equal((await c.members.list()).length, 2);
    assert.equal((await c.kv.get('k')).kv, undefined);
    await c.kv.list('');
    await c.events();
    const before = reached.length;
    for (const [what, p] of [
      ['put', () => c.kv.put('app/x', 'v')],
      ['delete', () => c.kv.delete('app/x')],
      ['cas', () => c.kv.cas('app/x', 0, 'v')],
      ['switchover', () => c.switchover('n2')],
      ['pause', () => c.pause()],
      ['resume', () => c.resume()],
      ['transfer', () => c.transfer('n2')],
      ['members add', () => c.members.add('n5', '127.0.0.1:7105')],
    ] as const) {
      await assert.rejects(p(), (err: unknown) => {
        assert.ok(err instanceof PermissionDeniedError, `${what}: ${String(err)}`);
        assert.match(err.message, /needs role (operator|admin)/, what);
        assert.match(err.message, /reader-user/, what);
        return true;
      });
    }
    assert.equal(reached.length, before, 'no refused call reached the node');
  });

  test('operator: kv writes, pause, switchover; not membership changes (the message names admin)', async () => {
    const c = client(withCert(certs.operator));
    assert.equal((await c.kv.put('app/x', 'v')).revision, 5);
    assert.deepEqual(await c.pause(), { paused: true });
    assert.equal((await c.switchover('n2')).to, 'n2');
    for (const p of [() => c.members.add('n5', '127.0.0.1:7105'), () => c.members.promote('n5'), () => c.members.remove('n2')]) {
      await assert.rejects(p(), (err: unknown) => err instanceof PermissionDeniedError && /needs role admin/.test(err.message));
    }
    assert.ok(reached.includes('put app/x') && reached.includes('pause') && reached.includes('switchover n2'));
    // Who paused failover and moved the role is in the node's log; a kv write is not (too many).
    for (const rpc of ['Pause', 'Switchover']) {
      assert.ok(
        logged.some((l) => l.msg === 'operator action' && l.rpc === rpc && l.user === 'operator-user' && l.role === 'operator'),
        rpc,
      );
    }
    assert.ok(!logged.some((l) => l.msg === 'operator action' && l.rpc === 'KvPut'));
    assert.ok(logged.some((l) => l.msg === 'client call refused' && l.rpc === 'MemberAdd' && /needs role admin/.test(String(l.reason))));
    assert.ok(!reached.some((r) => r.startsWith('member ')));
  });

  test('admin: membership changes', async () => {
    const c = client(withCert(certs.admin));
    assert.equal((await c.members.add('n5', '127.0.0.1:7105')).index, 11);
    assert.ok(reached.includes('member n5'));
  });

  test('palisade/...: refused to admin (unary and on the write stream) and to a node certificate', async () => {
    const admin = client(withCert(certs.admin));
    for (const p of [
      () => admin.kv.put('palisade/ha/nodes/n1', '{}'),
      () => admin.kv.delete('palisade/ha/nodes/n1'),
      () => admin.kv.cas('palisade/x', 0, 'v'),
    ]) {
      await assert.rejects(
        p(),
        (err: unknown) => err instanceof PermissionDeniedError && /written only by the cluster's nodes/.test(err.message),
      );
    }
    // The typed client sends writes on the KvWrite stream first: the item is refused there too.
    const raw = new grpc.Client(
      address,
      grpc.credentials.createSsl(
        execFileSync('cat', [ca()]),
        execFileSync('cat', [certs.admin.key]),
        execFileSync('cat', [certs.admin.cert]),
      ),
    );
    const answer = await writeStreamOnce(raw, 'palisade/ha/nodes/n2');
    raw.close();
    assert.equal(answer.error?.code, grpc.status.PERMISSION_DENIED);
    // A node's certificate reads (join, removal checks) but neither steers the cluster nor
    // writes its profile this way (it proposes it through Raft).
    const n2 = client(withCert(certs.n2));
    assert.equal((await n2.members.list()).length, 2);
    await assert.rejects(n2.pause(), PermissionDeniedError);
    await assert.rejects(n2.kv.put('palisade/ha/nodes/n2', '{}'), PermissionDeniedError);
    assert.ok(!reached.some((r) => r.includes('palisade/')), 'nothing under palisade/ reached the node');
  });

  test('a certificate without a role (no OU) is told which role the call needs', async () => {
    const c = client(withCert(certs.norole));
    await assert.rejects(
      c.status(),
      (err: unknown) => err instanceof PermissionDeniedError && /names no role/.test(err.message) && /role reader/.test(err.message),
    );
  });

  test('tokens over TLS without a client certificate: operator token writes, reader token reads only; a wrong token is UNAUTHENTICATED', async () => {
    const deployer = client({ caFile: ca() }, TOKENS.deployer);
    assert.equal((await deployer.kv.put('app/token', 'v')).revision, 5);
    await assert.rejects(
      deployer.members.add('n6', '127.0.0.1:7106'),
      (err: unknown) => err instanceof PermissionDeniedError && /token "deployer"/.test(err.message),
    );
    const auditor = client({ caFile: ca() }, TOKENS.auditor); // stored as a sha256: hash
    assert.equal((await auditor.status()).nodeId, 'n1');
    await assert.rejects(auditor.kv.put('app/token', 'v'), PermissionDeniedError);
    // Streams carry the token too: a watch with the reader token runs (the fake's watch ends at once).
    for await (const e of auditor.kv.watch('app/')) assert.fail(`no event expected, got ${JSON.stringify(e)}`);
    const wrong = client({ caFile: ca() }, 'not-a-token-of-this-cluster');
    await assert.rejects(wrong.status(), (err: unknown) => err instanceof UnauthenticatedError && /unknown token/.test(err.message));
    await assert.rejects(
      (async () => {
        for await (const e of wrong.kv.watch('app/')) assert.fail(`no event expected, got ${JSON.stringify(e)}`);
      })(),
      UnauthenticatedError,
    );
    // A bad token is not rescued by a good certificate: whoever sends one means it.
    const both = client(withCert(certs.admin), 'not-a-token-of-this-cluster');
    await assert.rejects(both.status(), UnauthenticatedError);
  });
});

describe('CallGuard without the network', () => {
  const guard = new CallGuard({ certificates: true });
  const who = (role: Role | undefined, name = 'u'): Principal => ({ name, role, via: 'certificate' });

  test('each role is granted exactly what the issue lists, and each refusal names the least role that would do', () => {
    const expected: Record<Role, Permission[]> = {
      reader: [Permission.Read],
      operator: [Permission.Read, Permission.Operate],
      admin: [Permission.Read, Permission.Operate, Permission.Administer],
      node: [Permission.Read],
    };
    for (const role of Object.values(Role)) {
      assert.deepEqual([...ROLE_GRANTS[role]].sort(), expected[role].sort(), role);
      for (const [method, needed] of Object.entries(METHOD_PERMISSION)) {
        if (expected[role].includes(needed)) guard.authorize(who(role), method);
        else
          assert.throws(
            () => guard.authorize(who(role), method),
            (err: unknown) =>
              err instanceof PermissionDeniedError && err.message.includes(`needs role ${needed === 'operate' ? 'operator' : 'admin'}`),
          );
      }
    }
    assert.throws(() => guard.authorize(who(Role.Admin), 'NoSuchRpc'), PermissionDeniedError);
  });

  test('the reserved prefix: nobody through the API; keys that merely look alike are ordinary', () => {
    assert.throws(() => guard.authorizeKeyWrite(who(Role.Node, 'n1'), 'palisade/ha/nodes/n1'), PermissionDeniedError);
    assert.throws(() => guard.authorizeKeyWrite(who(Role.Admin), 'palisade/'), PermissionDeniedError);
    guard.authorizeKeyWrite(who(Role.Operator), 'palisadex/a');
    guard.authorizeKeyWrite(who(Role.Operator), 'palisade');
  });

  test('without TLS and tokens the caller is an anonymous admin, still kept out of palisade/', () => {
    const open = new CallGuard({ certificates: false });
    const anon = open.authenticate({ metadata: new grpc.Metadata(), peerCertificate: undefined });
    assert.deepEqual(anon, { name: 'anonymous', role: 'admin', via: 'anonymous' });
    assert.throws(() => open.authorizeKeyWrite(anon, 'palisade/ha/nodes/n1'), PermissionDeniedError);
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer some-token-from-elsewhere');
    assert.throws(
      () => open.authenticate({ metadata: md, peerCertificate: undefined }),
      /accepts none .*runs without authentication: send no token/,
    );
  });

  test('with tokens only (no TLS), a call without a token is UNAUTHENTICATED', () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'palisade-tok-')), 'tokens');
    writeFileSync(tokenFile, `ci operator ${TOKENS.deployer}\n`, { mode: 0o600 });
    const g = new CallGuard({ certificates: false, tokens: new ReloadableTokenTable(tokenFile) });
    assert.throws(() => g.authenticate({ metadata: new grpc.Metadata(), peerCertificate: undefined }), UnauthenticatedError);
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKENS.deployer}`);
    assert.deepEqual(g.authenticate({ metadata: md, peerCertificate: undefined }), { name: 'ci', role: 'operator', via: 'token' });
    const basic = new grpc.Metadata();
    basic.set('authorization', `Basic ${TOKENS.deployer}`);
    assert.throws(() => g.authenticate({ metadata: basic, peerCertificate: undefined }), UnauthenticatedError);
    // The reads a node makes without credentials (join, removal check), when the node allows them.
    const withNodeReads = new CallGuard({
      certificates: false,
      tokens: new ReloadableTokenTable(tokenFile),
      anonymousMethods: ['Status', 'MemberList'],
    });
    const none = { metadata: new grpc.Metadata(), peerCertificate: undefined };
    assert.deepEqual(withNodeReads.check(none, 'MemberList'), { name: 'anonymous', role: 'reader', via: 'anonymous' });
    assert.throws(() => withNodeReads.check(none, 'KvGet'), UnauthenticatedError);
    assert.throws(() => withNodeReads.check(none, 'Pause'), UnauthenticatedError);
  });
});

/** One put on the KvWrite stream; its answer. */
function writeStreamOnce(raw: grpc.Client, key: string): Promise<{ error?: { code: number; message: string } }> {
  const Palisade = loadClientProto().palisade.v1.Palisade;
  const def = Palisade.service.KvWrite;
  return new Promise((resolve, reject) => {
    const s = raw.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, { deadline: Date.now() + 3000 });
    s.on('data', (r: { error?: { code: number; message: string } }) => {
      resolve(r);
      s.end();
    });
    s.on('error', reject);
    s.write({ seq: 1, op: 'put', put: { key, value: 'x' } });
  });
}
