// Issue 14, operators and roles, on a real agent with TLS on, a token file and a separate
// metrics listener; the CLI run as a process with credentials from flags and from PALISADE_*:
//   - no credentials: every RPC UNAUTHENTICATED (a raw gRPC client), the CLI exits 8;
//   - reader: reads; put, pause, switchover exit 9 naming role operator;
//   - operator: put, pause/resume; members add exits 9 naming role admin;
//   - admin: members add/remove; nobody writes palisade/... (exit 9);
//   - a token from the agent's token file over TLS with only the CA; a wrong token exits 8;
//   - the HTTP port keeps /health /primary for load balancers, /status and /metrics moved.
// And without TLS but with a token file (loopback): callers need a token, except for the two
// reads the nodes make without credentials — a node still joins with --join.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { caPaths, initCa, issueNode, issueUser, nodePaths, userPaths } from '../../src/cli/pki.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { clientRpcs, rawCall } from '../api/raw-call.js';
import { CLI, REPO, freePorts, requireBuild, runCli, waitFor, type CliResult } from './process-cluster.js';
import { hasOpenssl } from '../openssl.js';

const TOKEN = 'ci-operator-token-5b0e4f1d9a';

describe('client authentication and roles on a real agent', { skip: hasOpenssl() ? false : 'openssl not available' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'palisade-auth-proc-'));
  const pki = join(root, 'pki');
  const log = join(root, 'n1.log');
  let agent: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let peer = '';
  let clientPort = '';
  let http = '';
  let metrics = '';

  const ca = (): string => caPaths(pki).cert;
  /** CLI flags for a user's certificate. */
  const as = (user: string): string[] => [
    '--endpoints',
    clientPort,
    '--cacert',
    ca(),
    '--cert',
    userPaths(pki, user).cert,
    '--key',
    userPaths(pki, user).key,
  ];
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { env: { PALISADE_ENDPOINTS: '', ...env }, timeoutMs: 20_000 });
  const expectExit = (r: CliResult, code: number, what: string): void => {
    assert.equal(r.code, code, `${what}: exit ${r.code}, stderr: ${r.stderr.trim()} stdout: ${r.stdout.trim()}`);
  };

  before(async () => {
    requireBuild();
    await initCa(pki);
    await issueNode(pki, 'n1');
    for (const role of ['reader', 'operator', 'admin']) await issueUser(pki, role, role);
    const tokens = join(root, 'tokens');
    writeFileSync(tokens, `# name role token\nci operator ${TOKEN}\n`);
    chmodSync(tokens, 0o600);
    const ports = await freePorts(4);
    [peer, clientPort, http, metrics] = ports.map((p) => `127.0.0.1:${p}`) as [string, string, string, string];
    const node = nodePaths(pki, 'n1');
    const fd = openSync(log, 'a');
    agent = spawn(
      process.execPath,
      [
        CLI,
        'agent',
        '--id',
        'n1',
        '--cluster',
        'auth',
        '--listen',
        peer,
        '--client-listen',
        clientPort,
        '--http',
        http,
        '--metrics-listen',
        metrics,
        '--data-dir',
        join(root, 'n1'),
        '--peers',
        `n1=${peer}`,
        '--tls-ca',
        ca(),
        '--tls-cert',
        node.cert,
        '--tls-key',
        node.key,
        '--token-auth-file',
        tokens,
      ],
      { cwd: REPO, stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    exited = new Promise((ok) => agent!.once('exit', (code) => ok(code)));
    try {
      await waitFor(
        'the agent answers an admin over TLS with a leader',
        async () => {
          const r = await cli(['status', '--json', ...as('admin')]);
          return r.code === 0 ? r : undefined;
        },
        30_000,
        200,
      );
    } catch (err) {
      process.stderr.write(`--- n1\n${readFileSync(log, 'utf8').slice(-3000)}\n`);
      throw err;
    }
  });

  after(async () => {
    agent?.kill('SIGKILL');
    await exited;
    rmSync(root, { recursive: true, force: true });
  });

  test('no credentials: every RPC UNAUTHENTICATED (raw gRPC, TLS without a certificate); the CLI exits 8 and says what to give', async () => {
    const raw = new grpc.Client(clientPort, grpc.credentials.createSsl(readFileSync(ca())));
    for (const rpc of clientRpcs()) assert.equal(await rawCall(raw, rpc), grpc.status.UNAUTHENTICATED, rpc.name);
    raw.close();
    for (const args of [['status'], ['kv', 'get', 'k'], ['kv', 'put', 'k', 'v'], ['pause'], ['members', 'list']]) {
      const r = await cli([...args, '--endpoints', clientPort, '--cacert', ca()]);
      expectExit(r, ExitCode.Unauthenticated, args.join(' '));
      assert.match(r.stderr, /client certificate/, args.join(' '));
    }
  });

  test('reader (certificate from PALISADE_CACERT/_CERT/_KEY): reads; writes, pause and switchover exit 9 naming role operator', async () => {
    const env = {
      PALISADE_ENDPOINTS: clientPort,
      PALISADE_CACERT: ca(),
      PALISADE_CERT: userPaths(pki, 'reader').cert,
      PALISADE_KEY: userPaths(pki, 'reader').key,
    };
    expectExit(await cli(['status'], env), ExitCode.Ok, 'status');
    expectExit(await cli(['members', 'list'], env), ExitCode.Ok, 'members list');
    expectExit(await cli(['kv', 'get', 'absent'], env), ExitCode.NotFound, 'kv get');
    expectExit(await cli(['events'], env), ExitCode.Ok, 'events');
    for (const args of [['kv', 'put', 'app/a', '1'], ['pause'], ['switchover'], ['transfer', '--to', 'n1']]) {
      const r = await cli(args, env);
      expectExit(r, ExitCode.PermissionDenied, args.join(' '));
      assert.match(r.stderr, /needs role operator/, args.join(' '));
    }
  });

  test('operator: put, pause and resume; members add exits 9 naming role admin', async () => {
    expectExit(await cli(['kv', 'put', 'app/a', '1', ...as('operator')]), ExitCode.Ok, 'put');
    expectExit(await cli(['pause', ...as('operator')]), ExitCode.Ok, 'pause');
    expectExit(await cli(['resume', ...as('operator')]), ExitCode.Ok, 'resume');
    const r = await cli(['members', 'add', 'n5', '127.0.0.1:7999', '--learner', ...as('operator')]);
    expectExit(r, ExitCode.PermissionDenied, 'members add');
    assert.match(r.stderr, /needs role admin/);
  });

  test('admin: membership changes; palisade/... is refused even to admin, and nothing was written there', async () => {
    expectExit(await cli(['members', 'add', 'n5', '127.0.0.1:7999', '--learner', ...as('admin')]), ExitCode.Ok, 'members add --learner');
    expectExit(await cli(['members', 'remove', 'n5', ...as('admin')]), ExitCode.Ok, 'members remove');
    for (const args of [
      ['kv', 'put', 'palisade/ha/nodes/n1', '{}'],
      ['kv', 'delete', 'palisade/ha/nodes/n1'],
    ]) {
      const r = await cli([...args, ...as('admin')]);
      expectExit(r, ExitCode.PermissionDenied, args.join(' '));
      assert.match(r.stderr, /written only by the cluster's nodes/);
    }
    // The node's own profile (it publishes it through Raft at start) is the one it wrote itself.
    const profile = await waitFor(
      'n1 published its HA profile',
      async () => {
        const r = await cli(['kv', 'get', 'palisade/ha/nodes/n1', '--json', ...as('reader')]);
        return r.code === ExitCode.Ok ? (JSON.parse(r.stdout) as { value: string }) : undefined;
      },
      15_000,
      200,
    );
    assert.notEqual(profile.value, '{}');
  });

  test('a token from the token file over TLS with only the CA (PALISADE_TOKEN_FILE, --token-file); a wrong token exits 8', async () => {
    const good = join(root, 'good-token');
    writeFileSync(good, `${TOKEN}\n`, { mode: 0o600 });
    expectExit(
      await cli(['kv', 'put', 'app/t', '1', '--endpoints', clientPort, '--cacert', ca()], { PALISADE_TOKEN_FILE: good }),
      ExitCode.Ok,
      'put with token',
    );
    const denied = await cli([
      'members',
      'add',
      'n6',
      '127.0.0.1:7998',
      '--learner',
      '--endpoints',
      clientPort,
      '--cacert',
      ca(),
      '--token-file',
      good,
    ]);
    expectExit(denied, ExitCode.PermissionDenied, 'operator token adds a member');
    assert.match(denied.stderr, /token "ci"/);
    const wrong = join(root, 'wrong-token');
    writeFileSync(wrong, 'not-this-clusters-token-123\n', { mode: 0o600 });
    const r = await cli(['status', '--endpoints', clientPort, '--cacert', ca(), '--token-file', wrong]);
    expectExit(r, ExitCode.Unauthenticated, 'wrong token');
    assert.match(r.stderr, /unknown token/);
  });

  test("HTTP: the load balancers' port serves /health and /primary, not /status or /metrics; the metrics listener does", async () => {
    const get = async (address: string, path: string): Promise<number> => (await fetch(`http://${address}${path}`)).status;
    assert.equal(await get(http, '/health'), 200);
    await waitFor('n1 active: /primary 200', async () => ((await get(http, '/primary')) === 200 ? true : undefined), 15_000, 100);
    assert.equal(await get(http, '/status'), 404);
    assert.equal(await get(http, '/metrics'), 404);
    assert.equal(await get(metrics, '/status'), 200);
    assert.equal(await get(metrics, '/metrics'), 200);
  });
});

describe('tokens without TLS: callers need one; a node still joins', () => {
  const root = mkdtempSync(join(tmpdir(), 'palisade-token-proc-'));
  const agents: { child: ChildProcess; exited: Promise<number | null>; log: string }[] = [];
  let n1 = '';
  let n2 = '';
  const tokens = join(root, 'tokens');
  const adminToken = join(root, 'admin-token');

  function start(id: string, extra: string[]): void {
    const log = join(root, `${id}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [CLI, 'agent', '--id', id, '--data-dir', join(root, id), '--token-auth-file', tokens, ...extra], {
      cwd: REPO,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    agents.push({ child, exited: new Promise((ok) => child.once('exit', (code) => ok(code))), log });
  }
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli([...args, '--endpoints', n1], { env: { PALISADE_ENDPOINTS: '', ...env }, timeoutMs: 20_000 });

  before(async () => {
    requireBuild();
    writeFileSync(tokens, `root admin ${TOKEN}\n`);
    chmodSync(tokens, 0o600);
    writeFileSync(adminToken, `${TOKEN}\n`, { mode: 0o600 });
    const ports = await freePorts(2);
    [n1, n2] = ports.map((p) => `127.0.0.1:${p}`) as [string, string];
    start('n1', ['--listen', n1, '--peers', `n1=${n1}`]);
    try {
      await waitFor(
        'n1 answers the admin token with a leader',
        async () => ((await cli(['status', '--token-file', adminToken])).code === 0 ? true : undefined),
        30_000,
        200,
      );
    } catch (err) {
      for (const a of agents) process.stderr.write(`${readFileSync(a.log, 'utf8').slice(-3000)}\n`);
      throw err;
    }
  });

  after(async () => {
    for (const a of agents) a.child.kill('SIGKILL');
    await Promise.all(agents.map((a) => a.exited));
    rmSync(root, { recursive: true, force: true });
  });

  test('without a token: every RPC but Status and MemberList is UNAUTHENTICATED; kv get exits 8', async () => {
    const raw = new grpc.Client(n1, grpc.credentials.createInsecure());
    for (const rpc of clientRpcs()) {
      const expected = rpc.name === 'Status' || rpc.name === 'MemberList' ? grpc.status.OK : grpc.status.UNAUTHENTICATED;
      assert.equal(await rawCall(raw, rpc), expected, rpc.name);
    }
    raw.close();
    const r = await cli(['kv', 'get', 'k']);
    expectExitOf(r, ExitCode.Unauthenticated, 'kv get');
    assert.match(r.stderr, /token/);
  });

  test('a node added with the admin token joins with --join (it reads the members without credentials)', async () => {
    // A learner: a second voter would leave this one-node cluster without a quorum until n2 is up.
    expectExitOf(await cli(['members', 'add', 'n2', n2, '--learner', '--token-file', adminToken]), ExitCode.Ok, 'members add n2');
    start('n2', ['--listen', n2, '--join', n1]);
    await waitFor(
      'n2 joined and caught up',
      async () => {
        const r = await cli(['status', '--json', '--token-file', adminToken]);
        if (r.code !== 0) return undefined;
        const s = JSON.parse(r.stdout) as { members: { id: string; reachable: boolean; lag: number | null }[] };
        const m = s.members.find((x) => x.id === 'n2');
        return m !== undefined && m.reachable && m.lag === 0 ? true : undefined;
      },
      30_000,
      250,
    ).catch((err: unknown) => {
      const last = agents.at(-1);
      if (last) process.stderr.write(`--- n2\n${readFileSync(last.log, 'utf8').slice(-4000)}\n`);
      throw err;
    });
  });
});

function expectExitOf(r: CliResult, code: number, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr: ${r.stderr.trim()} stdout: ${r.stdout.trim()}`);
}
