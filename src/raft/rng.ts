// Randomness enters the core only through this interface, so runs are reproducible.

export interface Rng {
  /** An integer uniformly drawn from [0, n). */
  int(n: number): number;
}

/** A small, fast, seeded generator (mulberry32). Deterministic for a given seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    int(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return Math.floor(u * n);
    },
  };
}
