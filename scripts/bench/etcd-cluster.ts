// etcd members on loopback (three unless `size` says otherwise), started by hand as the etcd
// docs' "static" local cluster: defaults for everything that matters (fsync on, heartbeat
// 100 ms, election 1000 ms, --quota-backend-bytes 2 GiB, snapshot-count 100000), one temp data
// dir each.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { memberIds, System, type BenchCluster, type BenchMember } from './cluster.js';
import { HOST, ProcessGroup, freePort, waitFor } from './processes.js';

export const ETCD_BIN = '/usr/bin/etcd';

/** The leader's name once every member answers and all name the same one (ids are decimal strings). */
async function leaderOf(clients: ReadonlyMap<string, Etcd3>): Promise<string | undefined> {
  const idToName = new Map<string, string>();
  const leaders = new Set<string>();
  for (const [name, client] of clients) {
    try {
      const s = await client.maintenance.status();
      idToName.set(String(s.header.member_id), name);
      leaders.add(String(s.leader));
    } catch {
      return undefined; // not up yet
    }
  }
  const [leader] = leaders;
  return leaders.size === 1 && leader !== '0' ? idToName.get(leader) : undefined;
}

export interface EtcdOptions {
  /** Extra etcd flags for every member (default: none, the defaults). */
  readonly extraArgs?: readonly string[];
  /** Members in the cluster (default 3). */
  readonly size?: number;
}

export async function startEtcd(group: ProcessGroup, opts: EtcdOptions = {}): Promise<BenchCluster> {
  if (!existsSync(ETCD_BIN)) throw new Error(`${ETCD_BIN} not found: apt-get install etcd-server`);
  const ids = memberIds(opts.size);
  const dir = group.tempDir('etcd');
  const ports = new Map<string, { client: number; peer: number }>();
  for (const id of ids) ports.set(id, { client: await freePort(), peer: await freePort() });
  const initialCluster = ids.map((id) => `${id}=http://${HOST}:${ports.get(id)!.peer}`).join(',');
  const children = ids.map((id) => {
    const { client, peer } = ports.get(id)!;
    const args = [
      '--name',
      id,
      '--data-dir',
      join(dir, id),
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
      'palisade-bench',
      '--initial-cluster-state',
      'new',
      ...(opts.extraArgs ?? []),
    ];
    return { id, child: group.spawn(ETCD_BIN, args, join(dir, `${id}.log`)) };
  });
  const members: BenchMember[] = children.map(({ id, child }) => ({
    id,
    pid: child.pid!,
    clientAddress: `${HOST}:${ports.get(id)!.client}`,
  }));
  const clients = new Map(members.map((m) => [m.id, new Etcd3({ hosts: `http://${m.clientAddress}`, dialTimeout: 500 })]));
  const ask = () => leaderOf(clients);
  try {
    await waitFor('an etcd leader', 20_000, ask);
  } catch (err) {
    for (const c of clients.values()) c.close();
    throw err;
  }
  return {
    system: System.Etcd,
    members,
    leader: () => waitFor('an etcd leader', 10_000, ask),
    stop: async () => {
      for (const c of clients.values()) c.close();
      await Promise.all(children.map(({ child }) => ProcessGroup.stop(child, 10_000)));
    },
  };
}
