// The bounded queue of messages waiting for one peer's stream. Raft tolerates message loss
// (every message is retried or superseded: heartbeats repeat, the leader re-probes from its
// progress, candidates re-campaign), so when a slow or absent peer fills the queue we drop
// the OLDEST message: it is the most likely to be superseded already. Drops are counted.
import type { InstallSnapshot, Message } from '../raft/messages.js';

export type StreamMessage = Exclude<Message, InstallSnapshot>;

/** A rough wire size, to keep batches well below gRPC's message limit. */
export function estimateSize(m: StreamMessage): number {
  let size = 32;
  switch (m.type) {
    case 'appendEntries':
    case 'propose':
      for (const e of m.entries) size += 24 + e.data.length;
      return size;
    case 'readIndex':
    case 'readIndexResponse':
      return size + m.context.length * 3;
    case 'transferLeader':
      return size + m.target.length * 3;
    default:
      return size;
  }
}

export class SendQueue {
  private items: StreamMessage[] = [];
  private head = 0;

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`queue limit ${limit}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends `m`; returns the message dropped to make room, if any. */
  push(m: StreamMessage): StreamMessage | undefined {
    let dropped: StreamMessage | undefined;
    if (this.length >= this.limit) dropped = this.shift();
    this.items.push(m);
    return dropped;
  }

  /**
   * Everything queued, oldest first, up to `maxBytes` (estimated) — but always at least one
   * message, so a single large message still goes out (gRPC's own limit is the hard bound).
   */
  take(maxBytes: number): StreamMessage[] {
    const out: StreamMessage[] = [];
    let bytes = 0;
    while (this.length > 0) {
      const next = this.items[this.head];
      const size = estimateSize(next);
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push(next);
      bytes += size;
      this.shift();
    }
    return out;
  }

  /** Drops everything; returns how many were dropped. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    return n;
  }

  private shift(): StreamMessage | undefined {
    if (this.length === 0) return undefined;
    const m = this.items[this.head];
    this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return m;
  }
}
