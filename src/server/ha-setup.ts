// What the HA layer builds from the node's configuration: the role controller's settings, the
// resource executor (hooks and VIP), the health check runner, and the start-up log line that
// says how the active role is configured and why.
import { HealthCheckRunner } from '../ha/health-check.js';
import type { HookContext } from '../ha/hook-runner.js';
import { ResourceExecutor, type ActionResult } from '../ha/resource-executor.js';
import type { HaConfig } from '../ha/types.js';
import type { Health } from '../statemachine/ha-record.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import { HA_DEFAULTS } from './ha-config.js';
import type { Logger } from './logger.js';

export function controllerConfig(config: NodeConfig): HaConfig {
  const ha = config.ha;
  return {
    nodeId: config.id,
    fencing: ha.fencing,
    leaseMs: ha.timing.leaseMs,
    outliveMs: ha.timing.outliveMs,
    demoteBudgetMs: ha.timing.demoteBudgetMs,
    noActive: ha.noActive,
    priority: ha.priority,
    failback: ha.failback,
    promoteBackoffMinMs: ha.promoteBackoffMinMs,
    promoteBackoffMaxMs: ha.promoteBackoffMaxMs,
    health: {
      checked: ha.health.check !== undefined,
      failoverCooldownMs: ha.health.failoverCooldownMs,
      onNoHealthyCandidate: ha.health.onNoHealthyCandidate,
    },
  };
}

/** The hooks and VIP of the node, run one sequence at a time; `onDone` hears each sequence's end. */
export function resourceExecutor(
  config: NodeConfig,
  clock: Clock,
  log: Logger,
  onDone: (r: ActionResult) => void,
  renewLease?: (signal: AbortSignal) => Promise<void>,
): ResourceExecutor {
  const ha = config.ha;
  return new ResourceExecutor({
    nodeId: config.id,
    cluster: config.cluster,
    hooks: {
      ...(ha.onPromote !== undefined ? { promote: ha.onPromote } : {}),
      ...(ha.onDemote !== undefined ? { demote: ha.onDemote } : {}),
      ...(ha.onFence !== undefined ? { fence: ha.onFence } : {}),
    },
    hookTimeoutMs: ha.hookTimeoutMs,
    killGraceMs: ha.killGraceMs,
    ...(ha.vip !== undefined ? { vip: ha.vip, vipOptions: { commandTimeoutMs: HA_DEFAULTS.vipRemoveMs } } : {}),
    logger: log,
    now: () => clock.monotonicMs(),
    onDone,
    ...(renewLease !== undefined ? { renewLease } : {}),
  });
}

export interface CheckCallbacks {
  /** The hook variables a check runs with. */
  context(): HookContext;
  /** The verdict changed. */
  onVerdict(health: Health, detail: string): void;
}

/** The node's service check, or undefined when it runs none. */
export function healthCheckRunner(config: NodeConfig, clock: Clock, log: Logger, callbacks: CheckCallbacks): HealthCheckRunner | undefined {
  const health = config.ha.health;
  if (health.check === undefined) return undefined;
  return new HealthCheckRunner({
    source: health.check,
    intervalMs: health.checkIntervalMs,
    timeoutMs: health.checkTimeoutMs,
    fall: health.checkFall,
    rise: health.checkRise,
    killGraceMs: config.ha.killGraceMs,
    context: () => callbacks.context(),
    logger: log,
    now: () => clock.monotonicMs(),
    onVerdict: (h, detail) => callbacks.onVerdict(h, detail),
  });
}

/** One line at start-up: the fencing mode and why, the hooks, the VIP, the timing, the check. */
export function logHaSettings(config: NodeConfig, log: Logger): void {
  const ha = config.ha;
  const check = ha.health.check;
  log.info(
    {
      fencing: ha.fencing,
      fencingChosenBy: ha.fencingSource,
      noActive: ha.noActive,
      priority: ha.priority,
      failback: ha.failback,
      hooks: { promote: ha.onPromote ?? null, demote: ha.onDemote ?? null, fence: ha.onFence ?? null },
      vip: ha.vip ? `${ha.vip.address}/${ha.vip.prefixLength} on ${ha.vip.interface}` : null,
      timing: ha.timing.explanation,
      check:
        check === undefined ? null : { check: check.kind === 'command' ? check.path : '(embedded function)', ...withoutCheck(ha.health) },
    },
    `active role: fencing mode ${ha.fencing} (${fencingWhy(ha.fencingSource)})`,
  );
}

function withoutCheck<T extends { check?: unknown }>(h: T): Omit<T, 'check'> {
  const { check: _check, ...rest } = h;
  return rest;
}

function fencingWhy(source: string): string {
  switch (source) {
    case 'flag':
      return 'set with --fencing';
    case 'on-fence':
      return 'a fence hook is configured';
    default:
      return 'the default without a fence hook; a paused or killed agent keeps its VIP until its lease ends — use --fencing hook to cover that';
  }
}
