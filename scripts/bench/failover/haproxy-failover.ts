// palisade behind a real HAProxy on loopback: the shipped cluster-examples/haproxy.cfg (only its
// listen, service and check ports replaced, and for the tuned profile `timeout check 40ms` as the
// timing rule in docs/design-notes.md asks) in front of three agents and a stand-in service per
// node that answers with the node's id. Each round: kill -9 of the active agent (its service
// stays up, as a database would), then (d) kill → the first connection through HAProxy's primary
// frontend answered by another node (connections opened one after another, 1 ms apart), and (b)
// kill → /primary 200 on a survivor on the same runs. The killed agent restarts as a replica
// before the next round.
import { backendChecks, readShippedConfig, substitute } from '../../../test/lb/haproxy-config.js';
import { haproxySkipReason, HaproxyProcess, openOnce, startStandIn } from '../../../test/lb/haproxy-process.js';
import { HOST, freePort, type ProcessGroup } from '../processes.js';
import { AgentCluster } from './agent-cluster.js';
import type { PalisadeProfile } from './palisade-failover.js';
import { pollFirst, sleep } from './poll.js';
import { msBetween, nowNs } from './stamp-hook.js';

export interface HaproxyRun {
  readonly killToRoutedMs: number[];
  readonly killToPrimaryMs: number[];
}

export { haproxySkipReason };

/** `timeout check` per profile: the tuned agent timings need 40 ms for a paused agent (design notes). */
function timeoutCheckFor(profile: PalisadeProfile): string | undefined {
  return profile.flags.includes('--heartbeat-ms') ? '40ms' : undefined;
}

export async function benchHaproxy(
  group: ProcessGroup,
  profile: PalisadeProfile,
  reps: number,
  log: (s: string) => void,
): Promise<HaproxyRun> {
  const dir = group.tempDir('fo-haproxy');
  const shipped = readShippedConfig();
  const primary = backendChecks(shipped).find((b) => b.name === 'primary');
  if (primary === undefined) throw new Error('cluster-examples/haproxy.cfg has no backend "primary"');
  const specs = [];
  for (const s of primary.servers) specs.push({ id: s.name, listen: `${HOST}:${await freePort()}`, http: `${HOST}:${await freePort()}` });
  const frontend = await freePort();
  const replicas = await freePort();
  const standIns = [];
  const replacements: [string, string][] = [
    ['*:5000', `${HOST}:${frontend}`],
    ['*:5001', `${HOST}:${replicas}`],
  ];
  const timeoutCheck = timeoutCheckFor(profile);
  const shippedTimeoutCheck = /timeout check\s+\S+/.exec(shipped)?.[0];
  if (timeoutCheck !== undefined) {
    if (shippedTimeoutCheck === undefined) throw new Error('cluster-examples/haproxy.cfg sets no timeout check');
    replacements.push([shippedTimeoutCheck, `timeout check ${timeoutCheck}`]);
  }
  for (const s of primary.servers) {
    const standIn = await startStandIn(s.address.slice(0, s.address.lastIndexOf(':')), s.name);
    standIns.push(standIn);
    replacements.push(
      [s.address, standIn.address],
      [`port ${s.checkPort}`, `port ${specs.find((x) => x.id === s.name)!.http.split(':')[1]}`],
    );
  }
  const cluster = new AgentCluster(dir, specs, profile.flags);
  const haproxy = HaproxyProcess.start(substitute(shipped, replacements), dir);
  const never = new AbortController().signal;
  /** The active node, once HAProxy's primary frontend sends ten connections in a row to it. */
  const steady = async (): Promise<string> => {
    const deadline = performance.now() + 30_000;
    for (;;) {
      const a = await cluster.steadyActive(never).catch(() => undefined);
      if (a !== undefined) {
        let same = 0;
        while (same < 10 && (await openOnce(HOST, frontend)).node === a) same++;
        if (same === 10) return a;
      }
      cluster.assertRunning();
      if (!haproxy.alive) throw new Error(`haproxy exited:\n${haproxy.tail()}`);
      if (performance.now() > deadline)
        throw new Error(
          `${profile.name} + HAProxy: HAProxy did not route steadily to one active node within 30 s (logs in ${dir})\n${haproxy.tail()}`,
        );
      await sleep(20);
    }
  };
  const run: HaproxyRun = { killToRoutedMs: [], killToPrimaryMs: [] };
  cluster.startAll();
  try {
    for (let i = 0; i < reps; i++) {
      const active = await steady();
      const roundStart = nowNs();
      await sleep(300 + Math.random() * 200);
      const survivors = specs.filter((s) => s.id !== active).map((s) => s.id);
      const t0 = nowNs();
      const exited = cluster.kill9(active);
      const [routed, primaryHit] = await Promise.all([
        pollFirst(
          ['frontend'],
          async () => {
            const r = await openOnce(HOST, frontend);
            return r.node !== '' && r.node !== active ? r : undefined;
          },
          { everyMs: 1, timeoutMs: 30_000, what: `a connection through HAProxy answered by a node other than ${active}` },
        ),
        pollFirst(survivors, async (id, signal) => ((await cluster.http(id, '/primary', signal)) === 200 ? true : undefined), {
          everyMs: 2,
          timeoutMs: 30_000,
          what: `/primary 200 after killing ${active}`,
        }),
      ]);
      const d = msBetween(t0, routed.value.doneNs);
      const b = msBetween(t0, primaryHit.atNs);
      run.killToRoutedMs.push(d);
      run.killToPrimaryMs.push(b);
      const marks = haproxy.changes
        .filter((c) => c.atNs > roundStart && c.backend === 'primary')
        .map((c) => `${c.server} ${c.up ? 'UP' : 'DOWN'} at ${msBetween(t0, c.atNs).toFixed(0)} (${c.reason})`);
      log(
        `${profile.name} + HAProxy: kill #${i + 1} of ${active}: /primary 200 on ${primaryHit.target} after ${b.toFixed(1)} ms, ` +
          `first connection served by ${routed.value.node} after ${d.toFixed(1)} ms (HAProxy primary pool: ${marks.join(', ')})`,
      );
      await exited;
      cluster.start(active);
    }
  } finally {
    await cluster.stopAll();
    await haproxy.close();
    for (const s of standIns) await s.close();
  }
  return run;
}
