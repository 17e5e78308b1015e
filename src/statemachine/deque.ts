// A FIFO with O(1) push, shift and indexed access: the bounded histories (KV changes,
// cluster events) keep the newest N items and drop from the front.

export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // let it be collected
    this.head++;
    // Reclaim the dead prefix once it is at least half of the array (amortised O(1)).
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Item i counted from the oldest (0); undefined out of range. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.length) return undefined;
    return this.items[this.head + i];
  }

  first(): T | undefined {
    return this.at(0);
  }

  /** Items [from, length), oldest first. */
  sliceFrom(from: number): T[] {
    return this.items.slice(this.head + Math.max(0, from));
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}
