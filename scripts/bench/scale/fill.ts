// Fills a store with `keys` distinct keys through one client object (64 puts in flight, the
// bench:kv shape): 16-byte keys written in a scrambled order (keys written in order are the
// snapshot sort's cheapest case), 64-byte values. A failed put is retried; a run of failures ends
// the fill with the first errors.
import type { Putter } from '../putter.js';

export const FILL = { concurrency: 64, valueBytes: 64, maxFailures: 200 } as const;

/** The i-th key (i ≥ 1): 'sk' + 14 digits, distinct for i below the modulus (a prime). */
export function scrambledKey(i: number): string {
  if (!Number.isSafeInteger(i) || i < 1 || i >= 1_000_000_007) throw new Error(`key number ${i} out of range`);
  return `sk${String((i * 2654435761) % 1_000_000_007).padStart(14, '0')}`;
}

export interface FillResult {
  readonly keys: number;
  readonly seconds: number;
  readonly putsPerSecond: number;
  readonly failures: number;
}

export async function fill(putter: Putter, keys: number, log: (s: string) => void): Promise<FillResult> {
  const value = 'v'.repeat(FILL.valueBytes);
  const retry: number[] = [];
  let next = 1;
  let done = 0;
  let failures = 0;
  const firstErrors: string[] = [];
  const t0 = performance.now();
  let reported = t0;
  const loop = async (): Promise<void> => {
    for (;;) {
      const i = retry.pop() ?? (next <= keys ? next++ : undefined);
      if (i === undefined || failures >= FILL.maxFailures) return;
      try {
        await putter.put(scrambledKey(i), value);
        done++;
      } catch (err) {
        failures++;
        if (firstErrors.length < 3) firstErrors.push(err instanceof Error ? err.message : String(err));
        retry.push(i);
      }
      if (performance.now() - reported > 10_000) {
        reported = performance.now();
        log(`fill: ${done} of ${keys} keys after ${((reported - t0) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: FILL.concurrency }, loop));
  if (done < keys) throw new Error(`fill stopped after ${failures} failed puts (${done} of ${keys} keys): ${firstErrors.join('; ')}`);
  const seconds = (performance.now() - t0) / 1000;
  return { keys, seconds: Math.round(seconds * 10) / 10, putsPerSecond: Math.round(keys / seconds), failures };
}
