// palisade agents on loopback (three unless `size` says otherwise), started through the CLI
// exactly as an operator would (`palisade agent --id ... --peers ...`), default settings
// (heartbeat 50 ms, election 300 ms, log level info), each with its own temp data dir; LevelDB
// writes are synced per Ready. The agents get the environment the README asks operators for (AGENT_ENV).
import { join, resolve } from 'node:path';
import { connect } from '../../src/index.js';
import { memberIds, System, type BenchCluster, type BenchMember } from './cluster.js';
import { HOST, ProcessGroup, freePort, waitFor } from './processes.js';
import { scrape } from './server-metrics.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** README, "Memory": glibc returns snapshot-sized buffers instead of keeping them in its heap. */
export const AGENT_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

export interface PalisadeOptions {
  /** Run this member under `node --cpu-prof`, writing the profile into dir when it exits. */
  readonly cpuProfile?: { readonly id: string; readonly dir: string };
  /** Extra `palisade agent` flags for every member (default: none, the defaults). */
  readonly agentFlags?: readonly string[];
  /** Another build's CLI (an A/B of two commits in one run; default: this checkout's dist). */
  readonly cli?: string;
  /** Members in the cluster (default 3). */
  readonly size?: number;
}

/** The leader every member names, once all of them are up and agree. */
async function agreedLeader(addresses: readonly string[]): Promise<string | undefined> {
  const seen = new Set<string>();
  for (const address of addresses) {
    const client = connect(address, { timeoutMs: 300 });
    try {
      seen.add((await client.status()).leader);
    } catch {
      return undefined;
    } finally {
      client.close();
    }
  }
  const [leader] = seen;
  return seen.size === 1 && leader !== '' ? leader : undefined;
}

async function leaderOf(addresses: readonly string[]): Promise<string | undefined> {
  for (const address of addresses) {
    const client = connect(address, { timeoutMs: 300 });
    try {
      const s = await client.status();
      if (s.leader !== '') return s.leader;
    } catch {
      // Not up yet: ask the next one.
    } finally {
      client.close();
    }
  }
  return undefined;
}

export async function startPalisade(group: ProcessGroup, opts: PalisadeOptions = {}): Promise<BenchCluster> {
  const ids = memberIds(opts.size);
  const dir = group.tempDir('palisade');
  const addresses = new Map<string, string>();
  const http = new Map<string, string>();
  for (const id of ids) {
    addresses.set(id, `${HOST}:${await freePort()}`);
    http.set(id, `${HOST}:${await freePort()}`);
  }
  const peers = ids.map((id) => `${id}=${addresses.get(id)!}`).join(',');
  const children = ids.map((id) => {
    const nodeFlags = opts.cpuProfile?.id === id ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfile.dir] : [];
    const args = [
      ...nodeFlags,
      opts.cli ?? CLI,
      'agent',
      '--id',
      id,
      '--listen',
      addresses.get(id)!,
      '--http',
      http.get(id)!,
      '--data-dir',
      join(dir, id),
      '--peers',
      peers,
      ...(opts.agentFlags ?? []),
    ];
    return { id, child: group.spawn(process.execPath, args, join(dir, `${id}.log`), AGENT_ENV) };
  });
  const members: BenchMember[] = children.map(({ id, child }) => ({
    id,
    pid: child.pid!,
    clientAddress: addresses.get(id)!,
    httpAddress: http.get(id)!,
  }));
  const all = [...addresses.values()];
  // Every member must be up before load, /metrics too (the node opens HTTP after gRPC). The bound
  // allows for seven agents starting at once on a loaded 2-vCPU machine.
  await waitFor('all palisade members to agree on a leader', 60_000, () => agreedLeader(all));
  for (const m of members) await waitFor(`${m.id} /metrics`, 10_000, () => scrape(m.httpAddress!));
  return {
    system: System.Palisade,
    members,
    leader: async () => waitFor('a palisade leader', 10_000, () => leaderOf(all)),
    stop: async () => {
      await Promise.all(children.map(({ child }) => ProcessGroup.stop(child, 10_000)));
    },
  };
}
