// Node events fanned out to any number of subscribers, each an async iterable with its own
// bounded buffer. Publishing never waits: a subscriber that falls behind loses its oldest
// events (counted in `dropped`), so a slow consumer can never stall the node.

export interface EventSubscription<T> extends AsyncIterableIterator<T> {
  /** Events this subscriber lost because its buffer was full. */
  readonly dropped: number;
  close(): void;
}

export class EventStream<T> {
  private readonly subs = new Set<Subscriber<T>>();
  private droppedTotal = 0;
  private closed = false;

  constructor(private readonly bufferLimit = 256) {}

  /** Events lost across all subscribers. */
  get dropped(): number {
    return this.droppedTotal;
  }

  get subscribers(): number {
    return this.subs.size;
  }

  publish(event: T): void {
    for (const s of this.subs) {
      if (s.push(event, this.bufferLimit)) continue;
      this.droppedTotal++;
    }
  }

  subscribe(): EventSubscription<T> {
    const s = new Subscriber<T>(() => this.subs.delete(s));
    if (this.closed) s.close();
    else this.subs.add(s);
    return s;
  }

  /** Ends every subscription (node stopped); events already buffered are still delivered. */
  close(): void {
    this.closed = true;
    for (const s of [...this.subs]) s.close();
  }
}

class Subscriber<T> implements EventSubscription<T> {
  private queue: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private done = false;
  dropped = 0;

  constructor(private readonly onClose: () => void) {}

  /** False when the buffer was full and the oldest event was dropped. */
  push(event: T, limit: number): boolean {
    if (this.done) return true;
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: event, done: false });
      return true;
    }
    this.queue.push(event);
    if (this.queue.length <= limit) return true;
    this.queue.shift();
    this.dropped++;
    return false;
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue = [];
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }
}
