// The node's one timer. Every `tickMs` it calls `onTick` (which ticks the Raft core) and
// records the monotonic clock reading taken just BEFORE that tick, keyed by the core's tick
// count after it. A heartbeat round started by that tick left the node no earlier than the
// reading, so it is a safe lower bound for the round's send time (design-notes.md: the HA
// layer maps Ready.leaseAck.startTick to time through timeOfTick()).
import type { Clock } from './clock.js';

export interface TickerOptions {
  readonly tickMs: number;
  readonly clock: Clock;
  /** Ticks the core once and returns the core's tick count after the tick. */
  readonly onTick: () => number;
  /** How many recent ticks to remember (default: 1024, ~10 s at 10 ms). */
  readonly history?: number;
}

export class Ticker {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly ticks: number[];
  private readonly times: number[];
  private ticked = 0;

  constructor(private readonly opts: TickerOptions) {
    const n = opts.history ?? 1024;
    this.ticks = new Array<number>(n).fill(-1);
    this.times = new Array<number>(n).fill(0);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tickOnce(), this.opts.tickMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Ticks performed by this ticker. */
  get count(): number {
    return this.ticked;
  }

  /** One tick now (the timer calls this; tests may call it directly). */
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
  private lastTick = 0;

  timeOfTick(tick: number): number | undefined {
    for (let k = 0; k < this.ticks.length; k++) {
      if (this.ticks[k] === tick) return this.times[k];
    }
    return undefined;
  }
}
