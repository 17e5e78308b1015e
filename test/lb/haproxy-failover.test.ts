// The load-balancer path with a real HAProxy: the shipped three-node example (its YAML, only
// addresses and data dirs replaced) behind the shipped cluster-examples/haproxy.cfg (only listen
// ports, service ports and check ports replaced), a stand-in service per node that answers with
// the node's id, and a client opening connections one after another through each frontend.
// Scenarios: kill -9 of the active agent, SIGSTOP of it, `palisade switchover`. Checked each time:
// new connections reach the new active within what the config allows after its /primary turns 200;
// the primary frontend's answers switch from the old node to the new one once and never back;
// HAProxy logged the old node down before the new one up; the replica pool never takes a node
// while the primary pool routes to it.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, ProcessCluster, REPO, runCli, waitFor } from '../process/process-cluster.js';
import { exampleArgs, exampleNode } from './example-cluster.js';
import { backendChecks, readShippedConfig, substitute, type BackendChecks } from './haproxy-config.js';
import {
  ConnectionProbe,
  haproxySkipReason,
  HaproxyProcess,
  openOnce,
  runsOf,
  startStandIn,
  type ConnectionRecord,
} from './haproxy-process.js';
import { joinWithinMs } from './lb-timing.js';

/** One check's round trip on a loaded machine, for the bound on when the new active joins. */
const CHECK_ALLOWANCE_MS = 10;
/**
 * Scheduling delays of HAProxy, the agents and this client on a shared 2-core machine: room for
 * one check of the rising node that fails (slow answer) and restarts the rise count. The bound
 * still fails a pool that needs twice the shipped rise, and checks that never reach the agent.
 */
const SLACK_MS = 500;
const HOST = '127.0.0.1';
/** Healthy while the node's stand-in accepts a connection (its address in $CHECK_SERVICE_DIR/<id>). */
const SERVICE_CHECK = join(REPO, 'test/lb/fixtures/check-service.sh');

const nowNs = (): bigint => process.hrtime.bigint();
const ms = (ns: bigint): number => Number(ns) / 1e6;

describe('HAProxy in front of the three-node example', { concurrency: false, skip: haproxySkipReason() ?? false }, () => {
  let pc: ProcessCluster;
  let haproxy: HaproxyProcess;
  let primaryPort: number;
  let replicaPort: number;
  let primaryChecks: BackendChecks;
  let dir: string;
  const standIns = new Map<string, { address: string; close: () => Promise<void> }>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-lb-'));
    const shipped = readShippedConfig();
    const backends = backendChecks(shipped);
    primaryChecks = backends.find((b) => b.name === 'primary')!;
    // The services first, so every agent's check passes from its start.
    for (const s of primaryChecks.servers) {
      const standIn = await startStandIn(s.address.slice(0, s.address.lastIndexOf(':')), s.name);
      standIns.set(s.name, standIn);
      writeFileSync(join(dir, s.name), `${standIn.address.replace(/:(\d+)$/, ' $1')}\n`);
    }
    process.env['CHECK_SERVICE_DIR'] = dir; // the agents inherit it
    pc = await ProcessCluster.start({
      size: 3,
      cluster: 'three-node',
      http: true,
      argsFor: (c, id) => [...exampleArgs(c, id), '--check', SERVICE_CHECK],
    });
    [primaryPort, replicaPort] = (await freePorts(2)) as [number, number];
    const replacements: [string, string][] = [
      ['*:5000', `${HOST}:${primaryPort}`],
      ['*:5001', `${HOST}:${replicaPort}`],
    ];
    for (const s of primaryChecks.servers) {
      const node = pc.node(s.name);
      assert.equal(`${s.checkHost}:${s.checkPort}`, exampleNode(s.name).http, `the shipped config checks ${s.name}'s agent`);
      replacements.push([s.address, standIns.get(s.name)!.address], [`port ${s.checkPort}`, `port ${node.httpAddress!.split(':')[1]}`]);
    }
    haproxy = HaproxyProcess.start(substitute(shipped, replacements), dir);
  });

  after(async () => {
    await haproxy?.close();
    await pc?.close();
    for (const s of standIns.values()) await s.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function primaryCode(id: string): Promise<number> {
    if (!pc.isRunning(id)) return 0;
    try {
      const res = await fetch(`http://${pc.node(id).httpAddress}/primary`, { signal: AbortSignal.timeout(300) });
      await res.text();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** The one node answering /primary 200, once HAProxy's two pools agree with it. */
  async function steady(): Promise<string> {
    return waitFor(
      'one active node, the primary frontend routing only to it, the replica frontend only to the two others',
      async () => {
        const codes = await Promise.all(pc.founders.map(async (id) => [id, await primaryCode(id)] as const));
        const active = codes.filter(([, c]) => c === 200).map(([id]) => id);
        if (active.length !== 1) return undefined;
        const primary: ConnectionRecord[] = [];
        const replica: ConnectionRecord[] = [];
        for (let i = 0; i < 10; i++) primary.push(await openOnce(HOST, primaryPort));
        for (let i = 0; i < 20; i++) replica.push(await openOnce(HOST, replicaPort));
        if (!primary.every((r) => r.node === active[0])) return undefined;
        if (!replica.every((r) => r.node !== '' && r.node !== active[0])) return undefined;
        if (new Set(replica.map((r) => r.node)).size !== 2) return undefined;
        return active[0];
      },
      30_000,
      50,
    );
  }

  function changeIndex(from: number, backend: string, server: string, up: boolean): number {
    const i = haproxy.changes.slice(from).findIndex((c) => c.backend === backend && c.server === server && c.up === up);
    return i < 0 ? -1 : from + i;
  }

  function explain(probes: { primary: ConnectionProbe; replica: ConnectionProbe }, t0: bigint, from: number): string {
    const timeline = (name: string, rs: readonly ConnectionRecord[]) => {
      const out: string[] = [];
      for (const r of rs) {
        const last = out[out.length - 1];
        const label = r.node === '' ? '(none)' : r.node;
        if (last === undefined || !last.startsWith(`${label} `)) out.push(`${label} from ${ms(r.sentNs - t0).toFixed(1)} ms`);
      }
      return `${name}: ${out.join(' | ')}`;
    };
    const changes = haproxy.changes
      .slice(from)
      .map((c) => `${ms(c.atNs - t0).toFixed(1)} ms ${c.backend}/${c.server} ${c.up ? 'UP' : 'DOWN'} (${c.reason})`);
    const logs = pc.founders.map((id) => `--- ${id} log (tail)\n${pc.log(id).split('\n').slice(-12).join('\n')}`).join('\n');
    return `\n--- connections (times after the action)\n${timeline('primary', probes.primary.records)}\n${timeline('replica', probes.replica.records)}\n--- HAProxy state changes\n${changes.join('\n')}\n--- HAProxy output (tail)\n${haproxy.tail(15)}\n${logs}`;
  }

  /**
   * Runs `act` against the active node with both frontends under probe, waits for another node's
   * /primary 200 and for HAProxy to route to it, lets `recover` bring the old node back as a
   * replica (still under probe), then checks everything the file header lists.
   */
  async function failover(
    t: TestContext,
    what: string,
    act: (old: string) => Promise<unknown>,
    recover: (old: string) => Promise<void>,
  ): Promise<void> {
    const old = await steady();
    const from = haproxy.changes.length;
    const probes = { primary: new ConnectionProbe(HOST, primaryPort), replica: new ConnectionProbe(HOST, replicaPort) };
    probes.primary.start(40_000);
    probes.replica.start(40_000);
    let t0 = nowNs();
    const why = () => explain(probes, t0, from);
    try {
      await waitFor('both probes under way', () => probes.primary.answered().length >= 5 && probes.replica.answered().length >= 5, 5000, 5);
      t0 = nowNs();
      const acted = act(old);
      const next = await waitFor(
        `/primary 200 on a node other than ${old}`,
        async () => {
          for (const id of pc.founders.filter((x) => x !== old)) if ((await primaryCode(id)) === 200) return { node: id, atNs: nowNs() };
          return undefined;
        },
        15_000,
        5,
      );
      await acted;
      const routed = await waitFor(
        `the primary frontend to reach ${next.node}`,
        () => probes.primary.records.find((r) => r.node === next.node && r.sentNs > t0),
        10_000,
        5,
      ).catch((err: Error) => {
        throw new Error(`${err.message}${why()}`);
      });
      await recover(old);
      await waitFor(
        `HAProxy to put ${old} back in the replica pool`,
        () => changeIndex(from, 'replicas', old, true) >= 0,
        15_000,
        10,
      ).catch((err: Error) => {
        throw new Error(`${err.message}${why()}`);
      });
      // Keep probing a little longer: a flip back would show here.
      const seen = probes.primary.answered().length;
      await waitFor('50 more connections through the primary frontend', () => probes.primary.answered().length >= seen + 50, 10_000, 5);
      await probes.primary.stop();
      await probes.replica.stop();

      const bound = joinWithinMs(primaryChecks, CHECK_ALLOWANCE_MS) + SLACK_MS;
      const joinMs = ms(routed.doneNs - next.atNs);
      t.diagnostic(
        `${what} ${old}: /primary 200 on ${next.node} after ${ms(next.atNs - t0).toFixed(1)} ms; first connection served by ${next.node} ` +
          `${ms(routed.doneNs - t0).toFixed(1)} ms after the action (${joinMs.toFixed(1)} ms after its /primary 200; bound ${bound} ms); ` +
          `${probes.primary.records.length} + ${probes.replica.records.length} connections`,
      );

      assert.deepEqual(
        runsOf(probes.primary.records),
        [old, next.node],
        `new connections went from ${old} to ${next.node} once, never back and forth${why()}`,
      );
      assert.ok(
        joinMs <= bound,
        `${next.node} served a new connection ${joinMs.toFixed(1)} ms after its /primary 200, more than the ${bound} ms the config allows${why()}`,
      );

      const oldDown = changeIndex(from, 'primary', old, false);
      const nextUp = changeIndex(from, 'primary', next.node, true);
      const nextLeftReplicas = changeIndex(from, 'replicas', next.node, false);
      const oldJoinedReplicas = changeIndex(from, 'replicas', old, true);
      assert.ok(oldDown >= 0 && nextUp > oldDown, `HAProxy marked ${old} down before ${next.node} up in the primary pool${why()}`);
      assert.ok(
        nextLeftReplicas >= 0 && nextUp > nextLeftReplicas,
        `${next.node} left the replica pool before it joined the primary pool${why()}`,
      );
      assert.ok(oldJoinedReplicas > oldDown, `${old} joined the replica pool after it left the primary pool${why()}`);

      // The replica frontend never reached a node while the primary frontend was routing to it.
      const firstPrimaryNext = routed.doneNs;
      const lateReplica = probes.replica.records.find((r) => r.node === next.node && r.sentNs > firstPrimaryNext);
      assert.equal(lateReplica, undefined, `a replica connection opened after ${next.node} took primary traffic reached it${why()}`);
      const lastPrimaryOld = probes.primary.records.filter((r) => r.node === old).reduce((m, r) => (r.sentNs > m ? r.sentNs : m), 0n);
      const earlyReplica = probes.replica.records.find((r) => r.node === old && r.doneNs < lastPrimaryOld);
      assert.equal(earlyReplica, undefined, `a replica connection reached ${old} before its last primary connection${why()}`);
    } finally {
      await probes.primary.stop();
      await probes.replica.stop();
    }
  }

  async function backAsReplica(id: string): Promise<void> {
    await waitFor(
      `${id} to serve /replica 200`,
      async () => {
        const res = await fetch(`http://${pc.node(id).httpAddress}/replica`, { signal: AbortSignal.timeout(300) }).catch(() => undefined);
        await res?.text();
        return res?.status === 200;
      },
      20_000,
    );
  }

  test('kill -9 of the active agent', async (t) => {
    await failover(
      t,
      'kill -9',
      (old) => pc.kill9(old),
      async (old) => {
        pc.start(old);
        await backAsReplica(old);
      },
    );
  });

  test('SIGSTOP of the active agent (then SIGCONT: it comes back as a replica)', async (t) => {
    await failover(
      t,
      'SIGSTOP',
      (old) => pc.signal(old, 'SIGSTOP'),
      async (old) => {
        await pc.signal(old, 'SIGCONT');
        await backAsReplica(old);
      },
    );
  });

  test('palisade switchover', async (t) => {
    await failover(
      t,
      'switchover from',
      async () => {
        const r = await runCli(['switchover', '--endpoints', pc.endpoints()]);
        assert.equal(r.code, 0, `palisade switchover: ${r.stdout}${r.stderr}`);
      },
      (old) => backAsReplica(old),
    );
  });

  test("the active's service dies while its agent lives: its check fails and the role moves (a health failover)", async (t) => {
    await failover(
      t,
      'service stopped on',
      async (old) => {
        await standIns.get(old)!.close();
      },
      async (old) => {
        const [host, port] = standIns.get(old)!.address.split(':') as [string, string];
        standIns.set(old, await startStandIn(host, old, Number(port)));
        await backAsReplica(old);
      },
    );
    const events = await runCli(['events', '--json', '--endpoints', pc.endpoints()]);
    assert.match(events.stdout, /failover: service unhealthy on n\d; handing the role to n\d/, 'the move was a health failover');
  });
});
