// The bounded change history that watches replay from. Every mutation of the KV store is
// one revision and one event, so the history is a contiguous run of revisions ending at
// the store's current revision; anything older has been compacted away. It is replicated
// state (in the snapshot), so a watch gives the same answer on every replica.
import { Deque } from './deque.js';
import { WatchCompactedError } from './errors.js';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the put that created the key (since its last delete). */
  readonly createRevision: number;
  /** Revision of the last put of the key. */
  readonly modRevision: number;
  /** Puts since creation: 1 after the first. */
  readonly version: number;
}

export const KvEventType = {
  Put: 'put',
  Delete: 'delete',
} as const;
export type KvEventType = (typeof KvEventType)[keyof typeof KvEventType];

export type KvEvent =
  | { readonly type: 'put'; readonly revision: number; readonly kv: KeyValue }
  | { readonly type: 'delete'; readonly revision: number; readonly key: string };

export interface HistoryLimits {
  /** At most this many events (10,000 by default). */
  readonly maxEvents: number;
  /** At most about this many key+value bytes; the newest event is always kept. */
  readonly maxBytes: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = Object.freeze({ maxEvents: 10_000, maxBytes: 32 * 1024 * 1024 });

/** Per-event bookkeeping cost, so many tiny events also count. */
const EVENT_OVERHEAD_BYTES = 32;

export function eventKey(e: KvEvent): string {
  return e.type === KvEventType.Put ? e.kv.key : e.key;
}

function eventBytes(e: KvEvent): number {
  const payload =
    e.type === KvEventType.Put
      ? Buffer.byteLength(e.kv.key, 'utf8') + Buffer.byteLength(e.kv.value, 'utf8')
      : Buffer.byteLength(e.key, 'utf8');
  return EVENT_OVERHEAD_BYTES + payload;
}

export class KvHistory {
  private readonly events = new Deque<KvEvent>();
  private bytes = 0;
  /** The revision of the newest event pushed (the store's revision). */
  private last: number;

  constructor(
    readonly limits: HistoryLimits,
    lastRevision = 0,
  ) {
    this.last = lastRevision;
  }

  get length(): number {
    return this.events.length;
  }

  /** The oldest revision a watch may start from; everything below is compacted. */
  get oldestRevision(): number {
    return this.events.first()?.revision ?? this.last + 1;
  }

  push(e: KvEvent): void {
    if (e.revision !== this.last + 1) throw new Error(`kv history: event revision ${e.revision} after ${this.last}`);
    this.last = e.revision;
    this.events.push(e);
    this.bytes += eventBytes(e);
    while (this.events.length > 1 && (this.events.length > this.limits.maxEvents || this.bytes > this.limits.maxBytes)) {
      this.bytes -= eventBytes(this.events.shift()!);
    }
  }

  /**
   * Events with revision ≥ from, oldest first. `from` beyond the newest revision gives [];
   * `from` below oldestRevision throws WatchCompactedError.
   */
  eventsFrom(from: number): KvEvent[] {
    const oldest = this.oldestRevision;
    if (from < oldest) throw new WatchCompactedError(from, oldest);
    return this.events.sliceFrom(from - oldest);
  }

  toArray(): KvEvent[] {
    return this.events.toArray();
  }
}
