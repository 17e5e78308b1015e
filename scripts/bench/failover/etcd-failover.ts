// etcd 3.4 leader failover after kill -9, for comparison: three members (unless told otherwise)
// on loopback (the "static" local cluster of etcd's docs), kill -9 the leader, then poll the
// survivors' HTTP gateway POST /v3/maintenance/status every few ms until one reports a leader
// that is not the killed member. The killed member is restarted on its data dir before the next
// round.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { memberIds } from '../cluster.js';
import { ETCD_BIN } from '../etcd-cluster.js';
import { HOST, ProcessGroup, freePort, waitFor } from '../processes.js';
import { fetchJson, pollFirst, sleep } from './poll.js';
import { msBetween, nowNs } from './stamp-hook.js';

export interface EtcdProfile {
  readonly name: string;
  readonly args: readonly string[];
}

export const ETCD_PROFILES: readonly EtcdProfile[] = [
  { name: 'etcd defaults (heartbeat 100 ms, election 1000 ms)', args: [] },
  { name: 'etcd tuned (heartbeat 10 ms, election 100 ms)', args: ['--heartbeat-interval=10', '--election-timeout=100'] },
];

interface Member {
  readonly name: string;
  readonly client: number;
  readonly args: readonly string[];
  child: ChildProcess;
}

interface EtcdStatus {
  readonly memberId: string;
  readonly leader: string;
}

async function status(port: number, signal: AbortSignal): Promise<EtcdStatus | undefined> {
  const r = await fetchJson(`http://${HOST}:${port}/v3/maintenance/status`, signal, { method: 'POST', body: '{}' });
  const b = r.body as { header?: { member_id?: string }; leader?: string };
  if (r.status !== 200 || b.header?.member_id === undefined || b.leader === undefined) return undefined;
  return { memberId: b.header.member_id, leader: b.leader };
}

export interface FailoverRun {
  readonly samplesMs: number[];
  readonly notes: string[];
}

export async function benchEtcdFailover(
  group: ProcessGroup,
  profile: EtcdProfile,
  reps: number,
  log: (s: string) => void,
  /** Members in the cluster (bench:scale runs 3, 5 and 7). */
  size = 3,
): Promise<FailoverRun> {
  const dir = group.tempDir('fo-etcd');
  const names = memberIds(size).map((id) => id.replace('n', 'e'));
  const ports = new Map<string, { client: number; peer: number }>();
  for (const n of names) ports.set(n, { client: await freePort(), peer: await freePort() });
  const initialCluster = names.map((n) => `${n}=http://${HOST}:${ports.get(n)!.peer}`).join(',');
  const members: Member[] = names.map((name) => {
    const { client, peer } = ports.get(name)!;
    const args = [
      '--name',
      name,
      '--data-dir',
      join(dir, name),
      '--listen-client-urls',
      `http://${HOST}:${client}`,
      '--advertise-client-urls',
      `http://${HOST}:${client}`,
      '--listen-peer-urls',
      `http://${HOST}:${peer}`,
      '--initial-advertise-peer-urls',
      `http://${HOST}:${peer}`,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-token',
      'palisade-failover-bench',
      '--initial-cluster-state',
      'new',
      ...profile.args,
    ];
    return { name, client, args, child: group.spawn(ETCD_BIN, args, join(dir, `${name}.log`)) };
  });
  const never = new AbortController().signal;
  /** Leader's member name when all members answer and agree. */
  const agreed = async (): Promise<string | undefined> => {
    const all = await Promise.all(members.map((m) => status(m.client, never)));
    if (all.some((s) => s === undefined)) return undefined;
    const leaders = new Set(all.map((s) => s!.leader));
    const [leader] = leaders;
    if (leaders.size !== 1 || leader === '0') return undefined;
    return members[all.findIndex((s) => s!.memberId === leader)]?.name;
  };
  const samplesMs: number[] = [];
  const notes: string[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const leaderName = await waitFor(`${size} etcd members agreeing on a leader`, 30_000, agreed, 20);
      // Let the restarted member settle, then a random phase against the heartbeat timer.
      await sleep(500 + Math.random() * 200);
      const victim = members.find((m) => m.name === leaderName)!;
      const victimId = (await status(victim.client, never))!.memberId;
      const survivors = members.filter((m) => m !== victim);
      const exited = new Promise<void>((r) => victim.child.once('exit', () => r()));
      const t0 = nowNs();
      victim.child.kill('SIGKILL');
      const hit = await pollFirst(
        survivors.map((m) => String(m.client)),
        async (port, signal) => {
          const s = await status(Number(port), signal);
          return s !== undefined && s.leader !== '0' && s.leader !== victimId ? s : undefined;
        },
        { everyMs: 2, timeoutMs: 30_000, what: `a new etcd leader after killing ${victim.name}` },
      );
      const ms = msBetween(t0, hit.atNs);
      samplesMs.push(ms);
      log(`${profile.name}: #${i + 1} killed ${victim.name}, new leader seen after ${ms.toFixed(1)} ms`);
      await exited;
      victim.child = group.spawn(ETCD_BIN, victim.args, join(dir, `${victim.name}.log`));
    }
  } finally {
    await Promise.all(members.map((m) => ProcessGroup.stop(m.child, 5000)));
  }
  return { samplesMs, notes };
}
