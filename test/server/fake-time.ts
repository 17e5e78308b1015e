// A monotonic clock and one-shot timers that only move when a test says so (the ticker's tests).
import type { Timers } from '../../src/transport/timers.js';

/** A clock and one-shot timers that only move when the test says so. */
export class FakeTime implements Timers {
  now = 1000;
  fires = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;

  readonly clock = { monotonicMs: () => this.now, wallMs: () => 0 };

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock to `to`, firing every timer due on the way at its own time. */
  advanceTo(to: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= to && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      this.fires++;
      next[1].fn();
    }
    this.now = Math.max(this.now, to);
  }

  /** Moves the clock without firing anything (a stopped or busy process). */
  jump(to: number): void {
    this.now = to;
  }

  /** Fires whatever is overdue (the process runs again). */
  runOverdue(): void {
    this.advanceTo(this.now);
  }

  get armed(): number {
    return this.pending.size;
  }
}
