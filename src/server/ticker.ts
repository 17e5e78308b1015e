// The node's one timer. Every `tickMs` it calls `onTick` (which ticks the Raft core) and
// records the monotonic clock reading taken just BEFORE that tick, keyed by the core's tick
// count after it; after each wake-up's ticks it calls `afterTicks` once (the HA driver and the
// session keeper). A heartbeat round started by that tick left the node no earlier
// than the reading, so it is a safe lower bound for the round's send time (design-notes.md: the
// HA layer maps Ready.leaseAck.startTick to time through timeOfTick()).
//
// Quiet ticks. Every wake-up costs a sleeping Node process CPU whatever it does, so a tick
// every tickMs was a large part of an idle follower's cost (docs/benchmarks.md, "Idle CPU").
// When `quietTicks()` says the next N ticks would only count (a
// follower waiting for its election timeout, a leader waiting for its next heartbeat, each
// with nothing of the HA layer due sooner — the active node's lease check, quietTicksUntil),
// the timer sleeps through them and they are performed late, in one burst: at the tick that
// acts, or before the next input, whichever comes first (the node calls catchUp() before it
// steps a message, so a heartbeat never resets an election timer that is missing ticks, and a
// vote request meets an up-to-date stickiness count). What the core and the HA layer see is the
// same sequence of ticks as before, each performed no earlier than its nominal time
// (start + k·tickMs), so a tick count still never runs ahead of the clock: the timing rules
// of ha/timing.ts hold unchanged. As with the plain interval before, ticks missed because the
// process was late (a long pause, a busy event loop) are dropped, not replayed, beyond the
// ones the timer chose to sleep through.
import type { Timers } from '../transport/timers.js';
import { realTimers } from '../transport/timers.js';
import type { Clock } from './clock.js';

export interface TickerOptions {
  readonly tickMs: number;
  readonly clock: Clock;
  /** Ticks the core once and returns the core's tick count after the tick. */
  readonly onTick: () => number;
  /**
   * Once per wake-up, after its ticks (a burst, or one tick on time): the turn of what decides
   * on the clock alone (the HA driver, the session keeper). The ticks of a burst before the last
   * were quiet for it too (quietTicks() counts its ticks as well), and a burst happens at one
   * instant, so it looks once, at the last: as many looks as wake-ups, not as ticks.
   */
  readonly afterTicks?: () => void;
  /**
   * How many of the next ticks would change nothing but counters (0: tick on time). Asked after
   * every burst and by replan(). Default: always 0 (a plain interval).
   */
  readonly quietTicks?: () => number;
  /** How many recent ticks to remember (default: 1024, ~10 s at 10 ms). */
  readonly history?: number;
  readonly timers?: Timers;
}

/** The longest sleep, in ticks, whatever quietTicks() says (a bound, not a tuning knob). */
export const MAX_QUIET_TICKS = 1000;

/**
 * Quiet ticks before a deadline on the ticker's clock (a decision made on ticks once
 * `now >= deadline`): the ticks that all come before the deadline, so the tick after them
 * comes less than one tick after it — the lateness a check made on every tick has anyway.
 * Counted from `now` rather than from the last tick performed: at worst one tick early.
 * +∞ for no deadline; 0 once it has passed.
 */
export function quietTicksUntil(deadline: number, now: number, tickMs: number): number {
  if (deadline === Number.POSITIVE_INFINITY) return deadline;
  if (!(deadline > now)) return 0;
  return Math.ceil((deadline - now) / tickMs) - 1;
}

export class Ticker {
  private timer: unknown;
  private started = false;
  private readonly ticks: number[];
  private readonly times: number[];
  private ticked = 0;
  private lastTick = 0;
  /** Nominal time of the last tick performed (or of the start). */
  private anchor = 0;
  /** Ticks after `anchor` the current sleep covers: they may be performed late, in a burst. */
  private planned = 1;
  /** Ticks after `anchor` at whose nominal time the timer is set (≤ planned). */
  private wakeAfter = 1;
  private readonly timers: Timers;

  constructor(private readonly opts: TickerOptions) {
    const n = opts.history ?? 1024;
    this.ticks = new Array<number>(n).fill(-1);
    this.times = new Array<number>(n).fill(0);
    this.timers = opts.timers ?? realTimers;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.anchor = this.opts.clock.monotonicMs();
    this.arm();
  }

  stop(): void {
    this.started = false;
    this.disarm();
  }

  get running(): boolean {
    return this.started;
  }

  /** Ticks performed by this ticker. */
  get count(): number {
    return this.ticked;
  }

  /**
   * Performs the ticks whose nominal time has come (the node calls this before it steps a
   * message). Cheap when none is due: one clock reading.
   */
  catchUp(): void {
    if (!this.started) return;
    const now = this.opts.clock.monotonicMs();
    const due = Math.floor((now - this.anchor) / this.opts.tickMs);
    if (due <= 0) return;
    const n = Math.min(due, this.planned);
    // Late beyond the plan: drop the rest, as an interval timer does, and keep the phase.
    this.anchor += due * this.opts.tickMs;
    this.planned = Math.max(1, this.planned - n);
    this.wakeAfter = Math.max(0, this.wakeAfter - due);
    for (let i = 0; i < n; i++) this.tickOnce();
    this.opts.afterTicks?.();
  }

  /**
   * Something may have ended a quiet period early (a role or HA state change): wake at the
   * newly planned tick if that is sooner than the one the timer is set for.
   */
  replan(): void {
    if (!this.started) return;
    const next = 1 + this.quiet(); // counted from the last tick performed, like the plan
    if (next >= this.wakeAfter) return;
    // The quiet ticks whose nominal time passed during the sleep were quiet when it began: they
    // stay in the plan and are performed at the wake-up, not dropped as late ones.
    const owed = Math.floor((this.opts.clock.monotonicMs() - this.anchor) / this.opts.tickMs);
    this.planned = Math.min(this.planned, Math.max(next, owed));
    this.setTimer(next);
  }

  /** One tick now (the timer calls this through catchUp; tests may call it directly). */
  tickOnce(): void {
    const at = this.opts.clock.monotonicMs();
    const slot = this.ticked++ % this.ticks.length;
    // Recorded BEFORE the core ticks: a single-voter leader acknowledges its own heartbeat
    // round inside onTick (the Ready may even be handled before onTick returns), and the
    // lease built on it must find this tick's time.
    this.ticks[slot] = this.lastTick + 1;
    this.times[slot] = at;
    const tick = this.opts.onTick();
    this.ticks[slot] = tick;
    this.lastTick = tick;
  }

  /** The clock reading taken just before the core reached tick count `tick`, if still remembered. */
  timeOfTick(tick: number): number | undefined {
    for (let k = 0; k < this.ticks.length; k++) {
      if (this.ticks[k] === tick) return this.times[k];
    }
    return undefined;
  }

  private quiet(): number {
    const q = this.opts.quietTicks?.() ?? 0;
    if (Number.isNaN(q)) return 0; // a bug upstream: tick on time rather than sleep
    return Math.max(0, Math.min(MAX_QUIET_TICKS, Math.floor(q)));
  }

  /** Sets the timer for the tick after the quiet ones, counted from the last tick performed. */
  private arm(): void {
    this.planned = 1 + this.quiet();
    this.setTimer(this.planned);
  }

  /** Sets the timer for the nominal time of the `ticks`-th tick after `anchor`. */
  private setTimer(ticks: number): void {
    this.disarm();
    this.wakeAfter = ticks;
    const wakeAt = this.anchor + ticks * this.opts.tickMs;
    // Rounded up, plus 1 ms: Node's timers count whole milliseconds of the event loop's cached
    // time, and a timer that fires before its tick is due costs a wake-up for nothing.
    const delay = Math.max(0, Math.ceil(wakeAt - this.opts.clock.monotonicMs()) + 1);
    this.timer = this.timers.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.started) return;
    this.catchUp();
    if (this.started) this.arm();
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
