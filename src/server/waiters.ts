// Callers waiting for something the Ready loop will do later (a write applied, a read index
// reached, a membership change applied), keyed so the loop can find them. Every wait is
// bounded: it rejects with the caller's timeout error instead of hanging.

export interface PendingWait<T> {
  readonly promise: Promise<T>;
  /** Give up without an answer (e.g. the proposal was refused synchronously). */
  cancel(): void;
  /** Give up with `err` as the answer (e.g. a queued proposal was refused). */
  fail(err: Error): void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class Waiters<K, T> {
  private readonly byKey = new Map<K, Waiter<T>[]>();

  /** Waiting callers (for metrics and for skipping work when nobody waits). */
  get size(): number {
    return this.byKey.size;
  }

  has(key: K): boolean {
    return this.byKey.has(key);
  }

  wait(key: K, timeoutMs: number, onTimeout: () => Error): PendingWait<T> {
    let waiter!: Waiter<T>;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(key, waiter);
          reject(onTimeout());
        }, timeoutMs),
      };
    });
    const list = this.byKey.get(key);
    if (list) list.push(waiter);
    else this.byKey.set(key, [waiter]);
    return {
      promise,
      cancel: () => {
        clearTimeout(waiter.timer);
        this.remove(key, waiter);
      },
      fail: (err) => {
        clearTimeout(waiter.timer);
        this.remove(key, waiter);
        waiter.reject(err);
      },
    };
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

  private take(key: K): Waiter<T>[] {
    const list = this.byKey.get(key);
    if (list === undefined) return [];
    this.byKey.delete(key);
    for (const w of list) clearTimeout(w.timer);
    return list;
  }

  private remove(key: K, waiter: Waiter<T>): void {
    const list = this.byKey.get(key);
    if (list === undefined) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(key);
  }
}
