// Moving the active role between real in-process nodes, checked on the recording hooks'
// monotonic timestamps: after a crash another node fences and promotes with a higher epoch; a
// switchover demotes the old active before the new one promotes; while paused nobody is
// promoted; a failing promote hook makes the node give the role (and leadership) away.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect } from '../../src/client/connect.js';
import type { PalisadeNode } from '../../src/server/node.js';
import { waitUntil } from '../server/helpers.js';
import { checkSingleActive, startHookCluster, type HookCluster } from './server-harness.js';

const crash = (n: PalisadeNode): Promise<void> => (n as unknown as { crash(): Promise<void> }).crash();

async function activeNode(c: HookCluster, not?: string): Promise<{ node: PalisadeNode; epoch: number }> {
  return waitUntil(
    'a node serving as active',
    () => {
      for (const n of c.nodes.values()) {
        const ha = n.status().ha;
        if (n.id !== not && ha?.primary && ha.active?.node === n.id) return { node: n, epoch: ha.active.epoch };
      }
      return undefined;
    },
    15_000,
  );
}

describe('failover', () => {
  test('crash of the active node: another node fences it, then promotes with a higher epoch', async () => {
    const c = await startHookCluster();
    try {
      const first = await activeNode(c);
      await crash(first.node);
      c.nodes.delete(first.node.id);
      const second = await activeNode(c, first.node.id);
      assert.ok(second.epoch > first.epoch);
      const lines = c.lines();
      const promote = lines.find((l) => l.event === 'promote' && l.epoch === second.epoch)!;
      const fence = lines.find((l) => l.event === 'fence' && l.node === second.node.id);
      assert.ok(fence && fence.ns < promote.ns, 'the fence hook ran before the new promotion');
      assert.equal(c.envs().find((e) => e.PALISADE_EVENT === 'fence')?.PALISADE_TARGET, first.node.id);
      const env = c.envs().find((e) => e.PALISADE_EVENT === 'promote' && e.PALISADE_EPOCH === String(second.epoch))!;
      assert.equal(env.PALISADE_PREVIOUS_ACTIVE, first.node.id);
      checkSingleActive(lines);
    } finally {
      await c.close();
    }
  });

  test('stop (SIGTERM path): the active node demotes before it exits, then another promotes without fencing', async () => {
    const c = await startHookCluster();
    try {
      const first = await activeNode(c);
      await first.node.stop();
      c.nodes.delete(first.node.id);
      const second = await activeNode(c, first.node.id);
      const lines = c.lines();
      const demote = lines.find((l) => l.event === 'demote' && l.node === first.node.id && l.epoch === first.epoch);
      const promote = lines.find((l) => l.event === 'promote' && l.epoch === second.epoch)!;
      assert.ok(demote && demote.ns < promote.ns, 'old demote before new promote');
      assert.ok(!lines.some((l) => l.event === 'fence'), 'a confirmed demotion needs no fence');
      checkSingleActive(lines);
    } finally {
      await c.close();
    }
  });

  test('switchover: old demotes first, then the target promotes; pause stops promotion until resume', async () => {
    const c = await startHookCluster();
    const endpoints = [...c.nodes.values()].map((n) => n.address);
    const client = connect(endpoints, { timeoutMs: 20_000 });
    try {
      const first = await activeNode(c);
      const target = [...c.nodes.keys()].find((id) => id !== first.node.id)!;
      const r = await waitUntil('a switchover the leader accepts', () => client.switchover(target).catch(() => undefined), 15_000, 200);
      assert.equal(r.to, target);
      assert.equal(r.from, first.node.id);
      assert.ok(r.epoch > first.epoch);
      const second = await activeNode(c, first.node.id);
      assert.equal(second.node.id, target);
      let lines = c.lines();
      const demote = lines.find((l) => l.event === 'demote' && l.node === first.node.id && l.epoch === first.epoch)!;
      const promote = lines.find((l) => l.event === 'promote' && l.node === target && l.epoch === r.epoch)!;
      assert.ok(demote.ns < promote.ns, 'old demote before new promote');
      checkSingleActive(lines);

      // Pause, then lose the active node: a new leader is elected but nobody promotes.
      assert.deepEqual(await client.pause(), { paused: true });
      assert.equal((await client.status()).ha?.paused, true);
      await crash(second.node);
      c.nodes.delete(second.node.id);
      await waitUntil('a new leader', () => [...c.nodes.values()].find((n) => n.status().role === 'leader'), 15_000);
      const promotesBefore = c.lines().filter((l) => l.event === 'promote').length;
      const survivors = [...c.nodes.values()].map((n) => n.address);
      const c2 = connect(survivors, { timeoutMs: 20_000 });
      try {
        assert.deepEqual(await c2.resume(), { paused: false });
        assert.equal(c.lines().filter((l) => l.event === 'promote').length, promotesBefore, 'no promotion while paused');
        const third = await activeNode(c, second.node.id);
        assert.ok(third.epoch > r.epoch);
        lines = c.lines();
        checkSingleActive(lines);
        const events = await c2.events();
        for (const kind of ['election', 'promotion', 'demotion', 'fence'] as const)
          assert.ok(
            events.some((e) => e.kind === kind),
            kind,
          );
        assert.ok(events.every((e, i) => i === 0 || e.seq > events[i - 1].seq));
      } finally {
        c2.close();
      }
    } finally {
      client.close();
      await c.close();
    }
  });

  test('a failing promote hook: the node gives the role up and another node promotes', async () => {
    const c = await startHookCluster({ failFirstPromote: true });
    try {
      const failed = await waitUntil('the scripted promote failure', () => c.lines().find((l) => l.event === 'promote-failed'));
      const next = await activeNode(c, failed.node);
      assert.notEqual(next.node.id, failed.node);
      assert.ok(next.epoch > failed.epoch);
      const lines = c.lines();
      // The failed node cleaned up (demote) before the other promoted.
      const cleanup = lines.find((l) => l.event === 'demote' && l.node === failed.node && l.ns > failed.ns)!;
      const promote = lines.find((l) => l.event === 'promote' && l.epoch === next.epoch)!;
      assert.ok(cleanup && cleanup.ns < promote.ns);
    } finally {
      await c.close();
    }
  });
});
