// palisade on loopback (3 members unless told otherwise): kill -9 of the active node, measuring
// (a) kill → the new active's promote hook start (the hook's own CLOCK_MONOTONIC stamp, see
// stamp-hook.ts) and (b) kill → /primary 200 on a survivor (polled every 2 ms on each); then
// graceful switchovers, measuring the switchover RPC's start → the new active's promote hook
// start. The killed node is restarted on its data dir and must be back as a replica before the
// next round.
import { connect } from '../../../src/index.js';
import { memberIds } from '../cluster.js';
import { HOST, freePort, type ProcessGroup } from '../processes.js';
import { AgentCluster } from './agent-cluster.js';
import { pollFirst, sleep } from './poll.js';
import { createStampHook, msBetween, nowNs, type HookKind, type StampHook } from './stamp-hook.js';

export interface PalisadeProfile {
  readonly name: string;
  readonly flags: readonly string[];
}

export const PALISADE_PROFILES: readonly PalisadeProfile[] = [
  { name: 'palisade defaults (heartbeat 50 ms, election 300 ms, fencing lease)', flags: [] },
  {
    name: 'palisade tuned (heartbeat 10 ms, election 100 ms, fencing lease)',
    flags: ['--heartbeat-ms', '10', '--election-timeout-ms', '100'],
  },
];

export interface PalisadeRun {
  readonly killToPromoteMs: number[];
  readonly killToPrimaryMs: number[];
  readonly switchoverToPromoteMs: number[];
  /** The switchover RPC's own duration as the client saw it. */
  readonly switchoverRpcMs: number[];
  /** Switchovers the leader refused (retried; not in the timings). */
  readonly switchoverRefusals: string[];
  readonly hookKind: HookKind;
}

/** Waits for a promote stamp after t0 by a node other than `not`. */
export async function promoteAfter(
  hook: StampHook,
  t0: bigint,
  not: string,
  timeoutMs: number,
): Promise<{ ns: bigint; node: string; epoch: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const s = hook.read().find((x) => x.event === 'promote' && x.ns > t0 && x.node !== not);
    if (s !== undefined) return s;
    if (performance.now() > deadline) throw new Error(`no promote hook ran within ${timeoutMs} ms (after ${not} went away)`);
    await sleep(5);
  }
}

export async function benchPalisadeFailover(
  group: ProcessGroup,
  profile: PalisadeProfile,
  reps: { kill: number; switchover: number },
  log: (s: string) => void,
  /** Members in the cluster (bench:scale runs 3, 5 and 7). */
  size = 3,
): Promise<PalisadeRun> {
  const dir = group.tempDir('fo-palisade');
  const hook = createStampHook(dir);
  const specs = [];
  for (const id of memberIds(size)) specs.push({ id, listen: `${HOST}:${await freePort()}`, http: `${HOST}:${await freePort()}` });
  const cluster = new AgentCluster(dir, specs, [...profile.flags, '--on-promote', hook.path]);
  const steady = (): Promise<string> => cluster.awaitSteadyActive(profile.name);
  const run: PalisadeRun = {
    killToPromoteMs: [],
    killToPrimaryMs: [],
    switchoverToPromoteMs: [],
    switchoverRpcMs: [],
    switchoverRefusals: [],
    hookKind: hook.kind,
  };
  cluster.startAll();
  try {
    for (let i = 0; i < reps.kill; i++) {
      const active = await steady();
      await sleep(300 + Math.random() * 200);
      const survivors = specs.filter((s) => s.id !== active).map((s) => s.id);
      const t0 = nowNs();
      const wall = Date.now();
      const exited = cluster.kill9(active);
      const [primary, promote] = await Promise.all([
        pollFirst(survivors, async (id, signal) => ((await cluster.http(id, '/primary', signal)) === 200 ? true : undefined), {
          everyMs: 2,
          timeoutMs: 30_000,
          what: `/primary 200 after killing ${active}`,
        }),
        promoteAfter(hook, t0, active, 30_000),
      ]);
      const a = msBetween(t0, promote.ns);
      const b = msBetween(t0, primary.atNs);
      run.killToPromoteMs.push(a);
      run.killToPrimaryMs.push(b);
      log(
        `${profile.name}: kill #${i + 1} of ${active}: promote hook on ${promote.node} (epoch ${promote.epoch}) after ${a.toFixed(1)} ms, /primary 200 after ${b.toFixed(1)} ms (killed at wall ${wall})`,
      );
      await exited;
      cluster.start(active);
    }
    const client = connect(
      specs.map((s) => s.listen),
      { timeoutMs: 10_000 },
    );
    try {
      for (let i = 0; i < reps.switchover; i++) {
        const active = await steady();
        await sleep(300 + Math.random() * 200);
        // A leader can refuse right after a round ("no other voter caught up"): count it, retry.
        let t0 = nowNs();
        let r: Awaited<ReturnType<typeof client.switchover>> | undefined;
        for (let attempt = 1; r === undefined; attempt++) {
          t0 = nowNs();
          try {
            r = await client.switchover();
          } catch (err) {
            if (attempt >= 5) throw err;
            run.switchoverRefusals.push(err instanceof Error ? err.message : String(err));
            log(`${profile.name}: switchover #${i + 1} refused (${err instanceof Error ? err.message : String(err)}); retrying`);
            await sleep(300);
          }
        }
        const t1 = nowNs();
        const promote = await promoteAfter(hook, t0, active, 10_000);
        const ms = msBetween(t0, promote.ns);
        run.switchoverToPromoteMs.push(ms);
        run.switchoverRpcMs.push(msBetween(t0, t1));
        log(
          `${profile.name}: switchover #${i + 1} ${r.from} → ${r.to}: promote hook after ${ms.toFixed(1)} ms (RPC returned after ${msBetween(t0, t1).toFixed(1)} ms)`,
        );
      }
    } finally {
      client.close();
    }
  } finally {
    await cluster.stopAll();
  }
  return run;
}
