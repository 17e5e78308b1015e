// The leader's session clock (docs/coordination.md, design item 2). Pure: no timers, no I/O, the
// time is passed in — the node host drives it (coordination-host.ts) and so does the simulator.
//
// A session's deadline is max(when this leader last received its keep-alive, when this leader
// started keeping, when its create was applied here) + ttl. A leader starts keeping only once it
// has applied an entry of its own term: then it knows every session, and it starts every one
// at now + ttl, whatever a previous leader had counted. Why that is safe: a client counts its
// validity from the send time of its last keep-alive acknowledged after a ReadIndex round
// (design item 3), and that round proves no newer leader had been elected when it was answered;
// so any later leader starts keeping after that send time, and its deadline is ≥ send + ttl.
// Everything is dropped when the node stops leading. When a deadline passes the keeper proposes
// the session's expiry, and again after `retryMs` if it has not been applied; a keep-alive that
// arrives at or after the deadline no longer extends it (the expiry is already on its way).
// Lock-delay: a queue left delayed by an expiry is freed by a `lockDelayEnd` proposed at (the
// time this leader applied the expiry, or started keeping) + the delay.
import type { CoordCommand } from '../statemachine/coord-record.js';

/** What the keeper asks the leader to propose. */
export type KeeperProposal = Extract<CoordCommand, { type: 'sessionEnd' } | { type: 'lockDelayEnd' }>;

/** What applying an entry changed, as far as the keeper cares. */
export type KeeperChange =
  | { readonly type: 'sessionCreated'; readonly session: string; readonly ttlMs: number }
  | { readonly type: 'sessionEnded'; readonly session: string }
  | { readonly type: 'delayStarted'; readonly name: string; readonly since: number; readonly delayMs: number }
  | { readonly type: 'delayEnded'; readonly name: string; readonly since: number };

/** The applied state the keeper starts from. */
export interface KeeperStart {
  readonly sessions: readonly { readonly id: string; readonly ttlMs: number }[];
  readonly delays: readonly { readonly name: string; readonly since: number; readonly delayMs: number }[];
}

export type KeepAliveVerdict =
  /** Counted: the deadline is at least receivedAt + ttl. */
  | 'kept'
  /** This node does not keep sessions now (not the leader, or not yet started): ask the applied state. */
  | 'notKeeping'
  /** No such session (ended, or never created). */
  | 'unknown'
  /** Its deadline had passed: its expiry is proposed or about to be. */
  | 'expiring';

interface KeptSession {
  readonly ttlMs: number;
  /** The latest of: keep start, create applied, keep-alive received. */
  base: number;
  /** When its expiry was last proposed (undefined: not yet). */
  proposedAt: number | undefined;
}

interface KeptDelay {
  readonly since: number;
  readonly dueAt: number;
  proposedAt: number | undefined;
}

export interface SessionKeeperOptions {
  /** An expiry or a lock-delay end not applied this long after its proposal is proposed again. */
  readonly retryMs: number;
}

export class SessionKeeper {
  /** 0: not leading. */
  private term = 0;
  private keeping = false;
  private readonly sessions = new Map<string, KeptSession>();
  private readonly delays = new Map<string, KeptDelay>();

  constructor(private readonly options: SessionKeeperOptions) {
    if (!(options.retryMs > 0)) throw new RangeError(`retryMs must be positive, got ${options.retryMs}`);
  }

  /** True once this leader keeps sessions (it has applied an entry of its own term). */
  get isKeeping(): boolean {
    return this.keeping;
  }

  /** This node leads `term` now. It starts keeping at its first applied entry of that term. */
  becameLeader(term: number): void {
    if (term === this.term) return;
    this.stepDown();
    this.term = term;
  }

  /** Not the leader any more: forget everything (the next leader starts afresh). */
  stepDown(): void {
    this.term = 0;
    this.keeping = false;
    this.sessions.clear();
    this.delays.clear();
  }

  /**
   * Entries up to one of term `appliedTerm` were applied at `now`. The first time that is this
   * leader's own term, keeping starts from `start()` (the state after them) and `changes` are
   * already in it; later, `changes` are what those entries did.
   */
  applied(now: number, appliedTerm: number, changes: readonly KeeperChange[], start: () => KeeperStart): void {
    if (this.term === 0) return;
    if (!this.keeping) {
      if (appliedTerm === this.term) this.startKeeping(now, start());
      return;
    }
    for (const c of changes) this.apply(now, c);
  }

  /**
   * A keep-alive of `session` received at `receivedAt`. Counted only while keeping, for a known
   * session whose deadline has not passed; the answer says which case holds. Calling it again
   * with the same time (after the ReadIndex round) changes nothing and answers the same or worse.
   */
  keepAlive(session: string, receivedAt: number): KeepAliveVerdict {
    if (!this.keeping) return 'notKeeping';
    const s = this.sessions.get(session);
    if (s === undefined) return 'unknown';
    if (s.proposedAt !== undefined || receivedAt >= s.base + s.ttlMs) return 'expiring';
    s.base = Math.max(s.base, receivedAt);
    return 'kept';
  }

  /** The proposals due at `now` (each again only after retryMs); the caller proposes them. */
  due(now: number): KeeperProposal[] {
    const out: KeeperProposal[] = [];
    if (!this.keeping) return out;
    const retry = this.options.retryMs;
    for (const [id, s] of this.sessions) {
      if (now < s.base + s.ttlMs || (s.proposedAt !== undefined && now < s.proposedAt + retry)) continue;
      s.proposedAt = now;
      out.push({ type: 'sessionEnd', session: id, reason: 'expired' });
    }
    for (const [name, d] of this.delays) {
      if (now < d.dueAt || (d.proposedAt !== undefined && now < d.proposedAt + retry)) continue;
      d.proposedAt = now;
      out.push({ type: 'lockDelayEnd', name, since: d.since });
    }
    return out;
  }

  /** The earliest time due() would propose something; undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    if (!this.keeping) return undefined;
    let next = Infinity;
    const retry = this.options.retryMs;
    for (const s of this.sessions.values()) next = Math.min(next, s.proposedAt === undefined ? s.base + s.ttlMs : s.proposedAt + retry);
    for (const d of this.delays.values()) next = Math.min(next, d.proposedAt === undefined ? d.dueAt : d.proposedAt + retry);
    return next === Infinity ? undefined : next;
  }

  /** True from becameLeader until stepDown. */
  get isLeading(): boolean {
    return this.term !== 0;
  }

  /** The lock-delays it will end (to drop those that ended otherwise: a queue that went away). */
  pendingDelays(): { readonly name: string; readonly since: number }[] {
    return [...this.delays].map(([name, d]) => ({ name, since: d.since }));
  }

  /** Time left before `session` expires by this leader's clock; undefined when not keeping or unknown. */
  remainingMs(session: string, now: number): number | undefined {
    if (!this.keeping) return undefined;
    const s = this.sessions.get(session);
    return s === undefined ? undefined : Math.max(0, s.base + s.ttlMs - now);
  }

  private startKeeping(now: number, start: KeeperStart): void {
    this.keeping = true;
    for (const s of start.sessions) this.sessions.set(s.id, { ttlMs: s.ttlMs, base: now, proposedAt: undefined });
    for (const d of start.delays) this.delays.set(d.name, { since: d.since, dueAt: now + d.delayMs, proposedAt: undefined });
  }

  private apply(now: number, c: KeeperChange): void {
    switch (c.type) {
      case 'sessionCreated':
        if (!this.sessions.has(c.session)) this.sessions.set(c.session, { ttlMs: c.ttlMs, base: now, proposedAt: undefined });
        return;
      case 'sessionEnded':
        this.sessions.delete(c.session);
        return;
      case 'delayStarted':
        this.delays.set(c.name, { since: c.since, dueAt: now + c.delayMs, proposedAt: undefined });
        return;
      case 'delayEnded':
        if (this.delays.get(c.name)?.since === c.since) this.delays.delete(c.name);
        return;
      default: {
        const never: never = c;
        throw new Error(`unknown keeper change ${JSON.stringify(never)}`);
      }
    }
  }
}
