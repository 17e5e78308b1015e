// Health failover (issue 15): the active node's service dies while its agent lives, measured from
// the moment the service "dies" (its flag file turns `down`, stamped with process.hrtime.bigint())
// to the new active's promote hook start (the hook's own CLOCK_MONOTONIC stamp), detection
// included. Both sides check the same way at the same settings: one shell script that reads the
// node's flag file, every CHECK.intervalMs, CHECK.fall failures to fail, CHECK.rise successes to
// recover — palisade's defaults (--check-interval-ms 1000 --check-fall 3 --check-rise 2), and
// keepalived's `track_script` with `interval 1 fall 3 rise 2` (weight 0: the failing master
// goes to FAULT, sends a priority-0 advert and a backup takes over; `notify_master` runs the
// stamp hook). After each round the service comes back and the cluster settles as it was.
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, freePort, type ProcessGroup } from '../processes.js';
import { AgentCluster, type AgentSpec } from './agent-cluster.js';
import { spawnGroup, type GroupProcess } from './detached.js';
import { KEEPALIVED_BIN } from './keepalived-failover.js';
import type { Net, NetNode } from './netns.js';
import { promoteAfter, type PalisadeProfile } from './palisade-failover.js';
import { sleep } from './poll.js';
import { createStampHook, msBetween, nowNs, type StampHook } from './stamp-hook.js';

/** The check settings both sides use: palisade's defaults, in keepalived's spelling too. */
export const CHECK = { intervalMs: 1000, fall: 3, rise: 2 } as const;

/**
 * A palisade failover cooldown far below the default 30 s so the rounds need not wait for it: it
 * only spaces automatic failovers, it does not delay one that is due.
 */
const PALISADE_COOLDOWN_MS = 3000;

export interface HealthRun {
  /** Service down → the new active's promote hook start (keepalived: notify_master). */
  readonly serviceDownToPromoteMs: number[];
  /** Rounds in which the new node started promoting before the old one's demote hook started. */
  readonly overlaps: number;
  /** Fence hooks run (palisade: an ordered handover needs none). */
  readonly fences: number;
}

/** The check both sides run: healthy unless the node's flag file says `down`. */
function writeFlagCheck(dir: string): { path: string; flag: (node: string) => string } {
  const path = join(dir, 'check-flag');
  writeFileSync(
    path,
    `#!/bin/sh\n# Node id: $1 (keepalived) or $PALISADE_NODE_ID (palisade).\nid=\${1:-$PALISADE_NODE_ID}\n[ "$(cat "${dir}/flag-$id" 2>/dev/null)" != down ]\n`,
  );
  chmodSync(path, 0o755);
  return { path, flag: (node) => join(dir, `flag-${node}`) };
}

/** The palisade side: default timings, fencing mode hook (see below), default check settings. */
export const PALISADE_HEALTH_PROFILE: PalisadeProfile = {
  name: 'palisade defaults (heartbeat 50 ms, election 300 ms, fencing hook)',
  flags: [],
};

/** palisade on loopback with the profile's timings and the default check settings. */
export async function benchPalisadeHealth(
  group: ProcessGroup,
  profile: PalisadeProfile,
  reps: number,
  log: (s: string) => void,
): Promise<HealthRun> {
  const dir = group.tempDir('fo-health');
  const hook = createStampHook(dir);
  const check = writeFlagCheck(dir);
  const specs: AgentSpec[] = [];
  for (const id of ['n1', 'n2', 'n3']) specs.push({ id, listen: `${HOST}:${await freePort()}`, http: `${HOST}:${await freePort()}` });
  // The stamp hook as demote hook too (the overlap check), so fencing mode hook: in mode lease the
  // demote hook's timeout would have to fit in the lease. A fence stamp would mean a handover
  // that was not ordered; there should be none.
  const hooks = ['--on-promote', hook.path, '--on-demote', hook.path, '--on-fence', hook.path, '--fencing', 'hook'];
  const flags = [...profile.flags, ...hooks, '--check', check.path, '--failover-cooldown-ms', String(PALISADE_COOLDOWN_MS)];
  const cluster = new AgentCluster(dir, specs, flags);
  const never = new AbortController().signal;
  const healthyAll = async (): Promise<void> => {
    const deadline = performance.now() + 30_000;
    for (;;) {
      const codes = await Promise.all(specs.map((s) => cluster.http(s.id, '/health', never).catch(() => undefined)));
      if (codes.every((c) => c === 200)) return;
      cluster.assertRunning();
      if (performance.now() > deadline) throw new Error(`${profile.name}: not every node healthy within 30 s (logs in ${dir})`);
      await sleep(50);
    }
  };
  const steady = (): Promise<string> => cluster.awaitSteadyActive(profile.name);
  const run = { serviceDownToPromoteMs: [] as number[], overlaps: 0, fences: 0 };
  cluster.startAll();
  try {
    for (let i = 0; i < reps; i++) {
      await healthyAll();
      const active = await steady();
      // Outside the cooldown of the previous round, at a random phase of the check interval.
      await sleep(PALISADE_COOLDOWN_MS + Math.random() * CHECK.intervalMs);
      const t0 = nowNs();
      writeFileSync(check.flag(active), 'down');
      const promote = await promoteAfter(hook, t0, active, 30_000);
      const ms = msBetween(t0, promote.ns);
      const stamps = hook.read().filter((s) => s.ns > t0);
      const demote = stamps.find((s) => s.event === 'demote' && s.node === active);
      if (demote === undefined || demote.ns > promote.ns) run.overlaps++;
      run.fences += stamps.filter((s) => s.event === 'fence').length;
      run.serviceDownToPromoteMs.push(ms);
      log(
        `${profile.name}: service down #${i + 1} on ${active}: promote hook on ${promote.node} (epoch ${promote.epoch}) after ${ms.toFixed(1)} ms`,
      );
      writeFileSync(check.flag(active), 'up');
    }
  } finally {
    await cluster.stopAll();
  }
  return run;
}

function keepalivedConfig(node: NetNode, net: Net, checkPath: string, hookPath: string): string {
  const stamp = (event: string) => `"/usr/bin/env PALISADE_EVENT=${event} PALISADE_NODE_ID=n${node.index} ${hookPath}"`;
  return `global_defs {
  router_id pfh_${node.index}
  vrrp_version 2
  script_user root
}
vrrp_script service_check {
  script "${checkPath} n${node.index}"
  interval ${CHECK.intervalMs / 1000}
  timeout ${CHECK.intervalMs / 1000}
  fall ${CHECK.fall}
  rise ${CHECK.rise}
}
vrrp_instance VI_1 {
  state BACKUP
  nopreempt
  interface eth0
  virtual_router_id 52
  priority 100
  advert_int 1
  virtual_ipaddress {
    ${net.vip}/${net.prefix} dev eth0
  }
  track_script {
    service_check
  }
  notify_master ${stamp('promote')}
  notify_fault ${stamp('demote')}
}
`;
}

/**
 * keepalived advert_int 1 (its default) with the same check on the namespace bed. Which node is
 * master is read from the stamps (notify_master), so no ping is needed.
 */
export async function benchKeepalivedHealth(group: ProcessGroup, net: Net, reps: number, log: (s: string) => void): Promise<HealthRun> {
  if (!existsSync(KEEPALIVED_BIN)) throw new Error(`${KEEPALIVED_BIN} not found: apt-get install keepalived`);
  const dir = group.tempDir('fo-health-keepalived');
  const hook: StampHook = createStampHook(dir);
  const check = writeFlagCheck(dir);
  const procs: GroupProcess[] = [];
  for (const n of net.nodes) {
    const conf = join(dir, `n${n.index}.conf`);
    writeFileSync(conf, keepalivedConfig(n, net, check.path, hook.path));
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
    procs.push(spawnGroup(net.inNs(n.ns, argv), join(dir, `n${n.index}.log`)));
  }
  /** The node that became master last, once nobody has changed state for `quietMs`. */
  const master = async (quietMs: number): Promise<string> => {
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      const stamps = hook.read();
      const last = stamps.at(-1);
      const m = [...stamps].reverse().find((s) => s.event === 'promote');
      if (last !== undefined && m !== undefined && msBetween(last.ns, nowNs()) >= quietMs) return m.node;
      await sleep(100);
    }
    throw new Error(`keepalived: no settled master within 60 s (logs in ${dir})`);
  };
  const run = { serviceDownToPromoteMs: [] as number[], overlaps: 0, fences: 0 };
  try {
    for (let i = 0; i < reps; i++) {
      // A recovered instance needs `rise` checks to leave FAULT, then adverts to settle as BACKUP.
      const old = await master((CHECK.rise + 2) * CHECK.intervalMs);
      await sleep(Math.random() * CHECK.intervalMs);
      const t0 = nowNs();
      writeFileSync(check.flag(old), 'down');
      const promote = await promoteAfter(hook, t0, old, 30_000);
      const ms = msBetween(t0, promote.ns);
      const fault = hook.read().find((s) => s.event === 'demote' && s.node === old && s.ns > t0);
      if (fault === undefined || fault.ns > promote.ns) run.overlaps++;
      run.serviceDownToPromoteMs.push(ms);
      log(`keepalived track_script: service down #${i + 1} on ${old}: notify_master on ${promote.node} after ${ms.toFixed(1)} ms`);
      writeFileSync(check.flag(old), 'up');
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop(3000)));
  }
  return run;
}
