// Callers waiting for something the Ready loop will do later (a write applied, a read index
// reached, a membership change applied), keyed so the loop can find them. Every wait is
// bounded: it rejects with the caller's timeout error instead of hanging.
//
// One timer per collection, not one per wait: every write waits here, and a timer of its own
// (armed, then cleared when the write is applied a few milliseconds later) plus the closures
// around it were a fixed cost per put. The timer is set for the earliest deadline; when it fires
// it rejects the waits that are due and is set again for the next one. Waits end in about the
// order they start and share a timeout, so it fires rarely while writes flow.

export interface PendingWait<T> {
  readonly promise: Promise<T>;
  /** Give up without an answer (e.g. the proposal was refused synchronously). */
  cancel(): void;
  /** Give up with `err` as the answer (e.g. a queued proposal was refused). */
  fail(err: Error): void;
}

/** One waiting caller. */
export interface Waiter<K, T> {
  readonly key: K;
  readonly resolve: (value: T) => void;
  readonly reject: (err: Error) => void;
  /** performance.now() at which it is rejected with onTimeout(). */
  readonly deadline: number;
  readonly onTimeout: () => Error;
}

/** The caller's handle: methods on a small object instead of two closures per wait. */
class Wait<K, T> implements PendingWait<T> {
  constructor(
    readonly promise: Promise<T>,
    private readonly owner: Waiters<K, T>,
    private readonly waiter: Waiter<K, T>,
  ) {}

  cancel(): void {
    this.owner.drop(this.waiter);
  }

  fail(err: Error): void {
    this.owner.drop(this.waiter);
    this.waiter.reject(err);
  }
}

export class Waiters<K, T> {
  private readonly byKey = new Map<K, Waiter<K, T>[]>();
  /** Every waiting caller (for the deadline sweep). */
  private readonly pending = new Set<Waiter<K, T>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the timer is set for (+∞: no timer). */
  private timerAt = Number.POSITIVE_INFINITY;

  /** Waiting callers (for metrics and for skipping work when nobody waits). */
  get size(): number {
    return this.byKey.size;
  }

  has(key: K): boolean {
    return this.byKey.has(key);
  }

  wait(key: K, timeoutMs: number, onTimeout: () => Error): PendingWait<T> {
    let resolve!: (value: T) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter: Waiter<K, T> = { key, resolve, reject, deadline: performance.now() + timeoutMs, onTimeout };
    const list = this.byKey.get(key);
    if (list) list.push(waiter);
    else this.byKey.set(key, [waiter]);
    this.pending.add(waiter);
    if (waiter.deadline < this.timerAt) this.arm(waiter.deadline);
    return new Wait(promise, this, waiter);
  }

  /** Answers every caller waiting on `key`; false when there was none. */
  resolve(key: K, value: T): boolean {
    const list = this.take(key);
    for (const w of list) w.resolve(value);
    return list.length > 0;
  }

  reject(key: K, err: Error): boolean {
    const list = this.take(key);
    for (const w of list) w.reject(err);
    return list.length > 0;
  }

  rejectAll(err: Error): void {
    for (const key of [...this.byKey.keys()]) this.reject(key, err);
  }

  keys(): IterableIterator<K> {
    return this.byKey.keys();
  }

  /** `waiter` waits no more (its caller gave up, or it timed out); nothing if it was answered already. */
  drop(waiter: Waiter<K, T>): void {
    if (!this.pending.delete(waiter)) return;
    const list = this.byKey.get(waiter.key);
    if (list !== undefined) {
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(waiter.key);
    }
    if (this.pending.size === 0) this.disarm();
  }

  private take(key: K): Waiter<K, T>[] {
    const list = this.byKey.get(key);
    if (list === undefined) return [];
    this.byKey.delete(key);
    for (const w of list) this.pending.delete(w);
    if (this.pending.size === 0) this.disarm();
    return list;
  }

  /** Rejects the waits that are due, then sets the timer for the earliest one left. */
  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const due: Waiter<K, T>[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const w of this.pending) {
      if (w.deadline <= now) due.push(w);
      else if (w.deadline < next) next = w.deadline;
    }
    for (const w of due) {
      this.drop(w);
      w.reject(w.onTimeout());
    }
    if (this.pending.size > 0 && next < this.timerAt) this.arm(next);
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // Rounded up, plus 1 ms: Node's timers count whole milliseconds and may fire just before `at`.
    this.timer = setTimeout(() => this.sweep(), Math.max(0, Math.ceil(at - performance.now())) + 1);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
