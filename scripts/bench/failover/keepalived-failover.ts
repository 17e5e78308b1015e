// keepalived VRRP failover for comparison, on the namespace bed of netns.ts: three instances,
// all BACKUP with equal priority and nopreempt (a restarted node must not take the VIP back),
// one VIP. Crash = the master's bridge port down + SIGKILL of its process group at once; graceful
// = SIGTERM (keepalived sends a priority-0 advert and removes the VIP). Time = until the client's
// ping is answered by another node (its TTL says which).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessGroup } from '../processes.js';
import { spawnGroup, type GroupProcess } from './detached.js';
import type { Net, NetNode, VipProbe } from './netns.js';
import { sleep } from './poll.js';
import { msBetween, nowNs } from './stamp-hook.js';
import { sampleHolders, type HolderCount } from './vip-holders.js';

export const KEEPALIVED_BIN = '/usr/sbin/keepalived';

export interface KeepalivedProfile {
  readonly name: string;
  /** Seconds between adverts; sub-second needs VRRP version 3. */
  readonly advertInt: number;
  readonly version: 2 | 3;
}

export const KEEPALIVED_PROFILES: readonly KeepalivedProfile[] = [
  { name: 'keepalived advert_int 1 (default, VRRPv2)', advertInt: 1, version: 2 },
  { name: 'keepalived advert_int 0.1 (VRRPv3)', advertInt: 0.1, version: 3 },
];

export interface KeepalivedRun {
  readonly crashMs: number[];
  readonly gracefulMs: number[];
  readonly holders: HolderCount;
}

function config(net: Net, node: NetNode, p: KeepalivedProfile): string {
  return `global_defs {
  router_id pfo_${node.index}
  vrrp_version ${p.version}
}
vrrp_instance VI_1 {
  state BACKUP
  nopreempt
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int ${p.advertInt}
  virtual_ipaddress {
    ${net.vip}/${net.prefix} dev eth0
  }
}
`;
}

export async function benchKeepalived(
  group: ProcessGroup,
  net: Net,
  probe: VipProbe,
  profile: KeepalivedProfile,
  reps: { crash: number; graceful: number },
  log: (s: string) => void,
): Promise<KeepalivedRun> {
  if (!existsSync(KEEPALIVED_BIN)) throw new Error(`${KEEPALIVED_BIN} not found: apt-get install keepalived`);
  const dir = group.tempDir('fo-keepalived');
  const procs = new Map<NetNode, GroupProcess>();
  const start = (n: NetNode): void => {
    const conf = join(dir, `n${n.index}.conf`);
    writeFileSync(conf, config(net, n, profile));
    // A SIGKILLed keepalived leaves its pid files, and refuses to start while they name a live pid.
    for (const f of [`n${n.index}.pid`, `n${n.index}.vrrp.pid`]) rmSync(join(dir, f), { force: true });
    const argv = [
      KEEPALIVED_BIN,
      '--vrrp',
      '--dont-fork',
      '--log-console',
      '--use-file',
      conf,
      '--pid',
      join(dir, `n${n.index}.pid`),
      '--vrrp_pid',
      join(dir, `n${n.index}.vrrp.pid`),
    ];
    procs.set(n, spawnGroup(net.inNs(n.ns, argv), join(dir, `n${n.index}.log`)));
  };
  /** The node answering for the VIP, once the client has heard it steadily. */
  const holder = async (): Promise<NetNode> => {
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const ttl = probe.holderTtl(50);
      const n = net.nodes.find((x) => x.ttl === ttl);
      if (n !== undefined) return n;
      await sleep(20);
    }
    throw new Error(`${profile.name}: no node answers for the VIP after 30 s`);
  };
  // A restarted instance needs a few adverts to settle as BACKUP before the next round.
  const settleMs = Math.max(1000, 4000 * profile.advertInt);
  const crashMs: number[] = [];
  const gracefulMs: number[] = [];
  const holders: HolderCount = { samples: 0, dual: 0 };
  let down: NetNode | undefined;
  const sampler = sampleHolders(net, () => net.nodes.filter((n) => n !== down), holders);
  try {
    for (const n of net.nodes) start(n);
    for (let i = 0; i < reps.crash + reps.graceful; i++) {
      const graceful = i >= reps.crash;
      const old = await holder();
      await sleep(settleMs + Math.random() * 1000 * profile.advertInt);
      const t0 = nowNs();
      const p = procs.get(old)!;
      if (graceful) p.signal('SIGTERM');
      else {
        p.signal('SIGKILL');
        down = old;
        net.setLink(old, false);
      }
      const r = await probe.waitFor(t0, (x) => x.ttl !== old.ttl, 30_000, `${profile.name}: the VIP answering from another node`);
      const ms = msBetween(t0, r.atNs);
      (graceful ? gracefulMs : crashMs).push(ms);
      log(
        `${profile.name}: ${graceful ? 'graceful' : 'crash'} #${i + 1} of n${old.index}: VIP answers from n${r.ttl - 60} after ${ms.toFixed(1)} ms`,
      );
      await p.gone();
      if (!graceful) {
        // The crashed machine "reboots": no stale secondary address, cable back in.
        try {
          net.sh(['ip', '-n', old.ns, 'addr', 'del', `${net.vip}/${net.prefix}`, 'dev', 'eth0']);
        } catch {
          // keepalived had not added it, or it is gone.
        }
        down = undefined;
        net.setLink(old, true);
      }
      start(old);
      await sleep(200);
      if (procs.get(old)!.child.exitCode !== null)
        throw new Error(`${profile.name}: keepalived on n${old.index} did not restart (see ${dir}/n${old.index}.log)`);
    }
  } finally {
    await sampler.stop();
    await Promise.all([...procs.values()].map((p) => p.stop(3000)));
    for (const n of net.nodes) net.setLink(n, true);
  }
  return { crashMs, gracefulMs, holders };
}
