// Watches on the local replica. Not replicated: a watch is a cursor (the next revision it
// wants) and a buffer of matching events, fed from the replicated change history after
// each apply. Apply never waits for a watcher: `notify()` only copies event references
// into buffers, and a watcher whose buffer exceeds its limit is cancelled with
// WatchOverflowError (which says where to resume). Asking for, or falling behind into,
// compacted history gives WatchCompactedError.
import { WatchCompactedError, WatchOverflowError } from './errors.js';
import { DEFAULT_HISTORY_LIMITS, eventKey } from './kv-history.js';
import type { KvEvent } from './kv-history.js';
import type { WatchSource } from './state-machine.js';

export interface WatchOptions {
  /** Only keys starting with this ('' = all). */
  readonly prefix?: string;
  /** First revision to deliver; 0 (default) = only changes after the current revision. */
  readonly fromRevision?: number;
  /** Undelivered events allowed before the watch is cancelled; covers a full history replay by default. */
  readonly bufferLimit?: number;
}

export const WatchState = {
  Open: 'open',
  /** Ended by cancel() or the hub closing. */
  Cancelled: 'cancelled',
  /** Ended by overflow or compaction; `error` says which. */
  Failed: 'failed',
} as const;
export type WatchState = (typeof WatchState)[keyof typeof WatchState];

/** An async iterator of changes, oldest first. Iteration ends on cancel and throws on failure. */
export interface Watch extends AsyncIterableIterator<KvEvent> {
  readonly id: number;
  readonly prefix: string;
  readonly state: WatchState;
  readonly error: WatchOverflowError | WatchCompactedError | undefined;
  /** Buffered events, taken without waiting (throws `error` once failed and empty). */
  drain(): KvEvent[];
  cancel(): void;
}

export class WatchHub {
  private readonly watches = new Map<number, HubWatch>();
  private nextId = 1;

  constructor(private source: WatchSource) {}

  /** Number of open watches. */
  get size(): number {
    return this.watches.size;
  }

  /** Throws WatchCompactedError right away if `fromRevision` is no longer in the history. */
  watch(options: WatchOptions = {}): Watch {
    const from = options.fromRevision || this.source.revision + 1;
    if (from < this.source.oldestRevision) throw new WatchCompactedError(from, this.source.oldestRevision);
    const w = new HubWatch(this.nextId++, options.prefix ?? '', from, options.bufferLimit ?? DEFAULT_HISTORY_LIMITS.maxEvents, (id) =>
      this.watches.delete(id),
    );
    this.watches.set(w.id, w);
    w.catchUp(this.source);
    return w;
  }

  /** Call after applying entries: every open watch takes the changes it has not seen. */
  notify(): void {
    for (const w of [...this.watches.values()]) w.catchUp(this.source);
  }

  /** After restoring a snapshot: watches continue from their cursor if the new history still has it. */
  setSource(source: WatchSource): void {
    this.source = source;
    this.notify();
  }

  /** Cancel every watch (node shutdown). */
  close(): void {
    for (const w of [...this.watches.values()]) w.cancel();
  }
}

interface Waiter {
  resolve(r: IteratorResult<KvEvent>): void;
  reject(e: Error): void;
}

class HubWatch implements Watch {
  private queue: KvEvent[] = [];
  private waiters: Waiter[] = [];
  private stateValue: WatchState = WatchState.Open;
  private errorValue: WatchOverflowError | WatchCompactedError | undefined;

  constructor(
    readonly id: number,
    readonly prefix: string,
    /** The next revision to look at. */
    private cursor: number,
    private readonly bufferLimit: number,
    private readonly onEnd: (id: number) => void,
  ) {}

  get state(): WatchState {
    return this.stateValue;
  }

  get error(): WatchOverflowError | WatchCompactedError | undefined {
    return this.errorValue;
  }

  catchUp(source: WatchSource): void {
    if (this.stateValue !== WatchState.Open || this.cursor > source.revision) return;
    let events: KvEvent[];
    try {
      events = source.eventsFrom(this.cursor);
    } catch (e) {
      if (e instanceof WatchCompactedError) return this.fail(e);
      throw e;
    }
    this.cursor = source.revision + 1;
    for (const e of events) if (eventKey(e).startsWith(this.prefix)) this.queue.push(e);
    if (this.queue.length > this.bufferLimit) {
      return this.fail(new WatchOverflowError(this.bufferLimit, this.queue[0].revision));
    }
    while (this.waiters.length > 0 && this.queue.length > 0) {
      this.waiters.shift()!.resolve({ value: this.queue.shift()!, done: false });
    }
  }

  drain(): KvEvent[] {
    if (this.queue.length === 0 && this.errorValue) throw this.errorValue;
    const out = this.queue;
    this.queue = [];
    return out;
  }

  next(): Promise<IteratorResult<KvEvent>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.errorValue) return Promise.reject(this.errorValue);
    if (this.stateValue === WatchState.Cancelled) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** `break` out of for-await lands here. */
  return(): Promise<IteratorResult<KvEvent>> {
    this.cancel();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<KvEvent> {
    return this;
  }

  cancel(): void {
    if (this.stateValue !== WatchState.Open) return;
    this.end(WatchState.Cancelled);
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }

  private fail(error: WatchOverflowError | WatchCompactedError): void {
    this.errorValue = error;
    this.end(WatchState.Failed);
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  private end(state: WatchState): void {
    this.stateValue = state;
    this.queue = [];
    this.onEnd(this.id);
  }
}
