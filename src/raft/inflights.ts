// A bounded FIFO of the last log index of each append message in flight to one follower
// (Replicate state flow control). Model: etcd-io/raft tracker/inflights.go.
// Indexes must be added in increasing order: a response acking index i frees every
// message whose last index is ≤ i.

export class Inflights {
  // Ring buffer: `count` live slots starting at `start`, wrapping at `capacity`.
  private readonly buffer: number[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`inflights capacity must be a positive integer, got ${capacity}`);
    }
    this.buffer = new Array<number>(capacity).fill(0);
  }

  /** Record a message whose last entry is `lastIndex`. Throws if full: callers check full() first. */
  add(lastIndex: number): void {
    if (this.full()) throw new Error(`cannot add index ${lastIndex} to full inflights (capacity ${this.capacity})`);
    this.buffer[(this.start + this.size) % this.capacity] = lastIndex;
    this.size++;
  }

  /** Free every in-flight message whose last index is ≤ index (they were all acked). */
  freeLE(index: number): void {
    let freed = 0;
    let at = this.start;
    while (freed < this.size && this.buffer[at] <= index) {
      freed++;
      at = (at + 1) % this.capacity;
    }
    this.size -= freed;
    // Restart at slot 0 when empty: keeps the layout canonical and easy to reason about.
    this.start = this.size === 0 ? 0 : at;
  }

  /** Free the oldest in-flight message: a heartbeat response proves the follower is alive, so
   *  let one more append through rather than stall a full window on a lost response. */
  freeFirstOne(): void {
    if (this.size === 0) return;
    this.freeLE(this.buffer[this.start]);
  }

  full(): boolean {
    return this.size === this.capacity;
  }

  count(): number {
    return this.size;
  }

  reset(): void {
    this.start = 0;
    this.size = 0;
  }
}
