// The virtual IP resource (`--vip 10.0.0.50/24 --vip-interface eth0`): IPv4 only (arping
// speaks ARP; IPv6 would need NDP tooling). Every step is a short command run through a
// CommandRunner with argv and a timeout:
//   add      = duplicate-address probe (refuse if the address answers elsewhere) + `ip addr add`
//   announce = gratuitous ARP so neighbours' caches follow the address to this node
//   remove   = `ip addr del` (absent counts as removed)
// The probe is the last guard of a deployment without a fence hook (docs/design.md "Single active" 6).
import { describeCommandResult, execFileRunner, type CommandResult, type CommandRunner } from './command-runner.js';
import type { HaLogger } from './hook-runner.js';

export interface VipConfig {
  /** Dotted IPv4 address, e.g. 10.0.0.50. */
  readonly address: string;
  readonly prefixLength: number;
  readonly interface: string;
}

export type VipParse = { readonly ok: true; readonly vip: VipConfig } | { readonly ok: false; readonly problem: string };

export interface VipOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

export interface VipOptions {
  readonly runner?: CommandRunner;
  readonly logger?: HaLogger;
  /** Timeout of each `ip` command. Default 3000 ms. */
  readonly commandTimeoutMs?: number;
  /** Duplicate-address probe: `arping -D -c COUNT -w WAIT`. Defaults 2 and 2 s (arping takes whole seconds). */
  readonly probeCount?: number;
  readonly probeWaitS?: number;
  /** Gratuitous ARP packets per announcement (one per second). Default 2. */
  readonly announceCount?: number;
}

export interface VipResource {
  readonly config: VipConfig;
  /** `ADDRESS/PREFIX` as `ip` takes it. */
  readonly cidr: string;
  /**
   * Probe, then add. Already present on the interface counts as added (no probe: the address
   * answering would be ourselves). Does not announce: call `announce()` next.
   */
  add(signal?: AbortSignal): Promise<VipOutcome>;
  /** Gratuitous ARP (`arping -U`). Only meaningful while the address is present. */
  announce(signal?: AbortSignal): Promise<VipOutcome>;
  remove(signal?: AbortSignal): Promise<VipOutcome>;
  /** Undefined when `ip` itself failed (unknown interface, no `ip`). */
  isPresent(signal?: AbortSignal): Promise<boolean | undefined>;
}

const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** Validate `--vip` and `--vip-interface`. Every problem says how to write it right. */
export function parseVip(cidr: string, iface: string): VipParse {
  const fail = (problem: string): VipParse => ({ ok: false, problem });
  const spec = cidr.trim();
  const slash = spec.indexOf('/');
  if (slash === -1) return fail(`--vip ${spec}: write ADDRESS/PREFIX, e.g. 10.0.0.50/24 (the prefix of the interface's subnet)`);
  const addr = spec.slice(0, slash);
  const prefixText = spec.slice(slash + 1);
  if (addr.includes(':')) return fail(`--vip ${spec}: only IPv4 virtual IPs are supported (gratuitous ARP is IPv4)`);
  const octets = parseIpv4(addr);
  if (octets === undefined) return fail(`--vip ${spec}: ${addr} is not a dotted IPv4 address like 10.0.0.50`);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) < 1 || Number(prefixText) > 32) {
    return fail(`--vip ${spec}: prefix must be a number from 1 to 32`);
  }
  const prefix = Number(prefixText);
  const n = toUint32(octets);
  const first = octets[0]!;
  if (first === 0 || first === 127 || first >= 224) {
    return fail(`--vip ${spec}: ${addr} is not a unicast address usable on a LAN (0/8, 127/8, multicast and reserved are refused)`);
  }
  if (prefix <= 30) {
    const hostMask = prefix === 32 ? 0 : 2 ** (32 - prefix) - 1;
    const host = n % (hostMask + 1);
    if (host === 0) return fail(`--vip ${spec}: ${addr} is the network address of /${prefix}; pick a host address`);
    if (host === hostMask) return fail(`--vip ${spec}: ${addr} is the broadcast address of /${prefix}; pick a host address`);
  }
  const name = iface.trim();
  if (name === '') return fail('--vip needs --vip-interface (the interface to add the address to, e.g. eth0)');
  if (!IFNAME.test(name)) return fail(`--vip-interface ${iface}: not a valid interface name (1-15 characters, no spaces or slashes)`);
  return { ok: true, vip: { address: octets.join('.'), prefixLength: prefix, interface: name } };
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

function toUint32(o: readonly number[]): number {
  return ((o[0]! * 256 + o[1]!) * 256 + o[2]!) * 256 + o[3]!;
}

// `ip` wording differs between versions: iproute2 6.x vs older RTNETLINK messages.
const ALREADY_PRESENT = /File exists|already assigned/i;
const NOT_PRESENT = /Cannot assign requested address|Address not found|not found/i;

export function createVip(config: VipConfig, options: VipOptions = {}): VipResource {
  const runner = options.runner ?? execFileRunner();
  const log = options.logger;
  const cmdTimeout = options.commandTimeoutMs ?? 3000;
  // One probe, one second: iputils arping waits in whole seconds and always waits the full time
  // when nobody answers, so this is the floor of a promotion's VIP step (a second probe doubled
  // the failover time measured in docs/benchmarks.md). On a LAN a holder answers well within it.
  const probeCount = options.probeCount ?? 1;
  const probeWaitS = options.probeWaitS ?? 1;
  const announceCount = options.announceCount ?? 2;
  const cidr = `${config.address}/${config.prefixLength}`;
  const fields = { vip: cidr, interface: config.interface };

  const run = (argv: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<CommandResult> =>
    runner.run(argv, signal ? { timeoutMs, signal } : { timeoutMs });

  const isPresent = async (signal?: AbortSignal): Promise<boolean | undefined> => {
    const argv = ['ip', '-o', '-4', 'addr', 'show', 'dev', config.interface];
    const r = await run(argv, cmdTimeout, signal);
    if (r.exitCode !== 0) {
      log?.warn({ ...fields, problem: describeCommandResult(argv, r) }, 'VIP presence check failed');
      return undefined;
    }
    // Lines look like: `2: eth0    inet 10.0.0.50/24 scope global secondary eth0 ...`
    return r.stdout.split('\n').some((line) => line.split(/\s+/).some((tok, i, all) => all[i - 1] === 'inet' && tok.split('/')[0] === config.address));
  };

  /** arping -D exits 0 when nobody answered, 1 when someone did. */
  const probe = async (signal?: AbortSignal): Promise<VipOutcome> => {
    const argv = ['arping', '-D', '-c', String(probeCount), '-w', String(probeWaitS), '-I', config.interface, config.address];
    const r = await run(argv, (probeWaitS + 2) * 1000, signal);
    if (r.exitCode === 0) return { ok: true, detail: '' };
    if (r.exitCode === 1 && r.error === undefined) {
      return { ok: false, detail: `refusing to add ${cidr}: the address already answers ARP on ${config.interface} (another host holds it; fence it or remove the address there)` };
    }
    return { ok: false, detail: `refusing to add ${cidr}: duplicate-address probe failed: ${describeCommandResult(argv, r)}` };
  };

  return {
    config,
    cidr,
    async add(signal) {
      const present = await isPresent(signal);
      if (present === true) {
        log?.info(fields, 'VIP already present');
        return { ok: true, detail: 'already present' };
      }
      const p = await probe(signal);
      if (!p.ok) {
        log?.error(fields, p.detail);
        return p;
      }
      const argv = ['ip', 'addr', 'add', cidr, 'dev', config.interface];
      const r = await run(argv, cmdTimeout, signal);
      if (r.exitCode === 0 || (r.exitCode !== null && ALREADY_PRESENT.test(r.stderr))) {
        log?.info(fields, 'VIP added');
        return { ok: true, detail: '' };
      }
      const detail = `adding ${cidr} failed: ${describeCommandResult(argv, r)}`;
      log?.error(fields, detail);
      return { ok: false, detail };
    },
    async announce(signal) {
      const argv = ['arping', '-U', '-c', String(announceCount), '-I', config.interface, config.address];
      const r = await run(argv, (announceCount + 2) * 1000, signal);
      // Unsolicited ARP gets no replies; iputils arping then exits 1 (with -w) or 0: both sent.
      if ((r.exitCode === 0 || r.exitCode === 1) && r.error === undefined) {
        log?.info(fields, 'VIP announced (gratuitous ARP)');
        return { ok: true, detail: '' };
      }
      const detail = `announcing ${cidr} failed: ${describeCommandResult(argv, r)}`;
      if (!r.aborted) log?.warn(fields, detail);
      return { ok: false, detail };
    },
    async remove(signal) {
      const argv = ['ip', 'addr', 'del', cidr, 'dev', config.interface];
      const r = await run(argv, cmdTimeout, signal);
      if (r.exitCode === 0) {
        log?.info(fields, 'VIP removed');
        return { ok: true, detail: '' };
      }
      if (r.exitCode !== null && NOT_PRESENT.test(r.stderr)) return { ok: true, detail: 'not present' };
      const detail = `removing ${cidr} failed: ${describeCommandResult(argv, r)}`;
      log?.error(fields, detail);
      return { ok: false, detail };
    },
    isPresent,
  };
}
