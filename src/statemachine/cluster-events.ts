// The replicated event log behind `palisade events`: elections, promotions, demotions,
// fences and hook results, newest kept, oldest dropped. Timestamps come inside the
// command (the proposer's clock), never from the applying replica. The HA layer decides
// what to record; this file only keeps a bounded, numbered, deterministic ring.
import { Deque } from './deque.js';

export const ClusterEventKind = {
  Election: 'election',
  Promotion: 'promotion',
  Demotion: 'demotion',
  Fence: 'fence',
  Hook: 'hook',
  /** A node's check verdict changed, or a decision taken because of one (issue 15). */
  Health: 'health',
} as const;
export type ClusterEventKind = (typeof ClusterEventKind)[keyof typeof ClusterEventKind];

export interface ClusterEvent {
  readonly kind: ClusterEventKind;
  /** Milliseconds since the Unix epoch, read by the proposer. */
  readonly at: number;
  readonly nodeId: string;
  readonly term: number;
  readonly durationMs?: number;
  /** The HA epoch concerned (promotion, demotion, fence, hook), when there is one. */
  readonly epoch?: number;
  /** Free text (a hook's exit status, a fence target...). */
  readonly detail: string;
}

/** An event as stored: `seq` numbers events 1, 2, 3... across the cluster's life. */
export interface RecordedEvent extends ClusterEvent {
  readonly seq: number;
}

export class ClusterEventLog {
  private readonly ring = new Deque<RecordedEvent>();
  private lastSeq = 0;

  constructor(readonly capacity: number) {}

  get seq(): number {
    return this.lastSeq;
  }

  record(event: ClusterEvent): RecordedEvent {
    const recorded: RecordedEvent = { ...event, seq: ++this.lastSeq };
    this.ring.push(recorded);
    while (this.ring.length > this.capacity) this.ring.shift();
    return recorded;
  }

  /** Events with seq > afterSeq still held, oldest first. */
  list(afterSeq = 0): RecordedEvent[] {
    const first = this.ring.first();
    if (!first) return [];
    return this.ring.sliceFrom(afterSeq + 1 - first.seq);
  }

  /** For restore only. */
  static fromParts(capacity: number, lastSeq: number, events: readonly RecordedEvent[]): ClusterEventLog {
    const log = new ClusterEventLog(capacity);
    for (const e of events) log.ring.push(e);
    log.lastSeq = lastSeq;
    while (log.ring.length > capacity) log.ring.shift();
    return log;
  }
}
