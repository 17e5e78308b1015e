// One started hook, from its spawn to its result: the timeout, the kill of its process group
// (SIGTERM, then SIGKILL after a bounded grace) and the end, which waits until a killed group
// is gone and the output pipes have drained, then settles the result once.
import type { ChildProcess } from 'node:child_process';
import type { HookOutput } from './hook-output.js';
import type { HaLogger, HookResult } from './hook-types.js';
import { processGroupAlive, signalProcessGroup } from './process-group.js';

/** After the leader exits, how long to wait for its pipes to drain (a daemon it left may hold them). */
const DRAIN_MS = 200;
/** After SIGKILL, how long before we stop waiting for the exit (uninterruptible sleep). */
const AFTER_KILL_MS = 2000;
/** While a killed group's members are dying, how often to look whether any is left. */
const GROUP_POLL_MS = 10;

type KillReason = 'timeout' | 'killed';

export interface RunningHookOptions {
  readonly child: ChildProcess;
  readonly path: string;
  readonly timeoutMs: number;
  /** After SIGTERM, how long the group may take before SIGKILL. */
  readonly graceMs: number;
  readonly output: HookOutput;
  readonly logger: HaLogger;
  readonly logFields: object;
  readonly now: () => number;
  /** `now()` when the run began (durations count from there). */
  readonly started: number;
}

/** How the leader process ended (nulls until it did). */
interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

export class RunningHook {
  readonly result: Promise<HookResult>;
  private resolveResult!: (r: HookResult) => void;
  private readonly timers = new TimerSet();
  private readonly pid: number | undefined;
  private killReason: KillReason | undefined;
  private sigkillSent = false;
  private exited = false;
  private exit: ExitStatus = { code: null, signal: null };
  private spawnError: string | undefined;
  private settled = false;
  private closed = false;
  private readonly timeoutTimer: NodeJS.Timeout;
  private graceTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: RunningHookOptions) {
    this.pid = o.child.pid;
    this.result = new Promise<HookResult>((r) => (this.resolveResult = r));
    this.timeoutTimer = this.timers.after(Math.max(0, o.timeoutMs), () => this.terminate('timeout'));
    o.child.on('error', (err) => this.onError(err));
    o.child.on('exit', (code, signal) => this.onExit({ code, signal }));
    o.child.on('close', () => this.onClose());
  }

  /** SIGTERM to the whole group, SIGKILL after the grace. Once per run; not after the group is gone. */
  terminate(why: KillReason): void {
    if (this.settled || this.killReason !== undefined) return;
    if (this.exited && !this.groupAlive()) return;
    this.killReason = why;
    const { logger, logFields, timeoutMs, graceMs } = this.o;
    logger.warn(
      { ...logFields, pid: this.pid, graceMs },
      why === 'timeout'
        ? `hook timed out after ${timeoutMs} ms: SIGTERM to its process group`
        : 'hook preempted: SIGTERM to its process group',
    );
    this.signalGroup('SIGTERM');
    this.graceTimer = this.timers.after(graceMs, () => this.afterGrace());
  }

  private afterGrace(): void {
    this.graceTimer = undefined;
    this.sigkillSent = true;
    this.o.logger.warn({ ...this.o.logFields, pid: this.pid }, 'hook process group still alive after the grace: SIGKILL');
    this.signalGroup('SIGKILL');
    if (this.exited) this.finishAfterDrain();
    else this.timers.after(AFTER_KILL_MS, () => this.finish(`hook did not exit ${AFTER_KILL_MS} ms after SIGKILL`));
  }

  private onError(err: Error): void {
    // Only a spawn failure (raced with checkHookPath) lands here: we signal with process.kill.
    if (this.pid !== undefined) return;
    this.spawnError = `hook ${this.o.path} could not start: ${err.message}`;
    this.o.logger.error(this.o.logFields, this.spawnError);
    this.finish();
  }

  private onExit(status: ExitStatus): void {
    this.exited = true;
    this.exit = status;
    this.timers.cancel(this.timeoutTimer);
    if (this.killReason !== undefined && !this.sigkillSent) {
      // Killed: the group must be gone before anything else runs (e.g. the demote after a
      // preempted promote). Members that outlive the leader get SIGKILL at the grace's end.
      // A member may still be dying (or a zombie awaiting its reaper): poll briefly.
      if (this.groupAlive()) {
        this.timers.after(GROUP_POLL_MS, () => this.pollGroupGone());
        return;
      }
      this.cancelGrace();
    }
    this.finishAfterDrain();
  }

  private pollGroupGone(): void {
    if (this.settled || this.sigkillSent) return;
    if (this.groupAlive()) {
      this.timers.after(GROUP_POLL_MS, () => this.pollGroupGone());
      return;
    }
    this.cancelGrace();
    this.finishAfterDrain();
  }

  private onClose(): void {
    this.closed = true;
    if (this.exited && (this.killReason === undefined || this.sigkillSent || this.graceTimer === undefined)) this.finish();
  }

  private cancelGrace(): void {
    this.timers.cancel(this.graceTimer);
    this.graceTimer = undefined;
  }

  private finishAfterDrain(): void {
    if (this.closed) this.finish();
    else if (this.drainTimer === undefined) this.drainTimer = this.timers.after(DRAIN_MS, () => this.finish());
  }

  /** Settles the result once; `stuck` says why we stopped waiting for the exit. */
  private finish(stuck?: string): void {
    if (this.settled) return;
    this.settled = true;
    this.timers.cancelAll();
    const outputTail = this.o.output.close(this.o.child);
    const durationMs = this.o.now() - this.o.started;
    const timedOut = this.killReason === 'timeout';
    const killed = this.killReason === 'killed';
    const ok = this.spawnError === undefined && stuck === undefined && this.killReason === undefined && this.exit.code === 0;
    const detail = ok ? '' : (this.spawnError ?? stuck ?? this.failureDetail());
    const { code: exitCode, signal } = this.exit;
    const fields = { ...this.o.logFields, pid: this.pid, ok, exitCode, signal, timedOut, killed, durationMs: Math.round(durationMs) };
    if (ok) this.o.logger.info(fields, 'hook finished');
    else this.o.logger.warn(fields, `hook failed: ${detail}`);
    this.resolveResult({ ok, exitCode, signal, timedOut, killed, durationMs, outputTail, detail });
  }

  /** Why a hook that ran did not succeed. */
  private failureDetail(): string {
    if (this.killReason === 'timeout')
      return `timed out after ${this.o.timeoutMs} ms (process group killed${this.sigkillSent ? ' with SIGKILL' : ''})`;
    if (this.killReason === 'killed') return 'killed: preempted by a newer decision';
    return this.exit.code !== null ? `exit code ${this.exit.code}` : `killed by ${this.exit.signal ?? 'a signal'}`;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid !== undefined) signalProcessGroup(this.pid, signal);
  }

  private groupAlive(): boolean {
    return this.pid === undefined ? false : processGroupAlive(this.pid);
  }
}

/** The run's pending timers, so that its end cancels every one of them. */
class TimerSet {
  private readonly pending = new Set<NodeJS.Timeout>();

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    this.pending.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.pending.delete(t);
  }

  cancelAll(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}
