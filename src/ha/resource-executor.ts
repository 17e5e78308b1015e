// Executes the role controller's `run` actions on this node, one sequence at a time
// (docs/design.md "Single active" 3-5; model: patroni's callback executor):
//   promote = promote hook → VIP add (after the duplicate-address probe, unless every previous
//             holder is known to be down) → gratuitous ARP → serving
//   demote  = not serving → VIP removed → demote hook
//   fence   = fence hook with PALISADE_TARGET = the node to fence
// Latest decision wins: a demote kills a running promote (hook process group, VIP commands)
// and runs next; a queued action replaced by a newer one is dropped and reported superseded.
// A running demote or fence is never killed: a half-done demotion is exactly what the
// protocol must not leave behind. Every accepted action ends in exactly one `onDone`.
import { performance } from 'node:perf_hooks';
import type { CommandRunner } from './command-runner.js';
import { runHook, type HaLogger, type HookHandle, type HookResult } from './hook-runner.js';
import type { ControllerAction, HookKind } from './types.js';
import { createVip, type VipConfig, type VipOptions, type VipResource } from './vip.js';

export type RunAction = Extract<ControllerAction, { type: 'run' }>;

export interface ActionResult {
  readonly kind: HookKind;
  readonly epoch: number;
  readonly ok: boolean;
  /** Why it failed (or a note such as 'already active'); '' on a plain success. */
  readonly detail: string;
  /** From the start of the sequence (0 for an action dropped before it started). */
  readonly durationMs: number;
}

export interface ResourceExecutorOptions {
  readonly nodeId: string;
  readonly cluster: string;
  readonly hooks: { readonly promote?: string; readonly demote?: string; readonly fence?: string };
  readonly hookTimeoutMs: number;
  readonly vip?: VipConfig;
  readonly logger: HaLogger;
  /** Called once per accepted action, never synchronously from `run()`. */
  onDone(r: ActionResult): void;
  readonly runner?: CommandRunner;
  /** SIGTERM → SIGKILL grace for hooks. Default 1000 ms. */
  readonly killGraceMs?: number;
  /** Probe and announce tuning (see VipOptions). */
  readonly vipOptions?: Omit<VipOptions, 'runner' | 'logger'>;
  /** Base environment of hooks. Default process.env. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** The node's monotonic clock, the one `notAfter` is on. Default performance.now. */
  readonly now?: () => number;
  /**
   * Awaited before each process a promote sequence starts (hook, VIP add, announcement; never
   * in a demote or fence): resolves once the node's lease was renewed after the call, or when
   * it gives up (leadership lost, the signal aborted, a bound); never rejects. Starting a
   * process blocks the event loop until the child has exec'd, and under CPU load that can eat
   * most of a short lease, with no heartbeat sent or answered meanwhile: a process started on
   * a just-renewed lease has the whole usable lease to absorb it. Default: no wait.
   */
  readonly renewLease?: (signal: AbortSignal) => Promise<void>;
}

interface Job {
  readonly action: RunAction;
  readonly abort: AbortController;
  hook: HookHandle | undefined;
  preemptedBy: string | undefined;
}

interface Announcement {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

export class ResourceExecutor {
  private readonly log: HaLogger;
  private readonly now: () => number;
  private readonly vip: VipResource | undefined;
  private current: Job | undefined;
  private currentDone: Promise<void> = Promise.resolve();
  private pending: RunAction | undefined;
  private announcing: Announcement | undefined;
  private isServing = false;
  /** Epoch of the promotion being served; 0 when none. */
  private servingEpoch = 0;
  /** Highest epoch a promote sequence was started for: never two promotes for one epoch. */
  private highestPromoted = 0;
  private stopped = false;

  constructor(private readonly opts: ResourceExecutorOptions) {
    this.log = opts.logger;
    this.now = opts.now ?? (() => performance.now());
    this.vip = opts.vip
      ? createVip(opts.vip, { ...opts.vipOptions, logger: opts.logger, ...(opts.runner ? { runner: opts.runner } : {}) })
      : undefined;
  }

  /** True only after a promote sequence succeeded, false from the start of any demote. */
  get serving(): boolean {
    return this.isServing;
  }

  get busy(): boolean {
    return this.current !== undefined || this.pending !== undefined;
  }

  run(action: RunAction): void {
    if (this.stopped) {
      this.log.warn({ kind: action.kind, epoch: action.epoch }, 'resource executor stopped: action ignored');
      return;
    }
    const fields = { kind: action.kind, epoch: action.epoch, reason: action.reason };
    if (action.kind === 'promote') {
      const same = (a: RunAction | undefined): boolean => a?.kind === 'promote' && a.epoch === action.epoch;
      if (same(this.current?.action) || same(this.pending)) {
        this.log.warn(fields, 'promote for this epoch already running or queued: ignored');
        return;
      }
      if (this.isServing && this.servingEpoch === action.epoch && !this.current && !this.pending) {
        this.report(action, true, 'already active', 0);
        return;
      }
      if (action.epoch <= this.highestPromoted) {
        this.report(action, false, `epoch ${action.epoch} was already promoted once on this node (highest ${this.highestPromoted})`, 0);
        return;
      }
    }
    if (action.kind === 'demote') {
      // /primary turns 503 at the decision, not when the demote sequence gets to run.
      this.isServing = false;
      const cur = this.current;
      if (cur && cur.action.kind === 'promote' && cur.preemptedBy === undefined) {
        this.log.warn({ ...fields, preempting: cur.action.epoch }, 'demote preempts the running promote');
        cur.preemptedBy = `preempted by demote (${action.reason})`;
        cur.abort.abort();
        cur.hook?.kill();
      }
    }
    if (this.pending) {
      const old = this.pending;
      this.log.info({ kind: old.kind, epoch: old.epoch, by: action.kind }, 'queued action superseded');
      this.report(old, false, `superseded by ${action.kind} (epoch ${action.epoch})`, 0);
    }
    this.pending = action;
    this.pump();
  }

  /** Re-announce the VIP (after an ambiguous period), when serving and nothing runs. */
  announce(): void {
    if (this.isServing && !this.busy && !this.stopped) this.startAnnounce();
  }

  /**
   * Drop the queued action, kill a running promote, let a running demote or fence finish
   * (each bounded by its timeouts), stop announcing. Later `run` calls are ignored.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending) {
      const old = this.pending;
      this.pending = undefined;
      this.report(old, false, 'executor stopped', 0);
    }
    const cur = this.current;
    if (cur && cur.action.kind === 'promote' && cur.preemptedBy === undefined) {
      cur.preemptedBy = 'executor stopped';
      cur.abort.abort();
      cur.hook?.kill();
    }
    await this.currentDone;
    await this.stopAnnounce();
  }

  private pump(): void {
    if (this.current || !this.pending) return;
    const action = this.pending;
    this.pending = undefined;
    const job: Job = { action, abort: new AbortController(), hook: undefined, preemptedBy: undefined };
    this.current = job;
    this.currentDone = this.execute(job).then(
      () => {},
      (err: unknown) => this.log.error({ kind: action.kind, epoch: action.epoch, err: String(err) }, 'resource executor: unexpected error'),
    );
  }

  private async execute(job: Job): Promise<void> {
    const started = this.now();
    const a = job.action;
    this.log.info({ kind: a.kind, epoch: a.epoch, target: a.target, reason: a.reason }, `${a.kind} sequence started`);
    let outcome: { ok: boolean; detail: string };
    try {
      switch (a.kind) {
        case 'promote':
          outcome = await this.promote(job, started);
          break;
        case 'demote':
          outcome = await this.demote(a);
          break;
        case 'fence':
          outcome = await this.fence(a);
          break;
        default: {
          const never: never = a.kind;
          outcome = { ok: false, detail: `unknown action kind ${String(never)}` };
        }
      }
    } catch (err) {
      outcome = { ok: false, detail: `unexpected error: ${String(err)}` };
    }
    this.current = undefined;
    const durationMs = this.now() - started;
    const fields = { kind: a.kind, epoch: a.epoch, ok: outcome.ok, durationMs: Math.round(durationMs) };
    if (outcome.ok) this.log.info(fields, `${a.kind} sequence finished`);
    else this.log.warn({ ...fields, detail: outcome.detail }, `${a.kind} sequence failed`);
    this.report(a, outcome.ok, outcome.detail, durationMs);
    this.pump();
  }

  private async promote(job: Job, started: number): Promise<{ ok: boolean; detail: string }> {
    const a = job.action;
    // The process may have been paused between the decision and now: starting late could
    // outlive the lease (types.ts `notAfter`).
    if (started >= a.notAfter)
      return {
        ok: false,
        detail: `not started: ${Math.round(started - a.notAfter)} ms past its notAfter (lease too short to promote now)`,
      };
    this.highestPromoted = Math.max(this.highestPromoted, a.epoch);
    const preempted = (): { ok: boolean; detail: string } | undefined =>
      job.preemptedBy !== undefined ? { ok: false, detail: job.preemptedBy } : undefined;

    if (this.opts.hooks.promote !== undefined) {
      await this.renewLease(job);
      if (preempted()) return preempted()!;
      const r = await this.hook(this.opts.hooks.promote, a, job);
      if (preempted()) return preempted()!;
      if (!r.ok) return { ok: false, detail: `promote hook: ${r.detail}` };
    }
    if (this.vip) {
      await this.renewLease(job);
      if (preempted()) return preempted()!;
      const r = await this.vip.add(job.abort.signal, { skipProbe: a.previousHolderDown === true });
      if (preempted()) return preempted()!;
      if (!r.ok) return { ok: false, detail: r.detail };
      await this.renewLease(job);
      if (preempted()) return preempted()!;
      // In the background: arping lingers a second per packet waiting for replies that never
      // come, but the first gratuitous ARP leaves at once. A demote stops it before removing
      // the address, so we never announce an address we no longer hold.
      this.startAnnounce();
    }
    if (preempted()) return preempted()!;
    this.isServing = true;
    this.servingEpoch = a.epoch;
    return { ok: true, detail: '' };
  }

  private async renewLease(job: Job): Promise<void> {
    if (this.opts.renewLease === undefined) return;
    try {
      await this.opts.renewLease(job.abort.signal);
    } catch (err) {
      // A bug in the caller, not a reason to fail the promotion: the lease checks still decide.
      this.log.error({ kind: job.action.kind, epoch: job.action.epoch, err: String(err) }, 'lease renewal before a command failed');
    }
  }

  private async demote(a: RunAction): Promise<{ ok: boolean; detail: string }> {
    this.isServing = false;
    this.servingEpoch = 0;
    const problems: string[] = [];
    await this.stopAnnounce();
    if (this.vip) {
      const r = await this.vip.remove();
      if (!r.ok) problems.push(r.detail);
    }
    // The demote hook runs even when the VIP could not be removed: stopping the service
    // still narrows what a second active could do.
    if (this.opts.hooks.demote !== undefined) {
      const r = await this.hook(this.opts.hooks.demote, a, undefined);
      if (!r.ok) problems.push(`demote hook: ${r.detail}`);
    }
    return { ok: problems.length === 0, detail: problems.join('; ') };
  }

  private async fence(a: RunAction): Promise<{ ok: boolean; detail: string }> {
    // No hook means nobody was fenced: never report a vacuous success.
    if (this.opts.hooks.fence === undefined) return { ok: false, detail: 'no fence hook configured' };
    const r = await this.hook(this.opts.hooks.fence, a, undefined);
    return r.ok ? { ok: true, detail: '' } : { ok: false, detail: `fence hook: ${r.detail}` };
  }

  private async hook(path: string, a: RunAction, job: Job | undefined): Promise<HookResult> {
    const handle = runHook({
      path,
      context: {
        event: a.kind,
        nodeId: this.opts.nodeId,
        epoch: a.epoch,
        term: a.term,
        previousActive: a.previousActive,
        target: a.target,
        reason: a.reason,
        cluster: this.opts.cluster,
      },
      timeoutMs: this.opts.hookTimeoutMs,
      logger: this.log,
      ...(this.opts.killGraceMs !== undefined ? { killGraceMs: this.opts.killGraceMs } : {}),
      ...(this.opts.baseEnv ? { baseEnv: this.opts.baseEnv } : {}),
      now: this.now,
    });
    if (job) {
      job.hook = handle;
      // Preempted between steps, just as this hook started.
      if (job.preemptedBy !== undefined) handle.kill();
    }
    try {
      return await handle.result;
    } finally {
      if (job) job.hook = undefined;
    }
  }

  private startAnnounce(): void {
    const vip = this.vip;
    if (!vip || this.announcing) return;
    const abort = new AbortController();
    const done = vip.announce(abort.signal).then(() => {
      if (this.announcing?.abort === abort) this.announcing = undefined;
    });
    this.announcing = { abort, done };
  }

  private async stopAnnounce(): Promise<void> {
    const ann = this.announcing;
    if (!ann) return;
    ann.abort.abort();
    await ann.done;
    if (this.announcing === ann) this.announcing = undefined;
  }

  private report(a: RunAction, ok: boolean, detail: string, durationMs: number): void {
    const r: ActionResult = { kind: a.kind, epoch: a.epoch, ok, detail, durationMs };
    // Never from inside run(): the caller may be in the middle of handling controller output.
    queueMicrotask(() => {
      try {
        this.opts.onDone(r);
      } catch (err) {
        this.log.error({ kind: a.kind, epoch: a.epoch, err: String(err) }, 'onDone callback threw');
      }
    });
  }
}
