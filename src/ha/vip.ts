// The virtual IP resource (`--vip 10.0.0.50/24 --vip-interface eth0`): IPv4 only (arping
// speaks ARP; IPv6 would need NDP tooling). Every step is a short command run through a
// CommandRunner with argv and a timeout:
//   add      = duplicate-address probe (refuse if the address answers elsewhere) + `ip addr add`;
//              when every previous holder is known to be down (ha/previous-holder.ts): no probe,
//              and no presence check either (`ip addr add` answering "exists" says the same)
//   announce = gratuitous ARP so neighbours' caches follow the address to this node
//   remove   = `ip addr del` (absent counts as removed)
// The probe is the last guard of a deployment without a fence hook (docs/design.md "Single active" 6).
// It needs iputils' arping (ha/arping-flavour.ts refuses any other at start-up).
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
  /**
   * How long the duplicate-address probe listens for an answer. Default 250 ms. iputils arping
   * counts its own deadline in whole seconds, so the probe ends it at this window itself.
   */
  readonly probeWindowMs?: number;
  /** Gratuitous ARP packets per announcement (one per second). Default 2. */
  readonly announceCount?: number;
}

export interface VipResource {
  readonly config: VipConfig;
  /** `ADDRESS/PREFIX` as `ip` takes it. */
  readonly cidr: string;
  /**
   * Probe, then add. Already present on the interface counts as added (no probe: the address
   * answering would be ourselves). `skipProbe`: every previous holder is known to be down; then
   * `ip addr add` runs at once. Does not announce: call `announce()` next.
   */
  add(signal?: AbortSignal, how?: { readonly skipProbe?: boolean }): Promise<VipOutcome>;
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
  const first = octets[0];
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
  return ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3];
}

// `ip` wording differs between versions: iproute2 6.x vs older RTNETLINK messages.
const ALREADY_PRESENT = /File exists|already assigned/i;
const NOT_PRESENT = /Cannot assign requested address|Address not found|not found/i;

/** The default listening window of the duplicate-address probe (VipOptions.probeWindowMs). */
export const DEFAULT_PROBE_WINDOW_MS = 250;

/** What every step needs: the address, the runner and the settings. */
interface VipContext {
  readonly config: VipConfig;
  readonly cidr: string;
  readonly fields: { readonly vip: string; readonly interface: string };
  readonly log: HaLogger | undefined;
  readonly commandTimeoutMs: number;
  readonly probeWindowMs: number;
  readonly announceCount: number;
  run(argv: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<CommandResult>;
}

export function createVip(config: VipConfig, options: VipOptions = {}): VipResource {
  const ctx = vipContext(config, options);
  return {
    config,
    cidr: ctx.cidr,
    add: (signal, how) => addAddress(ctx, signal, how?.skipProbe === true),
    announce: (signal) => announceAddress(ctx, signal),
    remove: (signal) => removeAddress(ctx, signal),
    isPresent: (signal) => isPresentOn(ctx, signal),
  };
}

function vipContext(config: VipConfig, options: VipOptions): VipContext {
  const runner = options.runner ?? execFileRunner();
  const probeWindowMs = options.probeWindowMs ?? DEFAULT_PROBE_WINDOW_MS;
  if (!(probeWindowMs > 0)) throw new RangeError(`probeWindowMs must be positive, got ${probeWindowMs}`);
  const cidr = `${config.address}/${config.prefixLength}`;
  return {
    config,
    cidr,
    fields: { vip: cidr, interface: config.interface },
    log: options.logger,
    commandTimeoutMs: options.commandTimeoutMs ?? 3000,
    probeWindowMs,
    announceCount: options.announceCount ?? 2,
    run: (argv, timeoutMs, signal) => runner.run(argv, signal ? { timeoutMs, signal } : { timeoutMs }),
  };
}

async function addAddress(ctx: VipContext, signal: AbortSignal | undefined, skipProbe: boolean): Promise<VipOutcome> {
  const aborted: VipOutcome = { ok: false, detail: `adding ${ctx.cidr} aborted` };
  if (skipProbe) {
    // Without a probe the presence check would only save an `ip addr add` that reports the
    // address as present anyway; every command started here forks the whole agent, which stalls
    // its event loop (lease renewals included) just when a new leader promotes.
    if (signal?.aborted === true) return aborted;
    ctx.log?.info(ctx.fields, 'every previous holder is known to be down: adding the VIP without the duplicate-address probe');
  } else {
    const present = await isPresentOn(ctx, signal);
    if (signal?.aborted === true) return aborted;
    if (present === true) {
      ctx.log?.info(ctx.fields, 'VIP already present');
      return { ok: true, detail: 'already present' };
    }
    const p = await probe(ctx, signal);
    if (!p.ok) {
      ctx.log?.error(ctx.fields, p.detail);
      return p;
    }
  }
  const argv = ['ip', 'addr', 'add', ctx.cidr, 'dev', ctx.config.interface];
  const r = await ctx.run(argv, ctx.commandTimeoutMs, signal);
  if (r.exitCode !== null && r.exitCode !== 0 && ALREADY_PRESENT.test(r.stderr)) {
    ctx.log?.info(ctx.fields, 'VIP already present');
    return { ok: true, detail: 'already present' };
  }
  if (r.exitCode === 0) {
    ctx.log?.info(ctx.fields, 'VIP added');
    return { ok: true, detail: '' };
  }
  const detail = `adding ${ctx.cidr} failed: ${describeCommandResult(argv, r)}`;
  ctx.log?.error(ctx.fields, detail);
  return { ok: false, detail };
}

/**
 * Duplicate-address probe: one ARP probe from 0.0.0.0 (`arping -D`), which exits 1 at the first
 * answer. A holder's kernel answers ARP at once (even while its agent is paused), so the wait
 * only has to cover starting arping: when the window ends with arping still listening, nobody
 * answered and we stop it. Its own `-w` is set past the window so that it never decides first.
 */
async function probe(ctx: VipContext, signal: AbortSignal | undefined): Promise<VipOutcome> {
  const deadlineS = Math.ceil(ctx.probeWindowMs / 1000) + 1;
  const argv = ['arping', '-D', '-c', '1', '-w', String(deadlineS), '-I', ctx.config.interface, ctx.config.address];
  const r = await ctx.run(argv, ctx.probeWindowMs, signal);
  if (r.aborted) return { ok: false, detail: `duplicate-address probe of ${ctx.cidr} aborted` };
  if (r.timedOut || (r.exitCode === 0 && r.error === undefined)) return { ok: true, detail: '' };
  if (r.exitCode === 1 && r.error === undefined) {
    return {
      ok: false,
      detail: `refusing to add ${ctx.cidr}: the address already answers ARP on ${ctx.config.interface} (another host holds it; fence it or remove the address there)`,
    };
  }
  return { ok: false, detail: `refusing to add ${ctx.cidr}: duplicate-address probe failed: ${describeCommandResult(argv, r)}` };
}

async function announceAddress(ctx: VipContext, signal: AbortSignal | undefined): Promise<VipOutcome> {
  const argv = ['arping', '-U', '-c', String(ctx.announceCount), '-I', ctx.config.interface, ctx.config.address];
  const r = await ctx.run(argv, (ctx.announceCount + 2) * 1000, signal);
  // Unsolicited ARP gets no replies; iputils arping then exits 1 (with -w) or 0: both sent.
  if ((r.exitCode === 0 || r.exitCode === 1) && r.error === undefined) {
    ctx.log?.info(ctx.fields, 'VIP announced (gratuitous ARP)');
    return { ok: true, detail: '' };
  }
  const detail = `announcing ${ctx.cidr} failed: ${describeCommandResult(argv, r)}`;
  if (!r.aborted) ctx.log?.warn(ctx.fields, detail);
  return { ok: false, detail };
}

async function removeAddress(ctx: VipContext, signal: AbortSignal | undefined): Promise<VipOutcome> {
  const argv = ['ip', 'addr', 'del', ctx.cidr, 'dev', ctx.config.interface];
  const r = await ctx.run(argv, ctx.commandTimeoutMs, signal);
  if (r.exitCode === 0) {
    ctx.log?.info(ctx.fields, 'VIP removed');
    return { ok: true, detail: '' };
  }
  if (r.exitCode !== null && NOT_PRESENT.test(r.stderr)) return { ok: true, detail: 'not present' };
  const detail = `removing ${ctx.cidr} failed: ${describeCommandResult(argv, r)}`;
  ctx.log?.error(ctx.fields, detail);
  return { ok: false, detail };
}

/** Undefined when `ip` itself failed (unknown interface, no `ip`). */
async function isPresentOn(ctx: VipContext, signal: AbortSignal | undefined): Promise<boolean | undefined> {
  const argv = ['ip', '-o', '-4', 'addr', 'show', 'dev', ctx.config.interface];
  const r = await ctx.run(argv, ctx.commandTimeoutMs, signal);
  if (r.exitCode !== 0) {
    ctx.log?.warn({ ...ctx.fields, problem: describeCommandResult(argv, r) }, 'VIP presence check failed');
    return undefined;
  }
  // Lines look like: `2: eth0    inet 10.0.0.50/24 scope global secondary eth0 ...`
  return r.stdout
    .split('\n')
    .some((line) => line.split(/\s+/).some((tok, i, all) => all[i - 1] === 'inet' && tok.split('/')[0] === ctx.config.address));
}
