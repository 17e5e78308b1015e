// Service health (issue 15): the verdict of a node's check after fall/rise hysteresis, in the
// spirit of keepalived's track_script. Pure: one result in, the verdict out.
//
// A node starts `unknown` (no verdict yet: its service may not be ready, so it is never
// promoted). `rise` consecutive successes make it healthy, `fall` consecutive failures make it
// unhealthy; a result that disagrees with the verdict only counts towards the opposite one, so
// a single blip changes nothing when fall and rise are above 1.
import { Health } from '../statemachine/ha-record.js';

export interface Hysteresis {
  /** Consecutive failures that make a node unhealthy (≥ 1). */
  readonly fall: number;
  /** Consecutive successes that make a node healthy (≥ 1). */
  readonly rise: number;
}

export class HealthTracker {
  private verdict: Health = Health.Unknown;
  private successes = 0;
  private failures = 0;

  constructor(private readonly h: Hysteresis) {
    if (!Number.isSafeInteger(h.fall) || h.fall < 1) throw new RangeError(`fall must be a whole number ≥ 1, got ${h.fall}`);
    if (!Number.isSafeInteger(h.rise) || h.rise < 1) throw new RangeError(`rise must be a whole number ≥ 1, got ${h.rise}`);
  }

  get health(): Health {
    return this.verdict;
  }

  /** Consecutive failures so far (0 after a success). */
  get failureStreak(): number {
    return this.failures;
  }

  /** One check result; returns the verdict when it changed, undefined otherwise. */
  record(ok: boolean): Health | undefined {
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (this.verdict !== Health.Healthy && this.successes >= this.h.rise) return this.set(Health.Healthy);
    } else {
      this.successes = 0;
      this.failures++;
      if (this.verdict !== Health.Unhealthy && this.failures >= this.h.fall) return this.set(Health.Unhealthy);
    }
    return undefined;
  }

  private set(v: Health): Health {
    this.verdict = v;
    return v;
  }
}
