// A real network for the VIP tests: three node namespaces and a client namespace, each with an
// `eth0` veth whose peer is a port of a bridge that lives in its own namespace; addresses only
// inside them (a random 10.x.y.0/24). Agents run inside the node namespaces with the recording
// hook (test/process/ha-record.ts) and the VIP; a poller inside the client namespace asks
// /primary on every node; a sampler reads `ip addr` in every node namespace. Partitions: link
// down of a bridge port, or nftables drop rules in the bridge namespace (bridge family), one-way
// too. close() kills what it started and deletes the namespaces, also when a test failed (and,
// as a last resort, when the test process exits).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, REPO, waitFor } from '../process/process-cluster.js';
import {
  nowNs,
  readRecords,
  setFenceKills,
  writeRecordingHook,
  type HookDir,
  type HookRecord,
  type PrimaryObservation,
} from '../process/ha-record.js';

const run = promisify(execFile);

/** Why this machine cannot run the namespace tests, or false when it can. */
export function netnsSkipReason(): string | false {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: the namespace tests need root (CI runs as root)';
  for (const [cmd, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['nft', ['--version'], 'nftables'],
    ['arping', ['-V'], 'iputils-arping'],
  ] as const) {
    try {
      execFileSync(cmd, args, { stdio: 'pipe', timeout: 5000 });
    } catch (err) {
      // arping -V exits non-zero on some versions but still runs.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${cmd} is missing (apt-get install ${pkg})`;
    }
  }
  const probe = `palprobe${randomInt(1e6)}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe', timeout: 5000 });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe', timeout: 5000 });
  } catch (err) {
    return `cannot create network namespaces here: ${(err as Error).message.split('\n')[0]}`;
  }
  return false;
}

export interface BedOptions {
  readonly electionTimeoutMs: number;
  readonly hookTimeoutMs: number;
  /** More agent flags (e.g. a service check). */
  readonly extraArgs?: readonly string[];
}

interface BedNode {
  readonly id: string;
  readonly ns: string;
  readonly ip: string;
  readonly mac: string;
  /** The bridge port (in the bridge namespace) this node's eth0 is plugged into. */
  readonly port: string;
  child: ChildProcess | undefined;
  exited: Promise<void> | undefined;
  readonly pids: number[];
}

// Everything any bed started, for the exit handler.
const liveBeds = new Set<NetnsBed>();
process.once('exit', () => {
  for (const b of liveBeds) b.closeSync();
});

export class NetnsBed {
  readonly nodes = new Map<string, BedNode>();
  readonly client: { ns: string; ip: string; port: string };
  readonly bridgeNs: string;
  readonly subnet: string;
  readonly vip: string;
  readonly hooks: HookDir;
  readonly polls: PrimaryObservation[] = [];
  /** Each sampling round: the nodes whose eth0 held the VIP. */
  /** `ip addr` reads: begun at `at`, answered by `doneAt` (on a loaded host the read itself can take long). */
  readonly vipSamples: { at: bigint; doneAt: bigint; holders: string[] }[] = [];
  private poller: ChildProcess | undefined;
  private sampling = false;
  private sampler: Promise<void> | undefined;
  private readonly namespaces: string[] = [];
  private nftActive = false;

  private constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly opts: BedOptions,
  ) {
    const x = randomInt(64, 250);
    const y = randomInt(1, 250);
    this.subnet = `10.${x}.${y}`;
    this.vip = `${this.subnet}.50`;
    this.bridgeNs = `${prefix}-br`;
    this.client = { ns: `${prefix}-c`, ip: `${this.subnet}.100`, port: 'pc' };
    this.hooks = writeRecordingHook(dir, {
      // The fence: remove the VIP from the target's namespace ("remote ip addr del").
      fenceCommand: `ip netns exec "${prefix}-$PALISADE_TARGET" ip addr del ${this.vip}/24 dev eth0 2>/dev/null || true`,
    });
  }

  static async create(opts: BedOptions): Promise<NetnsBed> {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-netns-'));
    const bed = new NetnsBed(dir, `pal${randomInt(1e5)}`, opts);
    liveBeds.add(bed);
    try {
      await bed.build();
    } catch (err) {
      await bed.close();
      throw err;
    }
    return bed;
  }

  private async sh(args: readonly string[]): Promise<string> {
    const { stdout } = await run(args[0], args.slice(1), { timeout: 10_000 });
    return stdout;
  }

  private async addNs(ns: string): Promise<void> {
    await this.sh(['ip', 'netns', 'add', ns]);
    this.namespaces.push(ns);
    await this.sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }

  /** A veth: `eth0` with `ip` in `ns`, its peer `port` a port of the bridge. Returns eth0's MAC. */
  private async plug(ns: string, ip: string, port: string): Promise<string> {
    await this.addNs(ns);
    await this.sh(['ip', 'link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.bridgeNs]);
    await this.sh(['ip', '-n', this.bridgeNs, 'link', 'set', port, 'master', 'br0', 'up']);
    await this.sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await this.sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    const show = await this.sh(['ip', '-n', ns, '-o', 'link', 'show', 'eth0']);
    const mac = /link\/ether ([0-9a-f:]{17})/.exec(show)?.[1];
    if (mac === undefined) throw new Error(`no MAC for eth0 in ${ns}: ${show}`);
    return mac;
  }

  private async build(): Promise<void> {
    await this.addNs(this.bridgeNs);
    await this.sh(['ip', '-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await this.sh(['ip', '-n', this.bridgeNs, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= 3; i++) {
      const id = `n${i}`;
      const ns = `${this.prefix}-${id}`;
      const ip = `${this.subnet}.${10 + i}`;
      const mac = await this.plug(ns, ip, `p${i}`);
      this.nodes.set(id, { id, ns, ip, mac, port: `p${i}`, child: undefined, exited: undefined, pids: [] });
    }
    await this.plug(this.client.ns, this.client.ip, this.client.port);
    // Fast failure detection on the client side is not the point; keep the kernel defaults.
  }

  node(id: string): BedNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  get ids(): string[] {
    return [...this.nodes.keys()];
  }

  private peers(): string {
    return this.ids.map((id) => `${id}=${this.node(id).ip}:7101`).join(',');
  }

  /** Starts (or restarts) the agent of `id` inside its namespace. */
  start(id: string): void {
    const n = this.node(id);
    if (n.child !== undefined) throw new Error(`${id} is running`);
    const args = [
      'netns',
      'exec',
      n.ns,
      process.execPath,
      CLI,
      'agent',
      '--id',
      id,
      '--cluster',
      'ha-netns',
      '--listen',
      `${n.ip}:7101`,
      '--http',
      `${n.ip}:8101`,
      '--data-dir',
      join(this.dir, id),
      '--peers',
      this.peers(),
      '--heartbeat-ms',
      '50',
      '--election-timeout-ms',
      String(this.opts.electionTimeoutMs),
      '--on-promote',
      this.hooks.hook,
      '--on-demote',
      this.hooks.hook,
      '--on-fence',
      this.hooks.hook,
      '--fencing',
      'hook',
      '--hook-timeout-ms',
      String(this.opts.hookTimeoutMs),
      '--vip',
      `${this.vip}/24`,
      '--vip-interface',
      'eth0',
      // Plaintext off loopback: a private bridge between namespaces that only this test reaches.
      '--insecure',
      ...(this.opts.extraArgs ?? []),
    ];
    const fd = openSync(join(this.dir, `${id}.log`), 'a');
    // `ip netns exec` execs the program: the pid is the agent's.
    const child = spawn('ip', args, { cwd: REPO, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    n.child = child;
    n.exited = new Promise((ok) => child.once('exit', () => ok()));
    if (child.pid !== undefined) {
      n.pids.push(child.pid);
      writeFileSync(join(this.hooks.pidDir, id), String(child.pid));
    }
  }

  startAll(): void {
    for (const id of this.ids) this.start(id);
  }

  async kill9(id: string): Promise<void> {
    const n = this.node(id);
    n.child?.kill('SIGKILL');
    await n.exited;
    n.child = undefined;
    n.exited = undefined;
  }

  log(id: string): string {
    try {
      return readFileSync(join(this.dir, `${id}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  setFenceKills(kills: boolean): void {
    setFenceKills(this.hooks, kills);
  }

  records(): HookRecord[] {
    return readRecords(this.hooks.recordFile);
  }

  // ------------------------------------------------------------------ observation

  /** Starts the /primary poller inside the client namespace (one JSON line per answer). */
  startPolling(everyMs = 50): void {
    const script = join(this.dir, 'poller.mjs');
    writeFileSync(
      script,
      `// /primary on every node, every ${everyMs} ms; one line per answer: round node sentNs receivedNs code
const urls = ${JSON.stringify(this.ids.map((id) => [id, `http://${this.node(id).ip}:8101/primary`]))};
const ns = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
for (let round = 0; ; round++) {
  await Promise.all(urls.map(async ([id, url]) => {
    const sent = ns();
    let code = 0;
    try { code = (await fetch(url, { signal: AbortSignal.timeout(300) })).status; } catch {}
    process.stdout.write(round + ' ' + id + ' ' + sent + ' ' + ns() + ' ' + code + '\\n');
  }));
  await new Promise((ok) => setTimeout(ok, ${everyMs}));
}
`,
    );
    const child = spawn('ip', ['netns', 'exec', this.client.ns, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const [round, node, sent, received, code] = buf.slice(0, i).split(' ');
        buf = buf.slice(i + 1);
        this.polls.push({ round: Number(round), node: node, sent: BigInt(sent), received: BigInt(received), code: Number(code) });
      }
    });
    this.poller = child;
  }

  /** The nodes whose eth0 holds the VIP now. */
  async vipHolders(): Promise<string[]> {
    const has = await Promise.all(
      this.ids.map(async (id) => {
        const out = await this.sh(['ip', '-n', this.node(id).ns, '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
        return out.includes(` ${this.vip}/`) ? id : undefined;
      }),
    );
    return has.filter((x): x is string => x !== undefined);
  }

  /** Samples vipHolders() in the background into `vipSamples`. */
  startSampling(everyMs = 100): void {
    this.sampling = true;
    this.sampler = (async () => {
      while (this.sampling) {
        const at = nowNs();
        try {
          const holders = await this.vipHolders();
          this.vipSamples.push({ at, doneAt: nowNs(), holders });
        } catch {
          // a namespace going away at close
        }
        await new Promise((ok) => setTimeout(ok, everyMs));
      }
    })();
  }

  async stopSampling(): Promise<void> {
    this.sampling = false;
    await this.sampler;
  }

  /** The single node answering /primary 200 in the latest complete polling round, if exactly one. */
  currentPrimary(): string | undefined {
    const last = this.polls.at(-1)?.round;
    if (last === undefined) return undefined;
    const round = this.polls.filter((p) => p.round === last - 1);
    const ok = round.filter((p) => p.code === 200);
    return ok.length === 1 ? ok[0].node : undefined;
  }

  /** Waits for exactly one /primary 200 (not in `exclude`) that also holds the VIP, alone. */
  async waitForActive(exclude: readonly string[] = [], timeoutMs = 30_000): Promise<string> {
    return waitFor(
      `one active node holding the VIP${exclude.length ? ` other than ${exclude.join(', ')}` : ''}`,
      async () => {
        const p = this.currentPrimary();
        if (p === undefined || exclude.includes(p)) return undefined;
        const holders = await this.vipHolders();
        return holders.length === 1 && holders[0] === p ? p : undefined;
      },
      timeoutMs,
      50,
    );
  }

  /** MACs answering ARP for the VIP, as the client sees them (arping from the client namespace). */
  async arpingMacs(count = 3): Promise<string[]> {
    let out = '';
    try {
      out = await this.sh([
        'ip',
        'netns',
        'exec',
        this.client.ns,
        'arping',
        '-c',
        String(count),
        '-w',
        String(count + 1),
        '-I',
        'eth0',
        this.vip,
      ]);
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? ''; // exit 1 when nobody answered
    }
    return [...new Set([...out.matchAll(/reply from [0-9.]+ \[([0-9A-Fa-f:]{17})\]/g)].map((m) => m[1].toLowerCase()))];
  }

  /** The client's neighbour entry for the VIP: its MAC (undefined when none / failed). */
  async clientNeighbourMac(): Promise<string | undefined> {
    const out = await this.sh(['ip', '-n', this.client.ns, 'neigh', 'show', this.vip, 'dev', 'eth0']);
    return /lladdr ([0-9a-f:]{17})/.exec(out)?.[1];
  }

  /** Overwrites the client's neighbour entry for the VIP (as a stale mapping would be). */
  async setClientNeighbour(mac: string): Promise<void> {
    await this.sh(['ip', '-n', this.client.ns, 'neigh', 'replace', this.vip, 'lladdr', mac, 'dev', 'eth0', 'nud', 'stale']);
  }

  /** One ping from the client to the VIP; true when it answered. */
  async clientPing(): Promise<boolean> {
    try {
      await this.sh(['ip', 'netns', 'exec', this.client.ns, 'ping', '-c', '1', '-W', '1', this.vip]);
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ faults

  async linkDown(id: string): Promise<void> {
    await this.sh(['ip', '-n', this.bridgeNs, 'link', 'set', this.node(id).port, 'down']);
  }

  async linkUp(id: string): Promise<void> {
    await this.sh(['ip', '-n', this.bridgeNs, 'link', 'set', this.node(id).port, 'up']);
  }

  /**
   * Drops frames at the bridge: `from` the node (it cannot send), `to` it (it cannot receive),
   * or both. Bridge-family nftables in the bridge namespace.
   */
  async drop(id: string, direction: 'from' | 'to' | 'both'): Promise<void> {
    const port = this.node(id).port;
    const rules: string[] = [];
    if (direction !== 'to') rules.push(`add rule bridge palisade cut iifname "${port}" drop`);
    if (direction !== 'from') rules.push(`add rule bridge palisade cut oifname "${port}" drop`);
    const script = [
      'add table bridge palisade',
      'add chain bridge palisade cut { type filter hook forward priority 0; policy accept; }',
      ...rules,
    ].join('\n');
    await this.nft(script);
    this.nftActive = true;
  }

  async undrop(): Promise<void> {
    if (!this.nftActive) return;
    await this.nft('delete table bridge palisade');
    this.nftActive = false;
  }

  private async nft(script: string): Promise<void> {
    const file = join(this.dir, `nft-${randomInt(1e9)}.nft`);
    writeFileSync(file, `${script}\n`);
    await this.sh(['ip', 'netns', 'exec', this.bridgeNs, 'nft', '-f', file]);
  }

  // ------------------------------------------------------------------ cleanup

  async close(): Promise<void> {
    await this.stopSampling();
    this.poller?.kill('SIGKILL');
    const exits: Promise<void>[] = [];
    for (const n of this.nodes.values()) {
      if (n.child !== undefined) {
        n.child.kill('SIGKILL');
        if (n.exited) exits.push(n.exited);
      }
    }
    await Promise.race([Promise.all(exits), new Promise((ok) => setTimeout(ok, 5000))]);
    this.closeSync();
  }

  /** Synchronous part of close(), also run from the exit handler. */
  closeSync(): void {
    this.poller?.kill('SIGKILL');
    for (const n of this.nodes.values()) n.child?.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe', timeout: 10_000 });
      } catch {
        // already gone
      }
    }
    liveBeds.delete(this);
    if (process.env.PALISADE_TEST_KEEP === '1') process.stderr.write(`netns-bed: kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
