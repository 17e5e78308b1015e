// End to end through the real binary: three `palisade agent` processes on loopback, driven by
// `palisade` CLI processes. Needs the build (npm test builds first). Conditions are polled with
// bounded timeouts; nothing sleeps to synchronize. Every process is killed in after().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const agents: ChildProcess[] = [];
const children = new Set<ChildProcess>();
let dir = '';
let endpoints: string[] = [];
let logs: string[] = [];

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((ok, fail) => {
          const s = createServer().once('error', fail);
          s.listen(0, '127.0.0.1', () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function cli(args: readonly string[], timeoutMs = 15_000): Promise<Run> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PALISADE_ENDPOINTS: '' },
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      ok({ code, out, err });
    });
  });
}

const all = () => ['--endpoints', endpoints.join(',')];

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}\n--- agent logs (tail) ---\n${logs.map((l) => l.slice(-2000)).join('\n---\n')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface StatusJson {
  cluster: string;
  leader: string | null;
  term: number;
  commitIndex: number;
  members: { id: string; address: string; role: string; voter: boolean; reachable: boolean; matchIndex: number | null }[];
}

async function statusVia(endpoint: string): Promise<StatusJson | undefined> {
  const r = await cli(['status', '--json', '--endpoints', endpoint, '--timeout', '2000']);
  return r.code === 0 ? (JSON.parse(r.out) as StatusJson) : undefined;
}

/**
 * Every endpoint's `status --json` names the same leader, term and roles, with every member
 * reachable. A view is gathered in rounds (the endpoint, then the members it names), so at
 * start-up one view can mix a member's answer from before the election with a leader from after.
 */
async function agreedStatus(): Promise<StatusJson | undefined> {
  const views = await Promise.all(endpoints.map(statusVia));
  if (views.some((v) => v === undefined)) return undefined;
  const [first, ...rest] = views as StatusJson[];
  const same = rest.every(
    (v) =>
      v.leader === first.leader &&
      v.term === first.term &&
      JSON.stringify(v.members.map((m) => [m.id, m.address, m.voter, m.role])) ===
        JSON.stringify(first.members.map((m) => [m.id, m.address, m.voter, m.role])),
  );
  return same && first.members.every((m) => m.reachable) ? first : undefined;
}

describe('three agents driven by the CLI', { timeout: 120_000 }, () => {
  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing — run \`npm run build\` first (npm test does)`);
    dir = mkdtempSync(join(tmpdir(), 'palisade-e2e-'));
    const ports = await freePorts(3);
    endpoints = ports.map((p) => `127.0.0.1:${p}`);
    const peers = ports.map((p, i) => `n${i + 1}=127.0.0.1:${p}`).join(',');
    logs = ports.map(() => '');
    ports.forEach((port, i) => {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'agent',
          '--id',
          `n${i + 1}`,
          '--listen',
          `127.0.0.1:${port}`,
          '--data-dir',
          join(dir, `n${i + 1}`),
          '--peers',
          peers,
          '--heartbeat-ms',
          '50',
          '--election-timeout-ms',
          '300',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout.setEncoding('utf8').on('data', (s: string) => (logs[i] += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (logs[i] += s));
      agents.push(child);
    });
  });

  after(() => {
    for (const c of [...agents, ...children]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('a leader is elected and `status --json` agrees on every endpoint', async () => {
    const view = await waitFor('a leader every endpoint agrees on', agreedStatus);
    assert.equal(view.cluster, 'palisade');
    assert.match(view.leader ?? '', /^n[123]$/);
    assert.deepEqual(
      view.members.map((m) => m.id),
      ['n1', 'n2', 'n3'],
    );
    assert.equal(view.members.filter((m) => m.role === 'leader').length, 1);
    assert.ok(view.members.every((m) => m.voter && typeof m.matchIndex === 'number'));
  });

  test('kv put, get (linearizable and serializable), list, delete', async () => {
    const put = await cli(['kv', 'put', 'app/color', 'blue', ...all(), '--json']);
    assert.equal(put.code, 0, put.err);
    const { revision } = JSON.parse(put.out) as { revision: number };
    assert.ok(revision >= 1);
    assert.equal((await cli(['kv', 'put', 'app/size', 'L', ...all()])).code, 0);

    // Any node answers a linearizable read with the acknowledged write.
    for (const e of endpoints) {
      const get = await cli(['kv', 'get', 'app/color', '--endpoints', e]);
      assert.deepEqual([get.code, get.out], [0, 'blue\n'], get.err);
    }
    const ser = await waitFor('a serializable read on the last node', async () => {
      const r = await cli(['kv', 'get', 'app/color', '--serializable', '--json', '--endpoints', endpoints[2]]);
      return r.code === 0 ? (JSON.parse(r.out) as { value: string; modRevision: number }) : undefined;
    });
    assert.equal(ser.value, 'blue');

    const list = await cli(['kv', 'list', 'app/', ...all(), '--json']);
    assert.equal(list.code, 0, list.err);
    assert.deepEqual(
      (JSON.parse(list.out) as { kvs: { key: string; value: string }[] }).kvs.map((kv) => [kv.key, kv.value]),
      [
        ['app/color', 'blue'],
        ['app/size', 'L'],
      ],
    );
    const table = await cli(['kv', 'list', 'app/', ...all()]);
    assert.match(table.out, /\| KEY +\| VALUE +\|/);

    const del = await cli(['kv', 'delete', 'app/color', ...all(), '--json']);
    assert.equal(del.code, 0, del.err);
    assert.equal((JSON.parse(del.out) as { deleted: boolean }).deleted, true);
    const missing = await cli(['kv', 'get', 'app/color', ...all()]);
    assert.equal(missing.code, 5);
    assert.equal(missing.err, 'palisade: key "app/color" not found\n');
  });

  test('members list', async () => {
    const r = await cli(['members', 'list', ...all(), '--json']);
    assert.equal(r.code, 0, r.err);
    const { members } = JSON.parse(r.out) as { members: { id: string; address: string; voter: boolean }[] };
    assert.deepEqual(
      members.map((m) => [m.id, m.address, m.voter]).sort(),
      endpoints.map((e, i) => [`n${i + 1}`, e, true]),
    );
  });

  test('transfer moves leadership; every endpoint then agrees on the new leader', async () => {
    const before = await waitFor('agreement', agreedStatus);
    const target = ['n1', 'n2', 'n3'].find((id) => id !== before.leader)!;
    const r = await cli(['transfer', '--to', target, ...all(), '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { leader: string }).leader, target);
    const after = await waitFor(`every endpoint to see ${target} lead`, async () => {
      const v = await agreedStatus();
      return v?.leader === target ? v : undefined;
    });
    assert.ok(after.term > before.term);
    const unknown = await cli(['transfer', '--to', 'n9', ...all()]);
    assert.equal(unknown.code, 5, unknown.err);
  });

  test('SIGTERM stops an agent with exit 0', async () => {
    const child = agents[0];
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, logs[0].slice(-2000));
    // The other two keep a leader.
    const r = await waitFor('a leader among the remaining two', async () => {
      const v = await statusVia(endpoints[1]);
      return v?.leader != null && v.leader !== 'n1' ? v : undefined;
    });
    assert.ok(r.leader);
  });
});
