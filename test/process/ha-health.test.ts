// Health checks on real agent processes (issue 15): every node runs test/ha/fixtures/check-flag.sh,
// which reads its flag file ($CHECK_FLAG_DIR/<node id>: up, down or hang). Flip the active's flag
// → the role moves to a healthy node (demote before promote, epochs grow); flip every replica's
// flag → nobody is promoted when the active dies; a hanging check is killed at its timeout and
// counts as a failure; flags flapping every 200 ms → at most one failover per cooldown. After
// every step: no overlap of active intervals, /primary 200 only inside them. Every demote hook
// succeeds here, so each handover is ordered and nobody is ever fenced.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HaCluster } from './ha-cluster.js';
import { nowNs, type HookRecord } from './ha-record.js';
import { waitFor } from './process-cluster.js';
import { fixture, processDead, waitForPidFile } from '../ha/fixtures/helpers.js';

const COOLDOWN_MS = 3000;
const CHECK_TIMEOUT_MS = 1000;
/**
 * Checks every 250 ms on each of three agents: on a loaded 2-core machine each spawn holds an
 * agent's event loop for milliseconds, and a tighter interval costs the agents more than it
 * tells about the service.
 */
const CHECK_INTERVAL_MS = 250;
/** Failover events carry the deciding node's wall clock in whole milliseconds: rounding only. */
const EVENT_CLOCK_ROUNDING_MS = 2;

interface StatusJson {
  active: { node: string; epoch: number } | null;
  degraded: boolean;
  members: { id: string; health: string; healthDetail?: string }[];
}

describe('health checks on 3 agent processes', { concurrency: false }, () => {
  let c: HaCluster;
  const flags = mkdtempSync(join(tmpdir(), 'palisade-flags-'));
  const setFlag = (node: string, state: 'up' | 'down' | 'hang'): void => writeFileSync(join(flags, node), state);

  before(async () => {
    // The agents inherit the environment: the check finds its flag file there.
    process.env['CHECK_FLAG_DIR'] = flags;
    c = await HaCluster.start({
      cluster: 'ha-health',
      extraArgs: () => [
        '--check',
        fixture('check-flag.sh'),
        '--check-interval-ms',
        String(CHECK_INTERVAL_MS),
        '--check-timeout-ms',
        String(CHECK_TIMEOUT_MS),
        '--check-fall',
        '1',
        '--check-rise',
        '1',
        '--failover-cooldown-ms',
        String(COOLDOWN_MS),
      ],
    });
    c.startPolling();
  });
  afterEach(async () => {
    for (const id of c.ids) setFlag(id, 'up');
    await c.heal();
    // The next test starts outside any cooldown a failover of this one began.
    await new Promise((ok) => setTimeout(ok, COOLDOWN_MS));
  });
  after(async () => {
    await c?.close();
    rmSync(flags, { recursive: true, force: true });
  });

  function assertSafe(): void {
    const bad = c.violations();
    assert.deepEqual(bad, [], `safety violations:\n${bad.join('\n')}${c.explain()}`);
  }
  async function status(): Promise<StatusJson> {
    const r = await c.cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as StatusJson;
  }
  const healthOf = async (id: string): Promise<string | undefined> => (await status()).members.find((m) => m.id === id)?.health;
  const promoteStarts = (since: bigint): HookRecord[] =>
    c.records().filter((r) => r.event === 'promote' && r.phase === 'start' && r.ns >= since);

  /**
   * Fences of a node whose demotion for a health failover ran its demote hook to exit 0: such a
   * handover is ordered like a switchover (demotion confirmed in the log before the transfer), so
   * nobody may fence it. A fence for another cause (a lease lost on a starved machine) is the
   * protocol working and is not counted.
   */
  function fencesAfterCleanHealthDemotion(since: bigint): string[] {
    const recs = c.records().filter((r) => r.ns >= since);
    const clean = new Set(
      recs
        .filter((r) => r.event === 'demote' && r.phase === 'end' && r.status === '0' && r.reason.startsWith('service unhealthy'))
        .map((r) => `${r.node}@${r.epoch}`),
    );
    return recs
      .filter((r) => r.event === 'fence' && r.phase === 'start')
      .filter((r) => {
        const m = /(\S+) did not confirm demoting epoch (\d+)/.exec(r.reason);
        return m !== null && clean.has(`${m[1]}@${m[2]}`);
      })
      .map((r) => `${r.node} fenced ${r.target} (epoch ${r.epoch}: ${r.reason})`);
  }

  test('every node reports healthy: status HEALTH column and members[].health', async () => {
    await c.waitForActive();
    await waitFor('every member healthy', async () => (await status()).members.every((m) => m.health === 'healthy'), 10_000);
    const table = await c.cli(['status']);
    assert.match(table.stdout, /HEALTH/);
    for (const id of c.ids)
      await waitFor(`/health 200 on ${id}`, async () => ((await c.http(id, '/health', 2000)).code === 200 ? true : undefined), 10_000);
  });

  test("the active's service fails → it demotes, a healthy node promotes (epoch grows), hooks in order, no overlap", async () => {
    const old = await c.waitForActive();
    const t0 = nowNs();
    setFlag(old.node, 'down');
    const next = await c.waitForActive({ exclude: [old.node], timeoutMs: 15_000 });
    assert.ok(next.epoch > old.epoch, `epoch grows: ${old.epoch} → ${next.epoch}`);
    const recs = c.records().filter((r) => r.ns >= t0);
    const demoteEnd = recs.find((r) => r.node === old.node && r.event === 'demote' && r.phase === 'end');
    const promoteStart = recs.find((r) => r.node === next.node && r.event === 'promote' && r.phase === 'start');
    assert.ok(
      demoteEnd && promoteStart && demoteEnd.ns < promoteStart.ns,
      `the old active's demote hook ended before the new one's promote started${c.explain()}`,
    );
    assert.deepEqual(fencesAfterCleanHealthDemotion(t0), [], `an ordered handover needs no fence${c.explain()}`);
    const st = await status();
    assert.equal(st.members.find((m) => m.id === old.node)?.health, 'unhealthy');
    assert.match(st.members.find((m) => m.id === old.node)?.healthDetail ?? '', /service down/);
    assert.equal((await c.http(old.node, '/health', 2000)).code, 503, '/health reflects the failed service');
    assert.equal((await c.http(old.node, '/replica', 2000)).code, 503, 'a replica with a failed service takes no reads');
    // An unhealthy node is never promoted by a switchover either: the CLI says why.
    const refused = await c.cli(['switchover', '--to', old.node]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`${old.node} cannot take the role: its service is unhealthy`));
    const events = await c.cli(['events', '--json']);
    assert.match(events.stdout, new RegExp(`failover: service unhealthy on ${old.node}; handing the role to ${next.node}`));
    assertSafe();
  });

  test('a hanging check is killed at its timeout and counts as a failure', async () => {
    const active = await c.waitForActive();
    const replica = c.ids.find((id) => id !== active.node)!;
    setFlag(replica, 'hang');
    const child = await waitForPidFile(join(flags, `${replica}.pid`), 10_000);
    await waitFor(`${replica} unhealthy`, async () => ((await healthOf(replica)) === 'unhealthy' ? true : undefined), 10_000);
    const unhealthySince = nowNs();
    const st = await status();
    assert.match(st.members.find((m) => m.id === replica)?.healthDetail ?? '', new RegExp(`timed out after ${CHECK_TIMEOUT_MS} ms`));
    await waitFor(`the hung check's child ${child} killed with its process group`, () => processDead(child), 5_000);
    setFlag(replica, 'up');
    await waitFor(`${replica} healthy again`, async () => ((await healthOf(replica)) === 'healthy' ? true : undefined), 10_000);
    // Unhealthy from its timed-out check on, it was never promoted (the role may still be renewed
    // elsewhere: a starved machine lets leases run out).
    assert.deepEqual(
      promoteStarts(unhealthySince).filter((r) => r.node === replica),
      [],
      `${replica} promoted while its check hung${c.explain()}`,
    );
    assertSafe();
  });

  test("every replica's service down → nobody is promoted when the active dies; a replica recovering takes over", async () => {
    const old = await c.waitForActive();
    const replicas = c.ids.filter((id) => id !== old.node);
    for (const id of replicas) setFlag(id, 'down');
    await waitFor(
      'both replicas unhealthy',
      async () => {
        const st = await status();
        return replicas.every((id) => st.members.find((m) => m.id === id)?.health === 'unhealthy') ? true : undefined;
      },
      10_000,
    );
    const t0 = nowNs();
    await c.pc.kill9(old.node);
    // A new leader is elected, but neither unhealthy replica may promote: watch for a while.
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      assert.deepEqual(await c.primaries(replicas), [], 'no /primary 200 on an unhealthy replica');
      await new Promise((ok) => setTimeout(ok, 100));
    }
    assert.deepEqual(promoteStarts(t0), [], `no promote hook ran${c.explain()}`);
    setFlag(replicas[0], 'up');
    const next = await c.waitForActive({ exclude: [old.node], timeoutMs: 15_000 });
    assert.equal(next.node, replicas[0], 'the replica that recovered takes the role');
    assertSafe();
  });

  test('flags flapping every 200 ms: at most one health failover per cooldown, never two active', async () => {
    await c.waitForActive();
    const t0 = nowNs();
    const wall0 = Date.now();
    const windowMs = 8000;
    let up = false;
    const end = Date.now() + windowMs;
    while (Date.now() < end) {
      for (const id of c.ids) setFlag(id, up ? 'up' : 'down');
      up = !up;
      await new Promise((ok) => setTimeout(ok, 200));
    }
    for (const id of c.ids) setFlag(id, 'up');
    await c.waitForActive({ timeoutMs: 15_000 });
    const events = JSON.parse((await c.cli(['events', '--json'])).stdout) as { kind: string; detail: string; at: string }[];
    const failovers = events
      .filter((e) => e.kind === 'health' && e.detail.startsWith('failover:'))
      .map((e) => Date.parse(e.at))
      .filter((at) => at >= wall0);
    const promotions = promoteStarts(t0).length;
    const fences = c.records().filter((r) => r.event === 'fence' && r.phase === 'start' && r.ns >= t0);
    const healthFences = fencesAfterCleanHealthDemotion(t0);
    const gaps = failovers.slice(1).map((t, i) => t - failovers[i]);
    console.log(
      `flapping ${windowMs} ms, cooldown ${COOLDOWN_MS} ms: ${failovers.length} health failovers, ${promotions} promotions, ${fences.length} fences, gaps ${gaps.join(', ') || '-'} ms`,
    );
    for (const f of fences) console.log(`fence (not after a clean health demotion): ${f.node} fenced ${f.target}: ${f.reason}`);
    assert.ok(failovers.length >= 1, `the flapping caused a failover at all${c.explain()}`);
    // The contract: a node decides a health failover only a cooldown after the previous one, which
    // it decided or applied before (on its own clock), so two decisions are a cooldown apart.
    for (const gap of gaps)
      assert.ok(
        gap >= COOLDOWN_MS - EVENT_CLOCK_ROUNDING_MS,
        `two health failovers ${gap} ms apart, within the ${COOLDOWN_MS} ms cooldown${c.explain()}`,
      );
    // Every demote hook succeeds, so every health handover is ordered: the old active's demotion
    // is confirmed in the log before the next one promotes, and nobody fences it.
    assert.deepEqual(healthFences, [], `no fence after a clean health demotion${c.explain()}`);
    assertSafe();
  });
});
