// The data part of bench:scale for etcd 3.4, the same steps as palisade-data.ts: three members
// (etcd's defaults apart from the timings given), filled with `keys` keys through the etcd3
// client; the backend database's size (etcd's snapshot: the bbolt file that `etcdctl snapshot
// save` copies and a far-behind member is sent); restarts of a follower (kill -9, start, until
// it answers a linearizable Range); new members' catch-up (`member add`, start with
// --initial-cluster-state existing, until its raftAppliedIndex reaches the leader's; then
// `member remove`).
import { msBetween, nowNs } from '../failover/stamp-hook.js';
import { System } from '../cluster.js';
import { waitFor, type ProcessGroup } from '../processes.js';
import { makePutter } from '../putter.js';
import { patienceMs, POLL_MS, type DataRun } from './data-run.js';
import { EtcdMembers } from './etcd-members.js';
import { fill, scrambledKey } from './fill.js';

export async function etcdData(
  group: ProcessGroup,
  keys: number,
  reps: number,
  extraArgs: readonly string[],
  log: (s: string) => void,
): Promise<DataRun> {
  const etcd = await EtcdMembers.found(group, ['e1', 'e2', 'e3'], extraArgs);
  const leaderNow = (): Promise<string> => waitFor('an etcd leader all members name', 30_000, () => etcd.agreedLeader(), POLL_MS);
  const applied = async (name: string): Promise<number | undefined> => (await etcd.status(name))?.appliedIndex;
  try {
    const leader = await leaderNow();
    const putter = makePutter(System.Etcd, [etcd.clientAddress(leader)]);
    let filled;
    try {
      filled = await fill(putter, keys, log);
    } finally {
      putter.close();
    }
    const status = (await etcd.status(leader))!;
    log(`etcd ${keys} keys: filled in ${filled.seconds} s, db ${status.dbSize} bytes`);
    const run: DataRun = {
      system: 'etcd',
      keys,
      fill: filled,
      snapshotBytes: status.dbSize,
      snapshotWhat: "the leader's backend database (dbSize of maintenance status)",
      restartMs: [],
      restartStartedMs: [],
      catchUpMs: [],
      notes: [],
    };
    const probeKey = scrambledKey(1);
    for (let r = 0; r < reps; r++) {
      const lead = await leaderNow();
      const victim = etcd.names.find((n) => n !== lead)!;
      const goal = (await applied(lead))!;
      await waitFor(
        `${victim} caught up before its restart`,
        patienceMs(keys),
        async () => ((await applied(victim)) ?? 0) >= goal || undefined,
        POLL_MS,
      );
      await etcd.kill9(victim);
      const t0 = nowNs();
      etcd.restart(victim);
      await waitFor(
        `a linearizable Range answered by the restarted ${victim}`,
        patienceMs(keys),
        async () => (await etcd.linearizableRead(victim, probeKey)) || undefined,
        POLL_MS,
      );
      const ms = msBetween(t0, nowNs());
      run.restartMs.push(ms);
      log(`etcd ${keys} keys: restart #${r + 1} of ${victim}: first linearizable read after ${ms.toFixed(0)} ms`);
    }
    for (let r = 0; r < reps; r++) {
      const name = `e${4 + r}`;
      const lead = await leaderNow();
      await etcd.add(name, lead);
      const goal = (await applied(lead))!;
      const t0 = nowNs();
      etcd.join(name);
      await waitFor(
        `${name} catching up to index ${goal}`,
        patienceMs(keys),
        async () => ((await applied(name)) ?? 0) >= goal || undefined,
        POLL_MS,
      );
      const ms = msBetween(t0, nowNs());
      run.catchUpMs.push(ms);
      log(`etcd ${keys} keys: ${name} caught up to index ${goal} ${ms.toFixed(0)} ms after its start`);
      await etcd.remove(name, lead);
    }
    return run;
  } finally {
    await etcd.stopAll();
  }
}
