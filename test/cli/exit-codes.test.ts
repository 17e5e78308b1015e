// The CLI's exit codes are a public contract (README, `palisade --help`): usage errors 2,
// unreachable 3, and one clear line on stderr.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { sendUnaryData } from '@grpc/grpc-js';
import { ExitCode, exitCodeFor } from '../../src/cli/exit-codes.js';
import { runCli } from './run-cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('usage errors exit 2 with the problem and a hint', () => {
  test('unknown flag', async () => {
    const r = await runCli(['kv', 'get', 'k', '--bogus']);
    assert.equal(r.code, ExitCode.Usage);
    assert.equal(r.err, `error: unknown option '--bogus'\nRun "palisade kv get --help" for usage.\n`);
  });

  test('a misspelt flag gets a suggestion', async () => {
    const r = await runCli(['status', '--jsn']);
    assert.equal(r.code, ExitCode.Usage);
    assert.match(r.err, /unknown option '--jsn'.*Did you mean --json\?/s);
  });

  test('unknown command, missing argument, missing required option, bare `palisade`', async () => {
    for (const argv of [['frobnicate'], ['kv', 'put', 'k'], ['transfer'], [], ['members', 'add', 'n4']]) {
      const r = await runCli(argv);
      assert.equal(r.code, ExitCode.Usage, `${argv.join(' ')} → ${r.code}: ${r.err}`);
      assert.notEqual(r.err, '', argv.join(' '));
    }
  });

  test('bad --endpoints and bad --timeout', async () => {
    const a = await runCli(['status', '--endpoints', 'nohost']);
    assert.equal(a.code, ExitCode.Usage);
    assert.equal(a.err, 'palisade: invalid endpoints: "nohost" is not HOST:PORT (e.g. 127.0.0.1:7101)\n');
    const b = await runCli(['kv', 'get', 'k', '--timeout', 'soon']);
    assert.equal(b.code, ExitCode.Usage);
    assert.match(b.err, /--timeout: "soon" is not a positive whole number/);
  });

  test('--help and --version exit 0; help documents the exit codes', async () => {
    const h = await runCli(['--help']);
    assert.equal(h.code, ExitCode.Ok);
    assert.match(h.out, /Exit codes:\n {2}0 {2}success\n {2}1 {2}other failure\n {2}2 {2}usage error/);
    assert.match(h.out, /3 {2}no endpoint reachable/);
    assert.match(h.out, /4 {2}the cluster has no leader/);
    assert.match(h.out, /10 lock\/elect: the lock or leadership was lost, so CMD was killed\n/);
    assert.match(h.out, /11 refused by a fencing token/);
    const v = await runCli(['--version']);
    assert.equal(v.code, ExitCode.Ok);
    assert.match(v.out, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('invalid agent configuration exits 2, lists every problem and writes nothing', () => {
  test('flags only', async () => {
    const dataDir = join(tmp, 'never');
    const r = await runCli(['agent', '--id', 'N 1', '--listen', 'nowhere', '--data-dir', dataDir, '--heartbeat-ms', 'x']);
    assert.equal(r.code, ExitCode.Usage);
    assert.match(r.err, /^palisade agent: invalid configuration \(\d+ problems\):\n/);
    assert.match(r.err, /\n {2}- id: "N 1" is not a valid node id/);
    assert.match(r.err, /\n {2}- listen: "nowhere" is not host:port/);
    assert.match(r.err, /\n {2}- heartbeat-ms: /);
    assert.match(r.err, /Nothing was started or written/);
    assert.equal(existsSync(dataDir), false);
  });

  test('a config file with unknown keys and bad values, plus flag problems', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'id: n1\nlisten: 127.0.0.1:7101\nelection-timeout: 300\npeers: {n2: 127.0.0.1:7102}\n');
    const r = await runCli(['agent', '--config', file, '--data-dir', join(tmp, 'never2')]);
    assert.equal(r.code, ExitCode.Usage);
    assert.ok(r.err.includes(`${file}:3:1: unknown key "election-timeout" — did you mean "election-timeout-ms"?`), r.err);
    assert.match(r.err, /peers: does not include this node "n1"/);
    assert.equal(existsSync(join(tmp, 'never2')), false);
  });

  test('a config file that does not parse', async () => {
    const file = join(tmp, 'syntax.yaml');
    writeFileSync(file, 'id: n1\n  listen: : :\n');
    const r = await runCli(['agent', '--config', file]);
    assert.equal(r.code, ExitCode.Usage);
    assert.ok(r.err.includes(`${file}:2:`), r.err);
  });
});

describe('unreachable endpoints exit 3 within a bounded time', () => {
  test('kv get, status and members list against closed ports', async () => {
    const endpoints = `127.0.0.1:${await closedPort()},127.0.0.1:${await closedPort()}`;
    for (const argv of [['kv', 'get', 'k'], ['status'], ['members', 'list'], ['kv', 'put', 'k', 'v']]) {
      const started = Date.now();
      const r = await runCli([...argv, '--endpoints', endpoints]);
      const took = Date.now() - started;
      assert.equal(r.code, ExitCode.Unreachable, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, /^palisade: cannot reach any endpoint \(127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\): .*ECONNREFUSED/);
      assert.equal(r.err.split('\n').length, 2, 'one line');
      assert.ok(took < 3000, `${argv.join(' ')} took ${took} ms`);
    }
  });

  test('PALISADE_ENDPOINTS is the default endpoint list', async () => {
    const ep = `127.0.0.1:${await closedPort()}`;
    const r = await runCli(['kv', 'get', 'k'], { env: { PALISADE_ENDPOINTS: ep } });
    assert.equal(r.code, ExitCode.Unreachable);
    assert.ok(r.err.includes(`(${ep})`), r.err);
  });
});

test('error codes map to exit codes', () => {
  assert.equal(exitCodeFor({ code: 'NO_LEADER' }), ExitCode.NoLeader);
  assert.equal(exitCodeFor({ code: 'UNREACHABLE' }), ExitCode.Unreachable);
  assert.equal(exitCodeFor({ code: 'NOT_FOUND' }), ExitCode.NotFound);
  assert.equal(exitCodeFor({ code: 'TIMEOUT' }), ExitCode.Timeout);
  assert.equal(exitCodeFor({ code: 'CONFIG_INVALID' }), ExitCode.Usage);
  assert.equal(exitCodeFor({ code: 'INVALID_ARGUMENT' }), ExitCode.Usage);
  assert.equal(exitCodeFor({ code: 'STALE_FENCING_TOKEN' }), 11);
  assert.equal(ExitCode.HoldLost, 10);
  assert.equal(exitCodeFor(new Error('boom')), ExitCode.Failure);
});

test('the real binary: a process exit code, not just a return value', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'status', '--nope'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, ExitCode.Usage, r.stderr);
  assert.match(r.stderr, /unknown option '--nope'/);
});

describe('answers from a scripted node map to their exit codes', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const s of stops) await s();
  });

  test('no leader: status prints what it learned and exits 4; a write exits 4', async () => {
    const { startFake, grpcError } = await import('../client/fake-server.js');
    const { NoLeaderError } = await import('../../src/errors.js');
    const s = await startFake({
      Status: (_c: unknown, cb: sendUnaryData<unknown>) =>
        cb(null, {
          cluster: 'c',
          nodeId: 'n1',
          leader: '',
          term: '7',
          commitIndex: '3',
          appliedIndex: '3',
          version: 'v',
          members: [
            { id: 'n1', address: 'x', role: 'candidate', voter: true, reachable: true, lastContactMs: '-1', matchIndex: '0', lag: '0' },
          ],
        }),
      KvPut: (_c: unknown, cb: sendUnaryData<unknown>) => cb(grpcError(new NoLeaderError('election in progress')), null),
    });
    stops.push(s.stop);
    const st = await runCli(['status', '--json', '--endpoints', s.address]);
    assert.equal(st.code, ExitCode.NoLeader);
    assert.equal((JSON.parse(st.out) as { leader: unknown }).leader, null);
    assert.equal(st.err, 'palisade: the cluster has no leader (no quorum, or an election is in progress)\n');
    const put = await runCli(['kv', 'put', 'k', 'v', '--endpoints', s.address, '--timeout', '300']);
    assert.equal(put.code, ExitCode.NoLeader);
    assert.match(put.err, /^palisade: no leader: election in progress/);
  });

  test('a node that never answers: exit 6 after --timeout', async () => {
    const { startFake } = await import('../client/fake-server.js');
    const s = await startFake({ KvGet: () => undefined });
    stops.push(s.stop);
    const started = Date.now();
    const r = await runCli(['kv', 'get', 'k', '--endpoints', s.address, '--timeout', '300']);
    assert.equal(r.code, ExitCode.Timeout);
    assert.match(r.err, /^palisade: get k did not complete within 300 ms/);
    assert.ok(Date.now() - started < 2000);
  });
});
