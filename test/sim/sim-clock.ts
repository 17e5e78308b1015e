// Simulated time. Real time is the simulator's global clock (ms). Each node reads its own
// monotonic clock whose *rate* differs from real time by a bounded drift ρ (|ρ| ≤ maxDrift):
// local time advances by (1+ρ)·Δreal. Only rates matter (palisade uses monotonic clocks
// only), so every node clock starts at an arbitrary offset and the rate can change at any
// moment (the nemesis does that); the reading stays continuous and strictly increasing.

/** What a node (and any per-node actor, e.g. the HA lease maths) may read. */
export interface MonotonicClock {
  /** The node's monotonic reading, in ms of its own clock. */
  now(): number;
}

export class NodeClock implements MonotonicClock {
  /** Real time and local reading at the last rate change: the clock is piecewise linear. */
  private baseReal: number;
  private baseLocal: number;
  private rate: number;

  constructor(
    private readonly realNow: () => number,
    offset: number,
    drift = 0,
  ) {
    this.baseReal = realNow();
    this.baseLocal = offset;
    this.rate = 1 + drift;
  }

  now(): number {
    return this.baseLocal + (this.realNow() - this.baseReal) * this.rate;
  }

  get drift(): number {
    return this.rate - 1;
  }

  setDrift(drift: number): void {
    const real = this.realNow();
    this.baseLocal = this.baseLocal + (real - this.baseReal) * this.rate;
    this.baseReal = real;
    this.rate = 1 + drift;
  }

  /** The real time at which this clock will read `local` (assuming no further rate change). */
  realAt(local: number): number {
    return this.baseReal + (local - this.baseLocal) / this.rate;
  }
}
