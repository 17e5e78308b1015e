// A throw-away network for the VIP measurements: three node namespaces and a client namespace,
// each with an `eth0` whose peer sits on a bridge that lives in its own namespace, addresses
// 10.X.Y.0/24 only inside them (nothing touches the host's interfaces or routes). Each node
// namespace gets its own default TTL (61, 62, 63) so an ICMP echo reply names the node that sent
// it: the client's ping output says who answers for the VIP, with no extra probe.
// A machine "crash" is the node's bridge port going down (cable pulled, power cut) at the moment
// its processes get SIGKILL; `destroy()` deletes every namespace, also from an exit handler.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';
import { nowNs } from './stamp-hook.js';

export interface NetNode {
  readonly index: number;
  readonly ns: string;
  readonly address: string;
  /** The default TTL of this namespace = the ttl= of its echo replies. */
  readonly ttl: number;
  /** The bridge-side port of this node's cable. */
  readonly port: string;
}

export interface Net {
  readonly tag: string;
  readonly bridgeNs: string;
  readonly clientNs: string;
  readonly nodes: readonly NetNode[];
  readonly prefix: number;
  /** A free host address in the subnet for the VIP. */
  readonly vip: string;
  sh(args: readonly string[], timeoutMs?: number): string;
  /** Cable pulled (true) or back (false). */
  setLink(node: NetNode, up: boolean): void;
  /** `ip netns exec NS ...argv` as argv. */
  inNs(ns: string, argv: readonly string[]): string[];
  destroy(): void;
}

export function netnsSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (network namespaces need root)';
  for (const [cmd, args] of [
    ['ip', ['netns', 'list']],
    ['ping', ['-V']],
  ] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'ignore', timeout: 5000 });
    } catch {
      return `\`${cmd}\` unavailable`;
    }
  }
  return undefined;
}

export function createNet(): Net {
  const tag = randomInt(0, 0xffffff).toString(16).padStart(6, '0');
  const subnet = `10.${200 + randomInt(0, 50)}.${randomInt(1, 255)}`;
  const bridgeNs = `pfo-${tag}-br`;
  const clientNs = `pfo-${tag}-c`;
  const created: string[] = [];
  const sh = (args: readonly string[], timeoutMs = 10_000): string =>
    execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, encoding: 'utf8' });
  const destroy = (): void => {
    for (const ns of created.splice(0).reverse()) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', destroy);
  const nodes: NetNode[] = [1, 2, 3].map((i) => ({
    index: i,
    ns: `pfo-${tag}-n${i}`,
    address: `${subnet}.${i}`,
    ttl: 60 + i,
    port: `p${i}`,
  }));
  const wire = (ns: string, port: string, address: string): void => {
    sh(['ip', 'netns', 'add', ns]);
    created.push(ns);
    sh(['ip', '-n', bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh(['ip', '-n', bridgeNs, 'link', 'set', port, 'master', 'br0', 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  };
  try {
    sh(['ip', 'netns', 'add', bridgeNs]);
    created.push(bridgeNs);
    sh(['ip', '-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', bridgeNs, 'link', 'set', 'br0', 'up']);
    for (const n of nodes) {
      wire(n.ns, n.port, n.address);
      sh(['ip', 'netns', 'exec', n.ns, 'sysctl', '-qw', `net.ipv4.ip_default_ttl=${n.ttl}`]);
    }
    wire(clientNs, 'pc', `${subnet}.100`);
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    tag,
    bridgeNs,
    clientNs,
    nodes,
    prefix: 24,
    vip: `${subnet}.50`,
    sh,
    setLink: (node, up) => void sh(['ip', '-n', bridgeNs, 'link', 'set', node.port, up ? 'up' : 'down']),
    inNs: (ns, argv) => ['ip', 'netns', 'exec', ns, ...argv],
    destroy,
  };
}

/** One echo reply seen by the client: when it was read and which node's TTL it carried. */
export interface Reply {
  readonly atNs: bigint;
  readonly ttl: number;
}

/**
 * `ping -i 0.005` to the VIP from the client namespace, every reply timestamped on arrival (pipe
 * latency is far below the 5 ms interval). `waitFor` resolves with the first reply read after
 * `afterNs` that satisfies `ok`.
 */
export class VipProbe {
  private readonly child: ChildProcess;
  private last: Reply | undefined;
  private readonly waiters: { afterNs: bigint; ok: (r: Reply) => boolean; done: (r: Reply) => void }[] = [];

  constructor(net: Net) {
    this.child = spawn('ip', ['netns', 'exec', net.clientNs, 'ping', '-n', '-i', '0.005', '-W', '1', net.vip], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const lines = createInterface({ input: this.child.stdout! });
    lines.on('line', (line) => {
      const m = / ttl=(\d+) /.exec(line);
      if (m === null) return;
      const r: Reply = { atNs: nowNs(), ttl: Number(m[1]) };
      this.last = r;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (r.atNs > w.afterNs && w.ok(r)) {
          this.waiters.splice(i, 1);
          w.done(r);
        }
      }
    });
  }

  /** The TTL of the most recent reply, if it came within the last `withinMs`. */
  holderTtl(withinMs = 100): number | undefined {
    return this.last !== undefined && Number(nowNs() - this.last.atNs) / 1e6 <= withinMs ? this.last.ttl : undefined;
  }

  waitFor(afterNs: bigint, ok: (r: Reply) => boolean, timeoutMs: number, what: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(entry);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const entry = { afterNs, ok, done: (r: Reply) => (clearTimeout(timer), resolve(r)) };
      this.waiters.push(entry);
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
