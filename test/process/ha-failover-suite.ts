// The active role on real agent processes (fencing mode hook, recording hooks): the first
// promotion, kill -9 of the active (fenced, then replaced), SIGSTOP past the lease then SIGCONT
// (the fenced node must not come back as a second active), SIGTERM (demote before exit). After
// every step: active intervals never overlap, epochs increase, every hook got the contract
// environment, /primary 200 on at most one node and only inside its node's active interval.
// Run as is (ha-failover.test.ts) and with mutual TLS (ha-failover-tls.test.ts).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HaCluster, type HaClusterOptions } from './ha-cluster.js';
import { formatRecords, nowNs, setFenceKills, type HookRecord } from './ha-record.js';
import { waitFor } from './process-cluster.js';

/** The failover suite on a cluster started with `options`, under `title`. */
export function describeFailover(title: string, options: HaClusterOptions = {}): void {
  describe(title, { concurrency: false }, () => {
    let c: HaCluster;
    before(async () => {
      c = await HaCluster.start(options);
      c.startPolling();
    });
    afterEach(() => c?.heal());
    after(() => c?.close());
    /** PALISADE_PREVIOUS_ACTIVE seen on promotions after a failover, checked in the todo test at the end. */
    const previousActive: { want: string; got: string; how: string }[] = [];

    function assertSafe(): void {
      const bad = c.violations();
      assert.deepEqual(bad, [], `safety violations:\n${bad.join('\n')}${c.explain()}`);
    }
    const after_ = (ns: bigint) => (r: HookRecord) => r.ns >= ns;
    const ended = (r: HookRecord, node: string, event: string) => r.node === node && r.event === event && r.phase === 'end';

    test('every node demotes at start-up; then one node is active and every view agrees', async () => {
      const active = await c.waitForActive();
      for (const id of c.ids) {
        const pid = c.pids.get(id)![0];
        assert.ok(
          c.records().some((r) => ended(r, id, 'demote') && r.ppid === pid && r.status === '0'),
          `${id} ran its start-up demote hook${c.explain()}`,
        );
      }
      const promotes = c.records().filter((r) => r.event === 'promote' && r.phase === 'start');
      assert.equal(promotes.length, 1, formatRecords(c.records()));
      assert.equal(promotes[0].node, active.node);
      assert.equal(promotes[0].epoch, active.epoch, 'PALISADE_EPOCH is the epoch /status reports');
      assert.equal(promotes[0].previousActive, '', 'nobody was active before');

      for (const id of c.ids) {
        const r = await c.cli(['status', '--json'], [id]);
        assert.equal(r.code, 0, r.stderr);
        const view = JSON.parse(r.stdout) as { active: { node: string; epoch: number } | null };
        assert.deepEqual(view.active, { node: active.node, epoch: active.epoch }, `status --json via ${id}`);
        // One probe each, so a generous timeout: a slow answer (loaded CI machine) must not read as "no answer".
        assert.equal((await c.http(id, '/health', 2000)).code, 200, `/health on ${id}`);
        assert.equal((await c.http(id, '/replica', 2000)).code, id === active.node ? 503 : 200, `/replica on ${id}`);
      }
      assertSafe();
    });

    test('kill -9 of the active: the new leader fences it, then promotes with a higher epoch', async (t) => {
      const old = await c.waitForActive();
      const t0 = nowNs();
      await c.pc.kill9(old.node);
      const next = await c.waitForActive({ exclude: [old.node], timeoutMs: 20_000 });
      t.diagnostic(`kill -9 ${old.node} → /primary 200 on ${next.node} after ${Number(nowNs() - t0) / 1e6} ms`);
      assert.ok(next.epoch > old.epoch, `epoch ${next.epoch} > ${old.epoch}`);

      const since = c.records().filter(after_(t0));
      const promote = since.find((r) => r.event === 'promote' && r.phase === 'start' && r.node === next.node);
      assert.ok(promote, `a promote hook ran on ${next.node}${c.explain()}`);
      assert.equal(promote.epoch, next.epoch);
      previousActive.push({ want: old.node, got: promote.previousActive, how: 'kill -9' });
      const fence = since.find((r) => r.event === 'fence' && r.phase === 'end' && r.target === old.node);
      assert.ok(fence, `the killed active was fenced${c.explain()}`);
      assert.equal(fence.node, next.node, 'the new leader ran the fence hook');
      assert.equal(fence.status, '0');
      assert.ok(fence.ns < promote.ns, 'fence ended before the promote hook started');
      assertSafe();

      // Back as a replica: demotes at start-up (it may hold a VIP from its previous life), no takeover.
      const back = nowNs();
      c.pc.start(old.node);
      await waitFor(`${old.node} to serve /replica after restart`, async () => (await c.http(old.node, '/replica')).code === 200, 15_000);
      assert.ok(
        c.records().some((r) => r.ns >= back && ended(r, old.node, 'demote')),
        `start-up demote on ${old.node}`,
      );
      await c.expectStillActive(next);
      assertSafe();
    });

    test('SIGSTOP the active past its lease, then SIGCONT: fenced and replaced; it demotes on waking and never answers /primary 200', async (t) => {
      // This fence hook only records: the stopped agent survives to be woken up.
      setFenceKills(c.hooks, false);
      const old = await c.waitForActive();
      const t0 = nowNs();
      await c.stop(old.node);
      const next = await c.waitForActive({ exclude: [old.node], timeoutMs: 20_000 });
      t.diagnostic(`SIGSTOP ${old.node} → /primary 200 on ${next.node} after ${Number(nowNs() - t0) / 1e6} ms`);
      const since = c.records().filter(after_(t0));
      const fence = since.find((r) => r.event === 'fence' && r.phase === 'end' && r.target === old.node && r.status === '0');
      const promote = since.find((r) => r.event === 'promote' && r.phase === 'start' && r.node === next.node);
      assert.ok(fence && promote && fence.ns < promote.ns, `fence of ${old.node} ended before ${next.node} promoted${c.explain()}`);
      previousActive.push({ want: old.node, got: promote.previousActive, how: 'SIGSTOP' });

      const woke = nowNs();
      await c.cont(old.node);
      await waitFor(
        `${old.node} to demote after SIGCONT`,
        () => c.records().some((r) => r.ns >= woke && ended(r, old.node, 'demote')),
        10_000,
      );
      await waitFor(`${old.node} to serve /replica`, async () => (await c.http(old.node, '/replica')).code === 200, 10_000);
      await c.expectStillActive(next);
      const late = c.polls.filter((p) => p.node === old.node && p.code === 200 && p.sent > t0);
      assert.deepEqual(late, [], `${old.node} answered /primary 200 after it was stopped`);
      assert.equal(
        c.records().filter((r) => r.ns >= woke && r.node === old.node && r.event === 'promote').length,
        0,
        `${old.node} must not run a promote hook when it wakes${c.explain()}`,
      );
      assertSafe();
    });

    test('SIGTERM of the active: it demotes before it exits; the next active promotes after that demotion', async (t) => {
      const old = await c.waitForActive();
      const t0 = nowNs();
      const exit = await c.pc.signal(old.node, 'SIGTERM');
      const exitedAt = nowNs();
      t.diagnostic(`${old.node} exited ${JSON.stringify(exit)} ${Number(exitedAt - t0) / 1e6} ms after SIGTERM`);
      assert.equal(exit?.code, 0, `clean exit after SIGTERM${c.explain()}`);
      const demote = c.records().find((r) => r.ns >= t0 && ended(r, old.node, 'demote'));
      assert.ok(demote, `demote hook ran on ${old.node} after SIGTERM${c.explain()}`);
      assert.equal(demote.status, '0');
      assert.ok(demote.ns <= exitedAt, 'the demote hook ended before the agent exited');
      assert.equal(demote.epoch, old.epoch, 'PALISADE_EPOCH of the demotion is the epoch it held');

      const next = await c.waitForActive({ exclude: [old.node], timeoutMs: 20_000 });
      const promote = c.records().find((r) => r.ns >= t0 && r.event === 'promote' && r.phase === 'start' && r.node === next.node);
      assert.ok(promote && promote.ns > demote.ns, `promote on ${next.node} after the demotion of ${old.node}${c.explain()}`);
      previousActive.push({ want: old.node, got: promote.previousActive, how: 'SIGTERM' });
      assert.ok(next.epoch > old.epoch);
      const fenced = c.records().some((r) => r.ns >= t0 && r.event === 'fence' && r.target === old.node);
      t.diagnostic(
        `${next.node} active ${Number(promote.ns - t0) / 1e6} ms after SIGTERM; ${old.node} ${fenced ? 'was fenced (its demotion did not commit before exit)' : 'confirmed its demotion (no fence)'}`,
      );
      c.pc.start(old.node);
      await waitFor(`${old.node} back as a replica`, async () => (await c.http(old.node, '/replica')).code === 200, 15_000);
      assertSafe();
    });

    test('PALISADE_PREVIOUS_ACTIVE names the node that was active before a failover', {}, () => {
      assert.ok(previousActive.length > 0);
      assert.deepEqual(
        previousActive.filter((p) => p.got !== p.want),
        [],
      );
    });

    test('the whole run: /primary was polled throughout and answered 200 somewhere', async () => {
      await c.stopPolling();
      const rounds = new Set(c.polls.map((p) => p.round)).size;
      assert.ok(rounds > 50, `${rounds} polling rounds`);
      assert.ok(c.polls.some((p) => p.code === 200));
      assertSafe();
    });
  });
}
