// Reconnect delays: exponential with full-range jitter around the nominal value, so peers
// that lost the same node do not reconnect in lock-step. The rng is injected (tests seed it).
import type { Rng } from '../raft/rng.js';

export interface BackoffOptions {
  /** First delay after a failure. */
  readonly initialMs: number;
  /** Cap; also used at once after a peer rejected us (a misconfiguration does not heal fast). */
  readonly maxMs: number;
  readonly multiplier: number;
  /** Each delay is drawn from nominal × [1 − jitter, 1 + jitter]. 0 ≤ jitter < 1. */
  readonly jitter: number;
}

// Sub-second failover needs a returning peer to be reached again quickly: cap at one second.
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 50, maxMs: 1000, multiplier: 2, jitter: 0.2 });

const RESOLUTION = 1_000_000;

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly opts: BackoffOptions,
    private readonly rng: Rng,
  ) {
    if (!(opts.initialMs > 0 && opts.maxMs >= opts.initialMs && opts.multiplier >= 1 && opts.jitter >= 0 && opts.jitter < 1)) {
      throw new RangeError(`invalid backoff options ${JSON.stringify(opts)}`);
    }
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; grows with every call until reset(). */
  next(): number {
    const nominal = Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.multiplier ** this.attempt);
    this.attempt++;
    return this.jittered(nominal);
  }

  /** The capped delay, for failures that retrying soon will not fix. */
  max(): number {
    this.attempt++;
    return this.jittered(this.opts.maxMs);
  }

  reset(): void {
    this.attempt = 0;
  }

  private jittered(nominal: number): number {
    const u = this.rng.int(RESOLUTION) / RESOLUTION; // [0, 1)
    return Math.round(nominal * (1 - this.opts.jitter + 2 * this.opts.jitter * u));
  }
}
