// Time as the node sees it, injectable so tests and the simulator can pass their own.
// `monotonicMs` drives everything that measures intervals (ticks, leases, last contact);
// `wallMs` only stamps events for humans.
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds on a clock that never jumps (not related to the time of day). */
  monotonicMs(): number;
  /** Milliseconds since the Unix epoch (may jump; never used to measure intervals). */
  wallMs(): number;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
};
