// etcd 3.4 members on loopback that bench:scale can kill -9, restart on their data dirs and add
// to (`member add`, then a start with --initial-cluster-state existing), as etcd's runtime
// reconfiguration guide does it. Everything goes through each member's HTTP gateway (JSON over
// /v3/...), polled with short per-request timeouts: the etcd3 client's own retries and backoff
// would blur the times being measured.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ETCD_BIN } from '../etcd-cluster.js';
import { fetchJson } from '../failover/poll.js';
import { HOST, ProcessGroup, freePort, waitFor } from '../processes.js';

interface Member {
  readonly name: string;
  readonly client: number;
  readonly peer: number;
  child?: ChildProcess;
}

export interface EtcdMemberStatus {
  readonly memberId: string;
  readonly leader: string;
  readonly appliedIndex: number;
  /** The backend database's size as allocated on disk, bytes (what `etcdctl snapshot save` copies). */
  readonly dbSize: number;
}

const never = new AbortController().signal;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

export class EtcdMembers {
  private readonly members = new Map<string, Member>();

  private constructor(
    private readonly group: ProcessGroup,
    private readonly dir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** Starts `names` as a new cluster and waits until they agree on a leader. */
  static async found(group: ProcessGroup, names: readonly string[], extraArgs: readonly string[] = []): Promise<EtcdMembers> {
    const set = new EtcdMembers(group, group.tempDir('scale-etcd'), extraArgs);
    for (const name of names) await set.allocate(name);
    const initial = set.initialCluster();
    for (const name of names) set.spawn(name, initial, 'new');
    await waitFor(`${names.length} etcd members agreeing on a leader`, 30_000, () => set.agreedLeader(), 50);
    return set;
  }

  get names(): string[] {
    return [...this.members.keys()];
  }

  clientAddress(name: string): string {
    return `${HOST}:${this.member(name).client}`;
  }

  async status(name: string, timeoutMs = 250): Promise<EtcdMemberStatus | undefined> {
    const r = await fetchJson(`http://${this.clientAddress(name)}/v3/maintenance/status`, never, { method: 'POST', body: '{}' }, timeoutMs);
    const b = r.body as { header?: { member_id?: string }; leader?: string; raftAppliedIndex?: string; dbSize?: string };
    if (r.status !== 200 || b.header?.member_id === undefined || b.leader === undefined) return undefined;
    return { memberId: b.header.member_id, leader: b.leader, appliedIndex: Number(b.raftAppliedIndex ?? 0), dbSize: Number(b.dbSize ?? 0) };
  }

  /** The leader's name once every running member answers and names the same one. */
  async agreedLeader(): Promise<string | undefined> {
    const running = this.names.filter((n) => this.running(n));
    const all = await Promise.all(running.map(async (n) => ({ n, s: await this.status(n) })));
    if (all.some((x) => x.s === undefined)) return undefined;
    const leaders = new Set(all.map((x) => x.s!.leader));
    const [leader] = leaders;
    if (leaders.size !== 1 || leader === '0') return undefined;
    return all.find((x) => x.s!.memberId === leader)?.n;
  }

  /** A linearizable Range of `key` answered by member `name` (etcd's default read), true when it succeeded. */
  async linearizableRead(name: string, key: string, timeoutMs = 500): Promise<boolean> {
    const r = await fetchJson(
      `http://${this.clientAddress(name)}/v3/kv/range`,
      never,
      { method: 'POST', body: JSON.stringify({ key: b64(key) }) },
      timeoutMs,
    );
    return r.status === 200 && typeof r.body === 'object' && r.body !== null && 'header' in r.body;
  }

  running(name: string): boolean {
    const c = this.member(name).child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  async kill9(name: string): Promise<void> {
    const c = this.member(name).child!;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await exited;
  }

  /** Starts a stopped member again on its data dir (etcd ignores the initial-cluster flags then). */
  restart(name: string): void {
    this.spawn(name, this.initialCluster(), 'existing');
  }

  /**
   * `member add` through the leader's gateway; returns once the change is accepted. Start it with
   * join(). etcd refuses a change while a member has been connected for less than 5 s (its
   * strict reconfiguration check: "unhealthy cluster"), as after a restart: asked again until then.
   */
  async add(name: string, via: string): Promise<void> {
    await this.allocate(name);
    const peerURLs = [`http://${HOST}:${this.member(name).peer}`];
    const deadline = performance.now() + 30_000;
    for (;;) {
      const r = await fetchJson(
        `http://${this.clientAddress(via)}/v3/cluster/member/add`,
        never,
        { method: 'POST', body: JSON.stringify({ peerURLs }) },
        10_000,
      );
      if (r.status === 200) return;
      const answer = `${r.status} ${JSON.stringify(r.body)}`;
      if (!answer.includes('unhealthy cluster') || performance.now() > deadline)
        throw new Error(`etcd member add ${name} failed: ${answer}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** `member remove` through `via`'s gateway, then kill -9: the member is no longer one of names. */
  async remove(name: string, via: string): Promise<void> {
    const id = (await this.status(name))?.memberId;
    if (id === undefined) throw new Error(`etcd member ${name} does not answer: cannot learn its id to remove it`);
    const r = await fetchJson(
      `http://${this.clientAddress(via)}/v3/cluster/member/remove`,
      never,
      { method: 'POST', body: JSON.stringify({ ID: id }) },
      10_000,
    );
    if (r.status !== 200) throw new Error(`etcd member remove ${name} failed: ${r.status} ${JSON.stringify(r.body)}`);
    await this.kill9(name);
    this.members.delete(name);
  }

  /** Starts a member announced with add(): an empty data dir, --initial-cluster-state existing. */
  join(name: string): void {
    this.spawn(name, this.initialCluster(), 'existing');
  }

  async stopAll(): Promise<void> {
    const children = [...this.members.values()].flatMap((m) => (m.child ? [m.child] : []));
    await Promise.all(children.map((c) => ProcessGroup.stop(c, 5000)));
  }

  private member(name: string): Member {
    const m = this.members.get(name);
    if (m === undefined) throw new Error(`no etcd member ${name}`);
    return m;
  }

  private async allocate(name: string): Promise<void> {
    this.members.set(name, { name, client: await freePort(), peer: await freePort() });
  }

  private initialCluster(): string {
    return [...this.members.values()].map((m) => `${m.name}=http://${HOST}:${m.peer}`).join(',');
  }

  private spawn(name: string, initialCluster: string, state: 'new' | 'existing'): void {
    const m = this.member(name);
    const url = (port: number) => `http://${HOST}:${port}`;
    const args = [
      ...['--name', name, '--data-dir', join(this.dir, name)],
      ...['--listen-client-urls', url(m.client), '--advertise-client-urls', url(m.client)],
      ...['--listen-peer-urls', url(m.peer), '--initial-advertise-peer-urls', url(m.peer)],
      ...['--initial-cluster', initialCluster, '--initial-cluster-token', 'palisade-scale-bench'],
      ...['--initial-cluster-state', state],
      ...this.extraArgs,
    ];
    m.child = this.group.spawn(ETCD_BIN, args, join(this.dir, `${name}.log`));
  }
}
