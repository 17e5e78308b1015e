// The simulated network: per directed link up/down state (symmetric partitions, one-way
// cuts and partial partitions are all just sets of down links), plus per-message fault
// parameters drawn from a seeded rng: drop probability, duplication probability and a
// delay in [minDelay, maxDelay] ms. Independent delays per message also reorder them.
import type { Rng } from '../../src/raft/rng.js';
import type { NodeId } from '../../src/raft/types.js';

export interface NetworkFaults {
  /** Probability in [0,1] that a message is lost. */
  readonly drop: number;
  /** Probability in [0,1] that a delivered message is delivered a second time. */
  readonly duplicate: number;
  readonly minDelay: number;
  readonly maxDelay: number;
}

export const CALM_NETWORK: NetworkFaults = Object.freeze({ drop: 0, duplicate: 0, minDelay: 1, maxDelay: 5 });

export class Network {
  private readonly down = new Set<string>();
  private faults: NetworkFaults;
  /**
   * Draw half the delays at the edges of [minDelay, maxDelay] (a quarter each): the fastest
   * election and promotion, and the slowest acknowledgement, are where timing rules break.
   */
  edgeDelays = false;

  constructor(
    private readonly rng: Rng,
    faults: NetworkFaults = CALM_NETWORK,
  ) {
    this.faults = faults;
  }

  get currentFaults(): NetworkFaults {
    return this.faults;
  }

  setFaults(f: NetworkFaults): void {
    this.faults = f;
  }

  isUp(from: NodeId, to: NodeId): boolean {
    return from === to || !this.down.has(linkKey(from, to));
  }

  cut(from: NodeId, to: NodeId): void {
    if (from !== to) this.down.add(linkKey(from, to));
  }

  connect(from: NodeId, to: NodeId): void {
    this.down.delete(linkKey(from, to));
  }

  /** Cut every link between the two sides, in both directions. */
  split(sideA: readonly NodeId[], sideB: readonly NodeId[]): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.cut(a, b);
        this.cut(b, a);
      }
    }
  }

  healAll(): void {
    this.down.clear();
  }

  downLinks(): string[] {
    return [...this.down].sort();
  }

  /**
   * Fate of one message sent now on from→to: the delays (ms from now) of each copy to
   * deliver, empty when it is lost. The link is checked again at delivery time.
   */
  route(from: NodeId, to: NodeId): number[] {
    if (!this.isUp(from, to)) return [];
    const f = this.faults;
    if (f.drop > 0 && this.chance(f.drop)) return [];
    const out = [this.delay()];
    if (f.duplicate > 0 && this.chance(f.duplicate)) out.push(this.delay());
    return out;
  }

  private chance(p: number): boolean {
    return this.rng.int(1_000_000) < p * 1_000_000;
  }

  private delay(): number {
    const { minDelay, maxDelay } = this.faults;
    if (this.edgeDelays) {
      const edge = this.rng.int(4);
      if (edge === 0) return minDelay;
      if (edge === 1) return maxDelay;
    }
    // Whole-ms delays would make ties (and so seq order) decide too much; use 1/100 ms.
    return minDelay + this.rng.int(Math.max(1, Math.round((maxDelay - minDelay) * 100) + 1)) / 100;
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
