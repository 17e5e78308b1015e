// Operator control of the active role on real agent processes: `palisade switchover [--to ID]`
// (the old active demotes first, no fence needed, the target promotes), refused switchovers,
// `palisade pause` / `resume` (no automatic promotion while paused, even when the active dies),
// and `palisade events`. The same safety checks as ha-failover after every step.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HaCluster } from './ha-cluster.js';
import { nowNs, type HookRecord } from './ha-record.js';
import { waitFor } from './process-cluster.js';

interface StatusJson {
  active: { node: string; epoch: number } | null;
  fencing: string | null;
  paused: boolean;
}

describe('active role on 3 agent processes: operator control', { concurrency: false }, () => {
  let c: HaCluster;
  before(async () => {
    c = await HaCluster.start();
    c.startPolling();
  });
  afterEach(() => c?.heal());
  after(() => c?.close());
  /** PALISADE_PREVIOUS_ACTIVE on promotions after a switchover, checked in the todo test. */
  const previousActive: { want: string; got: string }[] = [];

  function assertSafe(): void {
    const bad = c.violations();
    assert.deepEqual(bad, [], `safety violations:\n${bad.join('\n')}${c.explain()}`);
  }
  const since = (ns: bigint) => c.records().filter((r: HookRecord) => r.ns >= ns);
  async function status(): Promise<StatusJson> {
    const r = await c.cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as StatusJson;
  }

  /** A graceful handover: old demote ended before the new promote started, and nobody was fenced. */
  function assertGraceful(t0: bigint, from: string, to: string): void {
    const recs = since(t0);
    const demote = recs.find((r) => r.node === from && r.event === 'demote' && r.phase === 'end');
    const promote = recs.find((r) => r.node === to && r.event === 'promote' && r.phase === 'start');
    assert.ok(demote && promote, `demote on ${from} and promote on ${to}${c.explain()}`);
    assert.equal(demote.status, '0');
    assert.ok(demote.ns < promote.ns, `${from} finished demoting before ${to} started promoting`);
    previousActive.push({ want: from, got: promote.previousActive });
    assert.deepEqual(
      recs.filter((r) => r.event === 'fence'),
      [],
      'a switchover needs no fence',
    );
  }

  test('switchover --to ID: the old active demotes, then the target promotes with a higher epoch', async (t) => {
    const old = await c.waitForActive();
    const to = c.ids.find((id) => id !== old.node)!;
    const t0 = nowNs();
    const r = await c.cli(['switchover', '--to', to, '--json']);
    t.diagnostic(`switchover ${old.node} → ${to}: ${r.stdout.trim()} (command took ${Number(nowNs() - t0) / 1e6} ms)`);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}${c.explain()}`);
    const out = JSON.parse(r.stdout) as { from: string | null; to: string; epoch: number; durationMs: number };
    assert.equal(out.from, old.node);
    assert.equal(out.to, to);
    assert.ok(out.epoch > old.epoch);
    const next = await c.waitForActive({ exclude: [old.node] });
    assert.deepEqual(next, { node: to, epoch: out.epoch });
    assertGraceful(t0, old.node, to);
    assert.deepEqual((await status()).active, next);
    assertSafe();
  });

  test('switchover without --to picks another caught-up voter', async () => {
    const old = await c.waitForActive();
    const t0 = nowNs();
    const r = await c.cli(['switchover', '--json']);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}${c.explain()}`);
    const next = await c.waitForActive({ exclude: [old.node] });
    assert.notEqual(next.node, old.node);
    assertGraceful(t0, old.node, next.node);
    assertSafe();
  });

  test('switchover to a node that is not a member, or to the active itself, is refused and changes nothing', async () => {
    const old = await c.waitForActive();
    const t0 = nowNs();
    const unknown = await c.cli(['switchover', '--to', 'n9']);
    assert.notEqual(unknown.code, 0, 'unknown target must fail');
    assert.match(unknown.stderr, /n9/, 'the error names the target');
    const self = await c.cli(['switchover', '--to', old.node]);
    // Either refused or a no-op; in both cases the same holder keeps the same epoch.
    if (self.code === 0) assert.match(self.stdout, new RegExp(old.node));
    assert.deepEqual(await c.waitForActive(), old, 'still the same active');
    assert.deepEqual(
      since(t0).filter((r) => r.event !== 'demote'),
      [],
      'no promote or fence hook ran',
    );
    assertSafe();
  });

  test('pause: status says so; kill -9 of the active → a new leader but no promotion until resume', async (t) => {
    const old = await c.waitForActive();
    const p = await c.cli(['pause']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal((await status()).paused, true, 'status --json shows paused');
    // Pausing neither demotes the active nor promotes anyone.
    await c.expectStillActive(old);

    const t0 = nowNs();
    await c.pc.kill9(old.node);
    const survivors = c.ids.filter((id) => id !== old.node);
    const { leader } = await c.pc.waitForLeader(survivors);
    // Bounded negative check: with a leader in place an unpaused cluster promotes within
    // milliseconds (the fence and promote hooks); 2.5 s of nothing is a clear answer.
    const quietUntil = performance.now() + 2500;
    while (performance.now() < quietUntil) {
      assert.deepEqual(await c.primaries(), [], 'no active node while paused');
      await new Promise((ok) => setTimeout(ok, 50));
    }
    assert.deepEqual(
      since(t0).filter((r) => r.event === 'promote'),
      [],
      `no promote hook while paused${c.explain()}`,
    );
    const s = await status();
    assert.equal(s.paused, true);
    t.diagnostic(`paused with ${leader} leading; active record says ${JSON.stringify(s.active)}`);

    const resumedAt = nowNs();
    const r = await c.cli(['resume']);
    assert.equal(r.code, 0, r.stderr);
    const next = await c.waitForActive({ exclude: [old.node] });
    t.diagnostic(`resume → /primary 200 on ${next.node} after ${Number(nowNs() - resumedAt) / 1e6} ms`);
    assert.ok(next.epoch > old.epoch);
    assert.equal((await status()).paused, false);
    const fence = since(t0).find((r) => r.event === 'fence' && r.phase === 'end' && r.target === old.node && r.status === '0');
    assert.ok(fence, `the dead active was fenced before the promotion${c.explain()}`);
    c.pc.start(old.node);
    await waitFor(`${old.node} back as a replica`, async () => (await c.http(old.node, '/replica')).code === 200, 15_000);
    assertSafe();
  });

  test('PALISADE_PREVIOUS_ACTIVE names the node that was active before a switchover', {}, () => {
    assert.ok(previousActive.length > 0);
    assert.deepEqual(
      previousActive.filter((p) => p.got !== p.want),
      [],
    );
  });

  test('palisade events lists the promotions, demotions and fences with durations', async () => {
    const r = await c.cli(['events', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const events = JSON.parse(r.stdout) as {
      seq: number;
      kind: string;
      node: string;
      epoch: number | null;
      durationMs: number | null;
      detail: string;
    }[];
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['election', 'promotion', 'demotion', 'fence']) assert.ok(kinds.has(k), `an event of kind ${k} in ${r.stdout}`);
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'oldest first',
    );
    // Every promotion hook run the recording saw is in the replicated log with its epoch.
    const recorded = c.records().filter((x) => x.event === 'promote' && x.phase === 'end' && x.status === '0');
    for (const p of recorded) {
      assert.ok(
        events.some((e) => e.kind === 'promotion' && e.node === p.node && e.epoch === p.epoch && typeof e.durationMs === 'number'),
        `promotion of ${p.node} epoch ${p.epoch} in events`,
      );
    }
    const table = await c.cli(['events']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /promotion/);
    await c.stopPolling();
    assertSafe();
  });
});
