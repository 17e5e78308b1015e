// Runs a node's health check (issue 15) every interval and turns the results into a verdict
// with fall/rise hysteresis (health.ts). A check is an executable, spawned with the hooks'
// rules (hook-runner.ts: no shell, its own process group, killed with the group at its timeout,
// PALISADE_* environment plus PALISADE_EVENT=check and PALISADE_ROLE), or, for an embedding
// program, an async function. A check that times out counts as a failure. One check runs at a
// time: the next starts one interval after the previous one started, or when it ended if it
// took longer.
import { performance } from 'node:perf_hooks';
import { Health } from '../statemachine/ha-record.js';
import { HealthTracker } from './health.js';
import { detailText } from '../statemachine/ha-state.js';
import { runHook, type HaLogger, type HookContext, type HookResult } from './hook-runner.js';

/** What an embedding program gives as `check`: healthy or not, and optionally why. */
export type CheckFunction = () => Promise<boolean | { readonly healthy: boolean; readonly detail?: string }>;

export type CheckSource = { readonly kind: 'command'; readonly path: string } | { readonly kind: 'function'; readonly fn: CheckFunction };

export interface CheckLogger extends HaLogger {
  debug(obj: object, msg?: string): void;
}

export interface HealthCheckOptions {
  readonly source: CheckSource;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly fall: number;
  readonly rise: number;
  /** After a command's timeout, SIGTERM → SIGKILL grace for its process group. */
  readonly killGraceMs: number;
  /** The hook variables for the next run (PALISADE_ROLE follows the node's role). */
  context(): HookContext;
  readonly logger: CheckLogger;
  /** The verdict changed (never called for the initial `unknown`). */
  onVerdict(health: Health, detail: string): void;
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

/** One check's outcome. */
export interface CheckResult {
  readonly ok: boolean;
  /** Why it failed, or what it said (last output line); '' when nothing. */
  readonly detail: string;
}

const DETAIL_MAX = 200;

export class HealthCheckRunner {
  private readonly tracker: HealthTracker;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** An embedded check still pending past its timeout (it cannot be killed: we do not start another). */
  private hungFunction: Promise<unknown> | undefined;
  private lastDetail = '';
  private runs = 0;

  constructor(private readonly opts: HealthCheckOptions) {
    this.tracker = new HealthTracker({ fall: opts.fall, rise: opts.rise });
    this.now = opts.now ?? (() => performance.now());
  }

  get health(): Health {
    return this.tracker.health;
  }

  /** The detail of the latest result. */
  get detail(): string {
    return this.lastDetail;
  }

  /** Checks run so far (tests). */
  get count(): number {
    return this.runs;
  }

  /** Runs the first check now, then one per interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** No new check starts; a running command is killed (its group) and awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.killCurrent?.();
    await this.running;
  }

  private killCurrent: (() => void) | undefined;

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const started = this.now();
      // A failure of the runner itself (not of the check) must neither end the checks nor the
      // process: log it and go on at the next interval.
      this.running = this.runOnce()
        .catch((err: unknown) =>
          this.opts.logger.error(
            { err: err instanceof Error ? err.message : String(err) },
            'health check runner failed; next check at the next interval',
          ),
        )
        .then(() => {
          this.running = undefined;
          this.schedule(Math.max(0, this.opts.intervalMs - (this.now() - started)));
        });
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    const r =
      this.opts.source.kind === 'command' ? await this.runCommand(this.opts.source.path) : await this.runFunction(this.opts.source.fn);
    if (this.stopped) return;
    this.runs++;
    this.lastDetail = r.detail;
    const log = this.opts.logger;
    const fields = { check: this.describeSource(), detail: r.detail };
    if (!r.ok) {
      // The failures that lead to a verdict are worth a warning; a check that keeps failing is not, each time.
      const streak = this.tracker.failureStreak + 1;
      if (this.tracker.health !== Health.Unhealthy && streak <= this.opts.fall)
        log.warn({ ...fields, streak, fall: this.opts.fall }, 'health check failed');
      else log.debug(fields, 'health check failed');
    } else {
      log.debug(fields, 'health check passed');
    }
    const verdict = this.tracker.record(r.ok);
    if (verdict === undefined) return;
    const msg = `service health: ${verdict}`;
    if (verdict === Health.Healthy) log.info(fields, msg);
    else log.warn(fields, msg);
    this.opts.onVerdict(verdict, r.detail);
  }

  private async runCommand(path: string): Promise<CheckResult> {
    const handle = runHook({
      path,
      context: this.opts.context(),
      timeoutMs: this.opts.timeoutMs,
      killGraceMs: this.opts.killGraceMs,
      logger: quiet(this.opts.logger),
      now: this.now,
      ...(this.opts.baseEnv !== undefined ? { baseEnv: this.opts.baseEnv } : {}),
    });
    this.killCurrent = () => handle.kill();
    const result = await handle.result;
    this.killCurrent = undefined;
    return { ok: result.ok, detail: commandDetail(result) };
  }

  private async runFunction(fn: CheckFunction): Promise<CheckResult> {
    if (this.hungFunction !== undefined) return { ok: false, detail: `still running after its timeout of ${this.opts.timeoutMs} ms` };
    let timer: NodeJS.Timeout | undefined;
    const call = Promise.resolve().then(fn);
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs);
    });
    try {
      const v = await Promise.race([call, timedOut]);
      if (v === 'timeout') {
        const pending = call
          .catch(() => undefined)
          .finally(() => {
            if (this.hungFunction === pending) this.hungFunction = undefined;
          });
        this.hungFunction = pending;
        return { ok: false, detail: `timed out after ${this.opts.timeoutMs} ms` };
      }
      if (typeof v === 'boolean') return { ok: v, detail: '' };
      if (typeof v === 'object' && v !== null && typeof v.healthy === 'boolean')
        return { ok: v.healthy, detail: cut(typeof v.detail === 'string' ? v.detail : '') };
      return { ok: false, detail: `check returned ${describe(v)}, not a boolean nor {healthy, detail}` };
    } catch (err) {
      return { ok: false, detail: cut(`check threw: ${err instanceof Error ? err.message : String(err)}`) };
    } finally {
      clearTimeout(timer);
    }
  }

  private describeSource(): string {
    return this.opts.source.kind === 'command' ? this.opts.source.path : '(embedded function)';
  }
}

/** The hook runner's own lines (started, finished, output) are routine for a check: debug. */
function quiet(log: CheckLogger): HaLogger {
  return { info: (o, m) => log.debug(o, m), warn: (o, m) => log.debug(o, m), error: (o, m) => log.error(o, m) };
}

function commandDetail(r: HookResult): string {
  const last = r.outputTail.length > 0 ? r.outputTail[r.outputTail.length - 1].replace(/^(stdout|stderr): /, '') : '';
  if (r.ok) return cut(last);
  return cut(last !== '' && !r.timedOut ? `${r.detail}: ${last}` : r.detail);
}

function cut(s: string): string {
  return detailText(s, DETAIL_MAX);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? 'an object without a boolean `healthy`' : `${typeof v} ${String(v)}`;
}
