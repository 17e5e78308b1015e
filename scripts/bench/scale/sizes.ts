// The cluster-size part of bench:scale, for one system at one size: failover (kill -9 of the
// leader/active, as bench:failover times it), commit latency of single puts (one client, one put
// at a time, bench:kv's "1 client" phase) and idle CPU per member (bench:idle's window), on
// clusters of that many members at the same timings for both systems.
import type { BenchCluster } from '../cluster.js';
import { startEtcd } from '../etcd-cluster.js';
import { benchEtcdFailover } from '../failover/etcd-failover.js';
import { benchPalisadeFailover } from '../failover/palisade-failover.js';
import { runLoad } from '../load.js';
import { startPalisade } from '../palisade-cluster.js';
import { CpuWindow } from '../proc-stats.js';
import type { ProcessGroup } from '../processes.js';
import type { LatencySummary } from '../stats.js';

export interface SizeSettings {
  readonly failoverReps: number;
  readonly commitPuts: number;
  readonly warmupPuts: number;
  /** Let a fresh cluster settle (V8 compiles for a minute) before the idle window. */
  readonly settleMs: number;
  readonly idleMs: number;
}

/** The same heartbeat and election timeout for both systems: palisade's defaults. */
export const TIMINGS = { heartbeatMs: 50, electionMs: 300 } as const;
const ETCD_TIMINGS = ['--heartbeat-interval', String(TIMINGS.heartbeatMs), '--election-timeout', String(TIMINGS.electionMs)];

export interface SizeRun {
  readonly system: 'palisade' | 'etcd';
  readonly size: number;
  /** palisade: kill -9 of the active → the new active's promote hook starts; etcd: kill -9 of the leader → a survivor reports a new leader. */
  readonly failoverMs: number[];
  readonly commit: LatencySummary;
  readonly commitErrors: number;
  /** CPU % of a core over the idle window: the leader's, and each follower's. */
  readonly idleLeaderPercent: number;
  readonly idleFollowerPercent: number[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function idleAndCommit(
  cluster: BenchCluster,
  group: ProcessGroup,
  s: SizeSettings,
): Promise<Pick<SizeRun, 'commit' | 'commitErrors' | 'idleLeaderPercent' | 'idleFollowerPercent'>> {
  await sleep(s.settleMs);
  let leader = await cluster.leader();
  for (let attempt = 1; ; attempt++) {
    const cpu = new CpuWindow(cluster.members.map((m) => m.pid));
    await sleep(s.idleMs);
    const pct = cpu.percent();
    const after = await cluster.leader();
    // A leader change inside the window would mix the roles: measure again (twice at most).
    if (after !== leader && attempt < 3) {
      leader = after;
      continue;
    }
    const of = (id: string) => pct.get(cluster.members.find((m) => m.id === id)!.pid)!;
    const followers = cluster.members.filter((m) => m.id !== after).map((m) => of(m.id));
    const endpoints = [...cluster.members].sort((a, b) => Number(b.id === after) - Number(a.id === after)).map((m) => m.clientAddress);
    const load = await runLoad(
      group,
      [
        {
          system: cluster.system,
          endpoints,
          concurrency: 1,
          warmupPuts: s.warmupPuts,
          measure: { kind: 'count', puts: s.commitPuts },
          keyPrefix: 'cl',
          valueBytes: 64,
        },
      ],
      cluster.members,
    );
    return { commit: load.latency, commitErrors: load.errors, idleLeaderPercent: of(after), idleFollowerPercent: followers };
  }
}

export async function measureSize(
  group: ProcessGroup,
  system: 'palisade' | 'etcd',
  size: number,
  s: SizeSettings,
  log: (s: string) => void,
): Promise<SizeRun> {
  const failoverMs =
    system === 'palisade'
      ? (
          await benchPalisadeFailover(
            group,
            { name: `palisade ${size} nodes, defaults`, flags: [] },
            { kill: s.failoverReps, switchover: 0 },
            log,
            size,
          )
        ).killToPromoteMs
      : (await benchEtcdFailover(group, { name: `etcd ${size} nodes, 50/300`, args: ETCD_TIMINGS }, s.failoverReps, log, size)).samplesMs;
  const cluster = system === 'palisade' ? await startPalisade(group, { size }) : await startEtcd(group, { size, extraArgs: ETCD_TIMINGS });
  try {
    const r = await idleAndCommit(cluster, group, s);
    log(
      `${system} ${size} nodes: commit p50 ${r.commit.p50Ms} ms p99 ${r.commit.p99Ms} ms; idle leader ${r.idleLeaderPercent} %, followers ${r.idleFollowerPercent.join(' ')} %`,
    );
    return { system, size, failoverMs, ...r };
  } finally {
    await cluster.stop();
  }
}
