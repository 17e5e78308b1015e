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
  const counted = { n: 0 };
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
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
      // Out of order somewhere: only the overlap is merged. A's head up to B's first element and
      // B's tail from A's last element on stay where they are; both ends are found by galloping
      // (TimSort's search: steps of 1, 2, 4... then bisection), so blocks of keys written in order
      // cost a few comparisons per merge, and shuffled ones about what the merge itself would.
      if (work + gallopWork(hi - lo) > budget) {
        work = 0;
        yield;
      }
      counted.n = 0;
      const headEnd = gallopHead(src, lo, mid - 1, src[mid], compare, counted);
      const tailStart = gallopTail(src, mid + 1, hi, src[mid - 1], compare, counted);
      work += counted.n;
      for (; k < headEnd; k++) dst[k] = src[k]!;
      for (let t = tailStart; t < hi; t++) dst[t] = src[t]!;
      let i = headEnd;
      let j = mid;
      while (i < mid && j < tailStart) {
        dst[k++] = compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
        if (++work >= budget) {
          work = 0;
          yield;
        }
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < tailStart) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** Most comparisons the two gallops of one merge over `n` items can take. */
function gallopWork(n: number): number {
  return 4 * (32 - Math.clz32(n));
}

/**
 * The first index in [lo, last] whose item is above `pivot`, where src[last] is known to be:
 * probes lo, lo + 1, lo + 3, lo + 7... then bisects. Counts comparisons in `counted`.
 */
function gallopHead<T>(
  src: readonly T[],
  lo: number,
  last: number,
  pivot: T,
  compare: (a: T, b: T) => number,
  counted: { n: number },
): number {
  let low = lo;
  let high = last;
  for (let offset = 1; low < high; offset *= 2) {
    const probe = Math.min(low + offset - 1, high - 1);
    counted.n++;
    if (compare(src[probe], pivot) > 0) {
      high = probe;
      break;
    }
    low = probe + 1;
  }
  while (low < high) {
    const m = (low + high) >>> 1;
    counted.n++;
    if (compare(src[m], pivot) > 0) high = m;
    else low = m + 1;
  }
  return low;
}

/**
 * The first index in [first, hi] from which every item is at or above `pivot`, where
 * src[first - 1] is known to be below it: probes hi - 1, hi - 2, hi - 4... then bisects.
 */
function gallopTail<T>(
  src: readonly T[],
  first: number,
  hi: number,
  pivot: T,
  compare: (a: T, b: T) => number,
  counted: { n: number },
): number {
  let low = first;
  let high = hi;
  for (let offset = 1; low < high; offset *= 2) {
    const probe = Math.max(high - offset, low);
    counted.n++;
    if (compare(src[probe], pivot) < 0) {
      low = probe + 1;
      break;
    }
    high = probe;
  }
  while (low < high) {
    const m = (low + high) >>> 1;
    counted.n++;
    if (compare(src[m], pivot) < 0) low = m + 1;
    else high = m;
  }
  return low;
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
