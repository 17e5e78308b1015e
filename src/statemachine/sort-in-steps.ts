// A sort that yields to the event loop. A snapshot image lists the keys in order; sorting 10^5
// keys in one piece (n log n calls of compareKeys) held the Ready loop, on every node at every
// snapshot, for longer than the lease and the election timeout. So the image is frozen unsorted
// (a plain copy) and sorted here in steps, between entries, like the encoding after it.
// A bottom-up merge sort: stable, and every step does about `budget` comparisons.

/** Comparisons per step (sixteen moves count as one): a step stays well under a millisecond. */
export const SORT_WORK_PER_STEP = 8192;

/** The sort, one step at a time; the return value is a sorted copy (`items` is not changed). */
export function* sortSteps<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
  budget = SORT_WORK_PER_STEP,
): Generator<void, T[], void> {
  const n = items.length;
  let src = items.slice();
  let dst = new Array<T>(n);
  let work = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      // Already in order (the usual case for keys written in order): a copy, no comparisons.
      const inOrder = mid === hi || (work++, compare(src[mid - 1], src[mid]) <= 0);
      if (inOrder) {
        for (; k < hi; k++) dst[k] = src[k]!;
        // A move costs a small fraction of a comparison.
        work += (hi - lo) >> 4;
        if (work >= budget) {
          work = 0;
          yield;
        }
        continue;
      }
      while (i < mid && j < hi) {
        dst[k++] = compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
        if (++work >= budget) {
          work = 0;
          yield;
        }
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** sortSteps run to the end, yielding to the event loop between steps; undefined once `aborted` says so. */
export async function sortInSteps<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
  aborted: () => boolean = () => false,
): Promise<T[] | undefined> {
  const steps = sortSteps(items, compare);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (aborted()) return undefined;
  }
}
