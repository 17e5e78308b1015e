// Real agents under resource attacks (issue 14, "Limits"): the attacker is this test, speaking
// gRPC itself. Nothing it sends may make a node hold unbounded memory, and the cluster keeps
// its term and its log through it. Also what the agent refuses at start (a hook others could
// change) and what it leaves on disk (a private data dir).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessCluster, freePorts, requireBuild, runCli } from './process-cluster.js';

/** Every directory and file under `root`, with its permission bits. */
function modes(root: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(root);
  return out;
}

describe('what the agent refuses and leaves on disk', { concurrency: false }, () => {
  let dir: string;
  before(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'palisade-limits-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a world-writable hook: exit 2 with the reason, nothing written', async () => {
    const hook = join(dir, 'promote.sh');
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
    chmodSync(hook, 0o777);
    const [port] = await freePorts(1);
    const dataDir = join(dir, 'hook-data');
    const r = await runCli(['agent', '--id', 'n1', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--peers', `n1=127.0.0.1:${port}`, '--on-promote', hook]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /on-promote: hook .*promote\.sh is writable by any user \(mode 0777\)/);
    assert.deepEqual(readdirSync(dir).filter((n) => n === 'hook-data'), [], 'the data dir was not created');
  });
});

describe('a running cluster', { concurrency: false }, () => {
  let cluster: ProcessCluster;
  before(async () => {
    cluster = await ProcessCluster.start({ size: 3 });
  });
  after(async () => {
    await cluster?.close();
  });

  test('the data dir is 0700 and every file in it 0600', async () => {
    const c = cluster.client('n1');
    for (let i = 0; i < 20; i++) await c.kv.put(`perm/${i}`, 'x'.repeat(100));
    for (const id of ['n1', 'n2', 'n3']) {
      const wrong = modes(cluster.node(id).dataDir).filter((e) => e.mode !== (e.dir ? 0o700 : 0o600));
      assert.deepEqual(wrong.map((e) => `${e.path} ${e.mode.toString(8)}`), [], `${id}: files or dirs others can read`);
    }
  });
});
