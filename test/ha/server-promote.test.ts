// The active role on real in-process nodes (loopback gRPC, LevelDB in temp dirs, recording
// hook scripts): the leader promotes with the documented hook environment, exactly one node
// answers /primary 200, `palisade status --json` reports "active", events are replicated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { run } from '../../src/cli/program.js';
import { waitUntil } from '../server/helpers.js';
import { startHookCluster, type HookCluster } from './server-harness.js';

async function httpStatus(address: string | undefined, path: string): Promise<number> {
  const r = await fetch(`http://${address}${path}`);
  await r.text();
  return r.status;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (s) => (out += s), err: (s) => (err += s), env: {}, signal: new AbortController().signal });
  return { code, out, err };
}

describe('a leader becomes the active node', () => {
  let c: HookCluster;
  before(async () => {
    c = await startHookCluster();
  });
  after(async () => {
    await c?.close();
  });

  test('the leader runs the promote hook with the documented environment (docs/design.md "Hook contract")', async () => {
    const leader = await c.leader();
    const line = await waitUntil('a promote hook run', () => c.lines().find((l) => l.event === 'promote'));
    assert.equal(line.node, leader.id);
    const env = c.envs().find((e) => e.PALISADE_EVENT === 'promote')!;
    assert.equal(env.PALISADE_NODE_ID, leader.id);
    assert.equal(env.PALISADE_TARGET, leader.id);
    assert.equal(env.PALISADE_CLUSTER, 'palisade');
    assert.equal(Number(env.PALISADE_EPOCH), line.epoch);
    assert.ok(line.epoch > 0);
    assert.equal(env.PALISADE_TERM, String(leader.status().term));
    assert.equal(env.PALISADE_PREVIOUS_ACTIVE, '');
    assert.equal(env.PALISADE_REASON, 'elected');
    // Every node demoted at start-up (it may hold a VIP from a previous life), before any promote.
    const startup = c.lines().filter((l) => l.event === 'demote' && l.epoch === 0);
    assert.deepEqual(new Set(startup.map((l) => l.node)), new Set(['n1', 'n2', 'n3']));
    assert.ok(startup.every((l) => l.ns < line.ns));
  });

  test('/primary is 200 on exactly the active node, /replica on the others', async () => {
    const leader = await c.leader();
    await waitUntil('leader serving /primary', async () => (await httpStatus(leader.httpAddress, '/primary')) === 200);
    for (const n of c.nodes.values()) {
      const primary = await httpStatus(n.httpAddress, '/primary');
      const replica = await httpStatus(n.httpAddress, '/replica');
      if (n.id === leader.id) assert.deepEqual([primary, replica], [200, 503], n.id);
      else assert.deepEqual([primary, replica], [503, 200], n.id);
    }
  });

  test('status --json has "active", "fencing" and "paused"; events list the election and the promotion', async () => {
    const leader = await c.leader();
    const endpoints = [...c.nodes.values()].map((n) => n.address).join(',');
    const st = await waitUntil('status with the active node', async () => {
      const r = await cli(['status', '--json', '--endpoints', endpoints]);
      const j = JSON.parse(r.out) as { active: unknown; fencing: string; paused: boolean };
      return r.code === 0 && j.active !== null ? j : undefined;
    });
    const active = st.active as { node: string; epoch: number };
    assert.equal(active.node, leader.id);
    // The epoch is the one its promote hook was told (a stall may have caused a re-promotion).
    const epoch = active.epoch;
    assert.ok(c.lines().some((l) => l.event === 'promote' && l.node === leader.id && l.epoch === epoch));
    assert.equal(st.fencing, 'hook');
    assert.equal(st.paused, false);
    const text = await cli(['status', '--endpoints', endpoints]);
    assert.match(text.out, new RegExp(`Active: ${leader.id} \\(epoch \\d+\\)  Fencing: hook  Paused: no`));

    const ev = await waitUntil('a promotion event', async () => {
      const r = await cli(['events', '--json', '--endpoints', endpoints]);
      const list = JSON.parse(r.out) as { kind: string; node: string; epoch: number | null; durationMs: number | null; at: string }[];
      return list.some((e) => e.kind === 'promotion') ? list : undefined;
    });
    assert.ok(ev.some((e) => e.kind === 'election' && e.node === leader.id));
    const promo = ev.find((e) => e.kind === 'promotion')!;
    assert.equal(promo.node, leader.id);
    assert.ok(c.lines().some((l) => l.event === 'promote' && l.epoch === promo.epoch));
    assert.ok(promo.durationMs !== null && promo.durationMs >= 0);
    assert.ok(!Number.isNaN(Date.parse(promo.at)));
  });
});
