// palisade with a VIP on the namespace bed of netns.ts: each agent runs inside its node's
// namespace with `--vip <subnet>.50/24 --vip-interface eth0` and the stamp hook as promote hook.
// Crash = the active's bridge port down + kill -9 of its agent at once (a machine losing power:
// a killed agent alone would keep the address on its interface, which lease mode does not cover);
// (c) = kill → the client's ping answered by another node; (a) is recorded on the same runs. The
// crashed node "reboots" (address gone, cable back) and rejoins before the next round. Each
// round's progress line carries its trace: the kill's wall-clock time (the agents' logs stamp
// lines with it; PALISADE_BENCH_KEEP=1 keeps them) and every hook run between kill and answer.
import type { ProcessGroup } from '../processes.js';
import { AgentCluster } from './agent-cluster.js';
import type { Net, NetNode, VipProbe } from './netns.js';
import { promoteAfter, type PalisadeProfile } from './palisade-failover.js';
import { sleep } from './poll.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStampHook, msBetween, nowNs, type StampHook } from './stamp-hook.js';
import { sampleHolders, type HolderCount } from './vip-holders.js';

export interface VipRun {
  readonly killToVipMs: number[];
  readonly killToPromoteMs: number[];
  readonly holders: HolderCount;
  /** Why the series stopped before `reps` rounds (the rounds before it are kept). */
  failure?: string;
}

export async function benchPalisadeVip(
  group: ProcessGroup,
  net: Net,
  probe: VipProbe,
  profile: PalisadeProfile,
  reps: number,
  log: (s: string) => void,
  /** Add `--fencing hook` with a fence hook that records and then removes the VIP from its target. */
  fenceHook = false,
  /** The series' name in progress lines and errors (it names the fencing mode actually run). */
  name = profile.name,
  /** Another build's CLI (an A/B in one run); default: this checkout's. */
  cli?: string,
): Promise<VipRun> {
  const dir = group.tempDir('fo-vip');
  const hook = createStampHook(dir);
  const specs = net.nodes.map((n) => ({ id: `n${n.index}`, listen: `${n.address}:7100`, http: `${n.address}:8100`, ns: n.ns }));
  const nodeOf = (id: string) => net.nodes.find((n) => `n${n.index}` === id)!;
  // Plaintext on the namespaces' private addresses: the bench bed is ours alone (--insecure).
  const cluster = new AgentCluster(
    dir,
    specs,
    [
      ...profile.flags,
      '--insecure',
      '--on-promote',
      hook.path,
      '--vip',
      `${net.vip}/${net.prefix}`,
      '--vip-interface',
      'eth0',
      ...(fenceHook ? ['--fencing', 'hook', '--on-fence', createFenceHook(dir, hook, net)] : []),
    ],
    undefined,
    cli,
  );
  const never = new AbortController().signal;
  /** The active node, once every member is healthy and the client hears the VIP from it. */
  const steady = async (): Promise<string> => {
    const deadline = performance.now() + 60_000;
    for (;;) {
      const a = await cluster.steadyActive(never).catch(() => undefined);
      if (a !== undefined && probe.holderTtl(50) === nodeOf(a).ttl) return a;
      cluster.assertRunning();
      if (performance.now() > deadline)
        throw new Error(`${name}: no steady active node answering for the VIP within 60 s (logs in ${dir})`);
      await sleep(50);
    }
  };
  const run: VipRun = { killToVipMs: [], killToPromoteMs: [], holders: { samples: 0, dual: 0 } };
  let down: NetNode | undefined;
  const sampler = sampleHolders(net, () => net.nodes.filter((n) => n !== down), run.holders);
  cluster.startAll();
  try {
    for (let i = 0; i < reps && run.failure === undefined; i++) {
      const active = await steady().catch((err: unknown) => {
        run.failure = `round ${i + 1}: ${err instanceof Error ? err.message : String(err)}`;
        return undefined;
      });
      if (active === undefined) break;
      const old = nodeOf(active);
      await sleep(300 + Math.random() * 200);
      const killedAt = new Date().toISOString();
      const t0 = nowNs();
      const exited = cluster.kill9(active);
      down = old;
      net.setLink(old, false);
      const [reply, promote] = await Promise.all([
        probe.waitFor(t0, (r) => r.ttl !== old.ttl, 30_000, `the VIP answering from another node after crashing ${active}`),
        promoteAfter(hook, t0, active, 30_000),
      ]);
      const c = msBetween(t0, reply.atNs);
      const a = msBetween(t0, promote.ns);
      run.killToVipMs.push(c);
      run.killToPromoteMs.push(a);
      log(
        `${name}: crash #${i + 1} of ${active} at ${killedAt}: promote hook on ${promote.node} after ${a.toFixed(1)} ms, VIP answers from n${reply.ttl - 60} after ${c.toFixed(1)} ms; hooks: ${hooksBetween(hook, t0, reply.atNs)}`,
      );
      await exited;
      try {
        net.sh(['ip', '-n', old.ns, 'addr', 'del', `${net.vip}/${net.prefix}`, 'dev', 'eth0']);
      } catch {
        // Not there.
      }
      down = undefined;
      net.setLink(old, true);
      cluster.start(active);
    }
  } finally {
    await sampler.stop();
    await cluster.stopAll();
    for (const n of net.nodes) net.setLink(n, true);
  }
  return run;
}

/**
 * A fence hook that does what a real one must: it stamps the run, then takes the address off its
 * target (`ip -n <target's namespace> addr del`), so a node the agents fence while it still holds
 * the VIP (e.g. its own `ip addr del` timed out under load) stops answering instead of being
 * counted as a dual holder. Exit 0 only when the address is gone (removed now, or not there: iproute2 says so in one of two wordings).
 */
function createFenceHook(dir: string, stamp: StampHook, net: Net): string {
  const path = join(dir, 'fence-hook');
  const cases = net.nodes.map((n) => `  n${n.index}) ns=${n.ns} ;;`).join('\n');
  const vip = `${net.vip}/${net.prefix}`;
  writeFileSync(
    path,
    `#!/bin/sh
${stamp.path} || exit 1
case "$PALISADE_TARGET" in
${cases}
  *) echo "fence-hook: unknown target '$PALISADE_TARGET'" >&2; exit 2 ;;
esac
out=$(ip -n "$ns" addr del ${vip} dev eth0 2>&1) && exit 0
case "$out" in
  *"Address not found"* | *"Cannot assign requested address"*) exit 0 ;;
  *) echo "fence-hook: $out" >&2; exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  return path;
}

/** Every hook run stamped between `fromNs` and `toNs`: event, node, epoch, ms after `fromNs`. */
function hooksBetween(hook: StampHook, fromNs: bigint, toNs: bigint): string {
  const runs = hook.read().filter((s) => s.ns > fromNs && s.ns <= toNs);
  return runs.map((s) => `${s.event} ${s.node} e${s.epoch} +${msBetween(fromNs, s.ns).toFixed(1)}`).join(', ') || 'none';
}
