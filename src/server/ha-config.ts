// The active-role settings of a node (hooks, fencing mode, VIP, priority, witness, drift), checked
// with the rest of the node config: every problem at once, each saying how to fix it. The timing
// rule (ha/timing.ts) is checked here, so an unsafe combination never starts.
import type { CheckSource } from '../ha/health-check.js';
import { checkHookPath } from '../ha/hook-runner.js';
import { computeHaTiming, type TimingReport } from '../ha/timing.js';
import { FencingMode, OnNoHealthyCandidate } from '../ha/types.js';
import { parseVip, type VipConfig } from '../ha/vip.js';
import { OptionGroup, isChoice, optionDefault, wholeOption, type OptionInputs } from './node-options.js';

/** How the fencing mode was chosen: the issue asks that it always be explicit in status and logs. */
export const FencingSource = {
  /** --fencing given. */
  Flag: 'flag',
  /** --on-fence given without --fencing: a fence hook means mode hook. */
  FenceHook: 'on-fence',
  /** Neither: mode lease, because the timing rule holds for it. */
  Default: 'default',
} as const;
export type FencingSource = (typeof FencingSource)[keyof typeof FencingSource];

/** IPv4 address, prefix length and interface (ha/vip.ts). */
export type VipSettings = VipConfig;

export interface HaSettings {
  readonly onPromote?: string;
  readonly onDemote?: string;
  readonly onFence?: string;
  /** Every hook is killed (process group) after this long. */
  readonly hookTimeoutMs: number;
  readonly fencing: FencingMode;
  readonly fencingSource: FencingSource;
  readonly vip?: VipSettings;
  readonly priority: number;
  readonly failback: boolean;
  /** A voter that never takes the role (witness). */
  readonly noActive: boolean;
  readonly maxClockDrift: number;
  /** Lease, transfer wait and demote budget worked out from the settings. */
  readonly timing: TimingReport;
  readonly promoteBackoffMinMs: number;
  readonly promoteBackoffMaxMs: number;
  /** After a hook's timeout, SIGTERM → SIGKILL grace for its process group (part of the demote budget). */
  readonly killGraceMs: number;
  /** The service health check (issue 15). */
  readonly health: HealthSettings;
}

export interface HealthSettings {
  /** Absent: no check; the node's health is its agent's. */
  readonly check?: CheckSource;
  readonly checkIntervalMs: number;
  readonly checkTimeoutMs: number;
  readonly checkFall: number;
  readonly checkRise: number;
  readonly failoverCooldownMs: number;
  readonly onNoHealthyCandidate: OnNoHealthyCandidate;
}

/** The active-role options of the node config (server/node-options.ts, group ha). */
export type HaSettingsInput = OptionInputs<typeof OptionGroup.Ha>;

export const HA_DEFAULTS = {
  hookTimeoutMs: optionDefault('hookTimeoutMs'),
  maxClockDrift: optionDefault('maxClockDrift'),
  priority: optionDefault('priority'),
  /** Subtracted from the lease and added to waits (design notes "Numbers"). */
  marginMs: 10,
  /** Stopping /primary and scheduling the demotion, when there is no hook nor VIP. */
  localDemoteMs: 10,
  /** `ip addr del` on a VIP: also the timeout of each `ip` command, so it really bounds the removal. */
  vipRemoveMs: 100,
  checkIntervalMs: optionDefault('checkIntervalMs'),
  checkFall: optionDefault('checkFall'),
  checkRise: optionDefault('checkRise'),
  failoverCooldownMs: optionDefault('failoverCooldownMs'),
  onNoHealthyCandidate: optionDefault('onNoHealthyCandidate'),
} as const;

/** What the timing rule needs from the rest of the node config. */
export interface TickSettings {
  readonly tickMs: number;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly electionTimeoutMs: number;
}

export function parseHaSettings(input: HaSettingsInput, ticks: TickSettings | undefined, problems: string[]): HaSettings | undefined {
  const before = problems.length;
  const onPromote = hookPath(input.onPromote, 'onPromote', problems);
  const onDemote = hookPath(input.onDemote, 'onDemote', problems);
  const onFence = hookPath(input.onFence, 'onFence', problems);
  const hookTimeoutMs = wholeOption('hookTimeoutMs', input.hookTimeoutMs, problems);
  const priority = wholeOption('priority', input.priority, problems);
  const failback = flag(input.failback, 'failback', problems);
  const noActive = flag(input.noActive, 'noActive', problems);
  const maxClockDrift = parseDrift(input.maxClockDrift, problems);
  const { fencing, fencingSource } = parseFencing(input, onFence, problems);
  const vip = parseVipSettings(input.vip, input.vipInterface, problems);
  const health = parseHealthSettings(input, problems);

  if (
    problems.length > before ||
    ticks === undefined ||
    hookTimeoutMs === undefined ||
    priority === undefined ||
    fencing === undefined ||
    health === undefined
  ) {
    return undefined;
  }
  // A hook that outlives its timeout gets SIGTERM, then SIGKILL after the grace: both count.
  const killGraceMs = Math.min(1000, Math.max(10, Math.round(hookTimeoutMs / 4)));
  const timing = leaseTiming(
    {
      ticks,
      maxClockDrift,
      fencing,
      fencingSource,
      hookTimeoutMs,
      killGraceMs,
      demoteHook: onDemote !== undefined,
      vip: vip !== undefined,
    },
    problems,
  );
  if (problems.length > before) return undefined;
  const backoff = Math.max(500, 2 * ticks.electionTimeoutMs);
  return {
    ...(onPromote !== undefined ? { onPromote } : {}),
    ...(onDemote !== undefined ? { onDemote } : {}),
    ...(onFence !== undefined ? { onFence } : {}),
    hookTimeoutMs,
    fencing,
    fencingSource,
    ...(vip !== undefined ? { vip } : {}),
    priority,
    failback,
    noActive,
    maxClockDrift,
    timing,
    promoteBackoffMinMs: backoff,
    promoteBackoffMaxMs: 16 * backoff,
    killGraceMs,
    health,
  };
}

function parseDrift(v: HaSettingsInput['maxClockDrift'], problems: string[]): number {
  if (v === undefined || v === '') return HA_DEFAULTS.maxClockDrift;
  const n = typeof v === 'string' ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n >= 0.5) {
    problems.push(`maxClockDrift: ${JSON.stringify(v)} is not a drift bound in [0, 0.5) — e.g. maxClockDrift: 0.01 (1%)`);
    return HA_DEFAULTS.maxClockDrift;
  }
  return n;
}

/** The fencing mode is explicit: --fencing, else a fence hook means hook, else lease. */
function parseFencing(
  input: HaSettingsInput,
  onFence: string | undefined,
  problems: string[],
): { fencing?: FencingMode; fencingSource: FencingSource } {
  let fencing: FencingMode | undefined;
  let fencingSource: FencingSource = FencingSource.Default;
  if (input.fencing !== undefined && input.fencing !== '') {
    if (!isChoice('fencing', input.fencing)) {
      problems.push(`fencing: "${String(input.fencing)}" is not a fencing mode — use hook (with onFence) or lease`);
    } else {
      fencing = input.fencing;
      fencingSource = FencingSource.Flag;
    }
  } else if (onFence !== undefined) {
    fencing = FencingMode.Hook;
    fencingSource = FencingSource.FenceHook;
  } else {
    fencing = FencingMode.Lease;
  }
  if (fencing === FencingMode.Hook && input.onFence === undefined) {
    problems.push(
      'fencing: mode hook needs a fence hook — set onFence to an executable that cuts the previous active off (or use fencing: lease)',
    );
  }
  return { ...(fencing !== undefined ? { fencing } : {}), fencingSource };
}

interface LeaseInputs {
  readonly ticks: TickSettings;
  readonly maxClockDrift: number;
  readonly fencing: FencingMode;
  readonly fencingSource: FencingSource;
  readonly hookTimeoutMs: number;
  readonly killGraceMs: number;
  readonly demoteHook: boolean;
  readonly vip: boolean;
}

/** The lease and its waits (ha/timing.ts); an unsafe combination is a problem. */
function leaseTiming(s: LeaseInputs, problems: string[]): TimingReport {
  // In mode lease the demotion must finish inside the lease (nobody else stops us). In mode hook
  // the next holder fences whoever did not confirm its demotion, so the lease only has to cover
  // the local step (stop serving /primary); a long demote hook would otherwise forbid promotion
  // (the controller needs now < lease end − demote budget to start one).
  const demoteBudgetMs =
    s.fencing === FencingMode.Lease
      ? HA_DEFAULTS.localDemoteMs + (s.demoteHook ? s.hookTimeoutMs + s.killGraceMs : 0) + (s.vip ? HA_DEFAULTS.vipRemoveMs : 0)
      : HA_DEFAULTS.localDemoteMs;
  const timing = computeHaTiming({
    tickMs: s.ticks.tickMs,
    electionTick: s.ticks.electionTick,
    heartbeatTick: s.ticks.heartbeatTick,
    maxClockDrift: s.maxClockDrift,
    marginMs: HA_DEFAULTS.marginMs,
    demoteBudgetMs,
    // Renewal, not safety: a round's acks normally arrive before the next round starts, so one
    // heartbeat interval covers the round trip on a LAN (the lease formula carries the safety).
    rttAllowanceMs: s.ticks.heartbeatTick * s.ticks.tickMs,
    fencing: s.fencing,
  });
  for (const p of timing.problems) {
    const why = s.fencingSource === FencingSource.Default ? ' (fencing mode lease is the default when no onFence is given)' : '';
    problems.push(`fencing, hookTimeoutMs, electionTimeoutMs: unsafe timing${why}: ${p}`);
  }
  return timing;
}

function parseHealthSettings(input: HaSettingsInput, problems: string[]): HealthSettings | undefined {
  const before = problems.length;
  let check: CheckSource | undefined;
  if (typeof input.check === 'function') check = { kind: 'function', fn: input.check };
  else {
    const path = hookPath(input.check, 'check', problems);
    if (path !== undefined) check = { kind: 'command', path };
  }
  const checkIntervalMs = wholeOption('checkIntervalMs', input.checkIntervalMs, problems);
  const checkTimeoutMs = wholeOption('checkTimeoutMs', input.checkTimeoutMs, problems, checkIntervalMs ?? HA_DEFAULTS.checkIntervalMs);
  const checkFall = wholeOption('checkFall', input.checkFall, problems);
  const checkRise = wholeOption('checkRise', input.checkRise, problems);
  const failoverCooldownMs = wholeOption('failoverCooldownMs', input.failoverCooldownMs, problems);
  let onNoHealthyCandidate: OnNoHealthyCandidate = HA_DEFAULTS.onNoHealthyCandidate;
  if (input.onNoHealthyCandidate !== undefined && input.onNoHealthyCandidate !== '') {
    if (!isChoice('onNoHealthyCandidate', input.onNoHealthyCandidate)) {
      problems.push(
        `onNoHealthyCandidate: "${String(input.onNoHealthyCandidate)}" is not keep or demote — keep (the unhealthy active keeps the role, status says degraded) or demote`,
      );
    } else onNoHealthyCandidate = input.onNoHealthyCandidate;
  }
  const tuned = ['checkIntervalMs', 'checkTimeoutMs', 'checkFall', 'checkRise'] as const;
  if (check === undefined && input.check === undefined) {
    const given = tuned.filter((k) => input[k] !== undefined && input[k] !== '');
    if (given.length > 0)
      problems.push(`${given.join(', ')}: set without check — give check (an executable run every checkIntervalMs), or remove them`);
  }
  if (
    problems.length > before ||
    checkIntervalMs === undefined ||
    checkTimeoutMs === undefined ||
    checkFall === undefined ||
    checkRise === undefined ||
    failoverCooldownMs === undefined
  ) {
    return undefined;
  }
  return {
    ...(check !== undefined ? { check } : {}),
    checkIntervalMs,
    checkTimeoutMs,
    checkFall,
    checkRise,
    failoverCooldownMs,
    onNoHealthyCandidate,
  };
}

function hookPath(v: unknown, field: string, problems: string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') {
    problems.push(
      `${field}: must be the path of an executable — e.g. ${field}: /etc/palisade/hooks/${field.startsWith('on') ? field.slice(2).toLowerCase() : field}`,
    );
    return undefined;
  }
  const problem = checkHookPath(v);
  if (problem !== undefined) {
    problems.push(`${field}: ${problem} — give the path of an executable file (hooks run without a shell, so scripts need a #! line)`);
    return undefined;
  }
  return v;
}

function flag(v: unknown, field: string, problems: string[]): boolean {
  if (v === undefined || v === '' || v === false || v === 'false') return false;
  if (v === true || v === 'true') return true;
  problems.push(`${field}: ${JSON.stringify(v)} is not true or false — e.g. ${field}: true`);
  return false;
}

function parseVipSettings(vip: unknown, iface: unknown, problems: string[]): VipSettings | undefined {
  const hasVip = vip !== undefined && vip !== '';
  const hasIface = iface !== undefined && iface !== '';
  if (!hasVip && !hasIface) return undefined;
  if (!hasVip) {
    problems.push('vip: vipInterface is set but vip is not — give both, e.g. vip: 10.0.0.50/24 and vipInterface: eth0');
    return undefined;
  }
  if (typeof vip !== 'string' || (hasIface && typeof iface !== 'string')) {
    problems.push('vip, vipInterface: must be text — e.g. vip: 10.0.0.50/24, vipInterface: eth0');
    return undefined;
  }
  const r = parseVip(vip, hasIface ? iface : '');
  if (!r.ok) {
    problems.push(`vip: ${r.problem}`);
    return undefined;
  }
  return r.vip;
}
