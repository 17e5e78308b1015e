// The VIP on a real network (root; CI is root): three agents in their own network namespaces
// and a client namespace, on a bridge in yet another namespace. The VIP answers from exactly one
// node; kill -9 of the active (fenced: its VIP removed in its namespace) moves the VIP and the
// client's ARP entry follows the new active; partitions of the active — bridge port down,
// nftables drops both ways and one way — make the old node drop the VIP before the new one adds
// it (or it is fenced), and after healing nobody re-adds a stale VIP; the active's service dying
// while its agent lives (a failing check, issue 15) moves the VIP off it in order. Throughout: active
// intervals from the recording hooks never overlap, /primary 200 at most once per polling round,
// and `ip addr` never shows the VIP on two nodes at once nor outside its holder's interval.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activeIntervals,
  environmentViolations,
  epochViolations,
  formatRecords,
  nowNs,
  overlapViolations,
  primaryViolations,
  type ActiveInterval,
} from '../process/ha-record.js';
import { requireBuild, waitFor } from '../process/process-cluster.js';
import { NetnsBed, netnsSkipReason } from './netns-bed.js';
import { fixture } from '../ha/fixtures/helpers.js';

const skip = netnsSkipReason();
if (skip) console.log(`# namespace VIP tests skipped: ${skip}`);

/** See test/process/ha-cluster.ts: the demote budget (hook timeout + grace) must fit in the lease. */
const ELECTION_MS = 1500;
const HOOK_TIMEOUT_MS = 800;
/**
 * Every agent checks its "service": test/ha/fixtures/check-flag.sh reads $CHECK_FLAG_DIR/<id>
 * (up or down). Two failures in a row make a node unhealthy; the timeout is far above what the
 * script takes, so a loaded machine does not fail the check by itself.
 */
const CHECK_ARGS = [
  '--check',
  fixture('check-flag.sh'),
  '--check-interval-ms',
  '250',
  '--check-timeout-ms',
  '1000',
  '--check-fall',
  '2',
  '--check-rise',
  '2',
];

describe('VIP on a bridged network of namespaces', { skip, concurrency: false }, () => {
  let bed: NetnsBed;
  const flags = mkdtempSync(join(tmpdir(), 'palisade-netns-flags-'));
  const setFlag = (id: string, state: 'up' | 'down'): void => writeFileSync(join(flags, id), state);
  before(async () => {
    requireBuild();
    process.env['CHECK_FLAG_DIR'] = flags; // `ip netns exec` passes the environment on to the agents
    bed = await NetnsBed.create({ electionTimeoutMs: ELECTION_MS, hookTimeoutMs: HOOK_TIMEOUT_MS, extraArgs: CHECK_ARGS });
    bed.startAll();
    bed.startPolling();
    bed.startSampling();
  });
  after(async () => {
    await bed?.close();
    rmSync(flags, { recursive: true, force: true });
  });
  // Whatever a test did to the network, the next one starts healed with every agent running.
  afterEach(async () => {
    if (!bed) return;
    for (const id of bed.ids) setFlag(id, 'up');
    await bed.undrop();
    for (const id of bed.ids) {
      await bed.linkUp(id);
      if (bed.node(id).child === undefined) bed.start(id);
    }
    bed.setFenceKills(true);
    await bed.waitForActive();
  });

  function explain(): string {
    const tails = bed.ids
      .map(
        (id) =>
          `--- ${id} log (tail)\n${bed
            .log(id)
            .split('\n')
            .slice(-15)
            .map((l) => l.slice(0, 300))
            .join('\n')}`,
      )
      .join('\n');
    return `\n--- hook record\n${formatRecords(bed.records())}\n${tails}`;
  }

  /** `ip addr` samples: never two holders, and a holder only inside its active interval. */
  function vipViolations(intervals: readonly ActiveInterval[]): string[] {
    const bad: string[] = [];
    for (const s of bed.vipSamples) {
      if (s.holders.length > 1) bad.push(`VIP on ${s.holders.join(' and ')} at once`);
      for (const h of s.holders) {
        // The holder had the VIP at some instant of [at, doneAt]: a violation is a read window that
        // meets none of its active intervals (with 50 ms after an interval's end for the removal).
        if (!intervals.some((iv) => iv.node === h && iv.start <= s.doneAt && (iv.end === undefined || s.at <= iv.end + 50_000_000n))) {
          bad.push(`VIP on ${h} at ${s.at} outside any active interval of ${h}`);
        }
      }
    }
    return bad;
  }

  function assertSafe(): void {
    const recs = bed.records();
    const intervals = activeIntervals(recs);
    const bad = [
      ...overlapViolations(intervals),
      ...epochViolations(recs),
      ...environmentViolations(recs, { cluster: 'ha-netns', nodes: bed.ids, pidsOf: (n) => bed.node(n).pids }),
      ...primaryViolations(bed.polls, intervals),
      ...vipViolations(intervals),
    ];
    assert.deepEqual(bad, [], `safety violations:\n${[...new Set(bad)].join('\n')}${explain()}`);
  }

  async function assertOneHolder(active: string): Promise<void> {
    assert.deepEqual(await bed.vipHolders(), [active], '`ip addr` shows the VIP on the active node only');
    assert.deepEqual(await bed.arpingMacs(), [bed.node(active).mac], "arping from the client: one MAC, the active node's");
  }

  /** The client's ARP entry reaches the active's MAC (gratuitous ARP), without the client asking. */
  async function clientFollows(active: string, t: { diagnostic(s: string): void }, since: bigint): Promise<void> {
    await waitFor(
      `the client's neighbour entry for the VIP to name ${active} (${bed.node(active).mac})`,
      async () => (await bed.clientNeighbourMac()) === bed.node(active).mac,
      8000,
      50,
    );
    t.diagnostic(`client ARP entry → ${active} ${Number(nowNs() - since) / 1e6} ms after the fault`);
    assert.ok(await bed.clientPing(), 'the client reaches the VIP');
  }

  /** A quiet period after healing: the VIP stays with `active` alone (nobody re-adds a stale one). */
  async function staysWith(active: string, ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      assert.deepEqual(await bed.vipHolders(), [active], `after healing only the active holds the VIP${explain()}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
    await assertOneHolder(active);
  }

  test('the VIP answers from exactly one node: the active one', async (t) => {
    const active = await bed.waitForActive();
    t.diagnostic(`active ${active} on ${bed.subnet}.0/24, VIP ${bed.vip}`);
    await assertOneHolder(active);
    assert.ok(await bed.clientPing(), 'the client reaches the VIP');
    assert.equal(await bed.clientNeighbourMac(), bed.node(active).mac);
    assertSafe();
  });

  test('kill -9 of the active: fenced (VIP removed in its namespace), the VIP moves, the client ARP entry follows', async (t) => {
    const old = await bed.waitForActive();
    assert.ok(await bed.clientPing());
    const t0 = nowNs();
    await bed.kill9(old);
    // The dead agent's namespace still has the address: only the fence can remove it.
    assert.deepEqual(await bed.vipHolders(), [old], 'a killed agent keeps its VIP until fenced');
    const next = await bed.waitForActive([old]);
    t.diagnostic(`kill -9 ${old} → ${next} active with the VIP after ${Number(nowNs() - t0) / 1e6} ms`);
    const recs = bed.records().filter((r) => r.ns >= t0);
    const fence = recs.find((r) => r.event === 'fence' && r.phase === 'end' && r.target === old && r.status === '0');
    const promote = recs.find((r) => r.event === 'promote' && r.phase === 'start' && r.node === next);
    assert.ok(fence && promote && fence.ns < promote.ns, `fence of ${old} ended before ${next} promoted${explain()}`);
    await clientFollows(next, t, t0);
    await assertOneHolder(next);

    const back = nowNs();
    bed.start(old);
    await waitFor(
      `${old} to demote at start-up`,
      () => bed.records().some((r) => r.ns >= back && r.node === old && r.event === 'demote' && r.phase === 'end'),
      20_000,
    );
    await staysWith(next, 1500);
    assertSafe();
  });

  const partitions = [
    { name: 'bridge port down', cut: (id: string) => bed.linkDown(id) },
    { name: 'nftables drop both ways', cut: (id: string) => bed.drop(id, 'both') },
    { name: 'nftables one-way drop of frames from the active', cut: (id: string) => bed.drop(id, 'from') },
    { name: 'nftables one-way drop of frames to the active', cut: (id: string) => bed.drop(id, 'to') },
  ] as const;

  for (const p of partitions) {
    test(`partition of the active (${p.name}): the old node drops the VIP before the new one adds it, or is fenced; after healing no stale VIP`, async (t) => {
      // The fence removes the VIP remotely but does not kill: the partitioned agent must act by itself.
      bed.setFenceKills(false);
      const old = await bed.waitForActive();
      assert.ok(await bed.clientPing());
      const t0 = nowNs();
      await p.cut(old);
      const next = await bed.waitForActive([old], 30_000);
      t.diagnostic(`${p.name}: ${next} active with the VIP ${Number(nowNs() - t0) / 1e6} ms after the cut`);

      const recs = bed.records().filter((r) => r.ns >= t0);
      // The VIP is removed before the demote hook starts, and added after the promote hook ends.
      const oldDemote = recs.find((r) => r.node === old && r.event === 'demote' && r.phase === 'start');
      const newPromoteStart = recs.find((r) => r.node === next && r.event === 'promote' && r.phase === 'start');
      const newPromoteEnd = recs.find((r) => r.node === next && r.event === 'promote' && r.phase === 'end');
      const fence = recs.find((r) => r.event === 'fence' && r.phase === 'end' && r.target === old && r.status === '0');
      assert.ok(newPromoteStart && newPromoteEnd, `promote hook on ${next}${explain()}`);
      const selfFirst = oldDemote !== undefined && oldDemote.ns < newPromoteEnd.ns;
      const fencedFirst = fence !== undefined && fence.ns < newPromoteStart.ns;
      t.diagnostic(
        `${old} ${oldDemote ? `began demoting ${Number(oldDemote.ns - t0) / 1e6} ms after the cut` : 'did not demote by itself'}; ` +
          `${fence ? `fenced by ${fence.node} at +${Number(fence.ns - t0) / 1e6} ms` : 'not fenced'}; ${next} promote hook at +${Number(newPromoteStart.ns - t0) / 1e6} ms`,
      );
      assert.ok(selfFirst || fencedFirst, `${old} removed its VIP before ${next} added it, or was fenced first${explain()}`);
      // The old node itself must give the role up: its lease ran out while cut off.
      await waitFor(
        `${old} to demote by itself while cut off`,
        () => bed.records().some((r) => r.ns >= t0 && r.node === old && r.event === 'demote' && r.phase === 'end'),
        15_000,
      );
      await clientFollows(next, t, t0);

      const healed = nowNs();
      await bed.undrop();
      await bed.linkUp(old);
      await staysWith(next, 3000);
      assert.equal(await bed.clientNeighbourMac(), bed.node(next).mac, 'the client still reaches the new active after healing');
      assert.equal(
        bed.records().filter((r) => r.ns >= healed && r.node === old && r.event === 'promote').length,
        0,
        `${old} must not promote again after healing${explain()}`,
      );
      assertSafe();
    });
  }

  test('a cut-off follower comes back: the active announces the VIP again, so a stale ARP entry follows at once', async (t) => {
    const active = await bed.waitForActive();
    const follower = bed.ids.find((id) => id !== active)!;
    // A neighbour that learned a wrong mapping while things were unsettled (here: written by
    // hand) and sends nothing to the VIP meanwhile: only a gratuitous ARP can correct it.
    await bed.setClientNeighbour(bed.node(follower).mac);
    assert.equal(await bed.clientNeighbourMac(), bed.node(follower).mac);
    await bed.linkDown(follower);
    // The fault lasts longer than an election timeout: its end is an ambiguous period's end.
    await new Promise((ok) => setTimeout(ok, ELECTION_MS + 500));
    const healed = nowNs();
    await bed.linkUp(follower);
    await waitFor(
      `the client's neighbour entry for the VIP to name ${active} again`,
      async () => (await bed.clientNeighbourMac()) === bed.node(active).mac,
      10_000,
      50,
    );
    t.diagnostic(`client ARP entry back on ${active} ${Number(nowNs() - healed) / 1e6} ms after healing`);
    assert.match(bed.log(active), /announcing the VIP again/, 'the active says why it announced');
    assert.equal(bed.currentPrimary(), active, 'the role did not move');
    assertSafe();
  });

  test("the active's service dies while its agent lives: the VIP moves off it before the new active adds it, unfenced; the client follows", async (t) => {
    const old = await bed.waitForActive();
    assert.ok(await bed.clientPing());
    const t0 = nowNs();
    setFlag(old, 'down');
    const next = await bed.waitForActive([old], 30_000);
    t.diagnostic(`service down on ${old} → ${next} active with the VIP ${Number(nowNs() - t0) / 1e6} ms later`);
    const recs = bed.records().filter((r) => r.ns >= t0);
    // Demotion removes the VIP before its hook runs; promotion adds it after its hook ends.
    const demoted = recs.find(
      (r) => r.node === old && r.event === 'demote' && r.phase === 'end' && r.status === '0' && r.reason.startsWith('service unhealthy'),
    );
    const promote = recs.find((r) => r.node === next && r.event === 'promote' && r.phase === 'start');
    assert.ok(demoted && promote && demoted.ns < promote.ns, `${old} demoted for its service before ${next} promoted${explain()}`);
    // An ordered handover: the old node confirmed that demotion, nobody had to fence it for it.
    const unconfirmed = `${old} did not confirm demoting epoch ${demoted.epoch}`;
    assert.deepEqual(
      recs.filter((r) => r.event === 'fence' && r.reason.includes(unconfirmed)),
      [],
      `${old} was not fenced${explain()}`,
    );
    assert.notEqual(bed.node(old).child, undefined, `${old}'s agent still runs`);
    await clientFollows(next, t, t0);
    await staysWith(next, 1500);
    assertSafe();
  });

  test('the whole run: polled throughout, never two VIP holders', async () => {
    await bed.stopSampling();
    assert.ok(bed.vipSamples.length > 50, `${bed.vipSamples.length} samples`);
    assert.ok(bed.polls.some((p) => p.code === 200));
    assertSafe();
  });
});
