// The replicated coordination state (docs/coordination.md): sessions, the queues of named locks,
// elections and semaphores, the fencing-token counter and the keys bound to sessions. A reducer
// over committed coordination commands, deterministic: every result and every image lists things
// in a fixed order (sessions by id, names and keys in byte order), never in the maps' order.
import { compareKeys } from './key-order.js';
import { CoordRefusal } from './coord-record.js';
import type {
  CoordCommand,
  CoordOutcome,
  FencingGuard,
  Grant,
  HolderRecord,
  QueueKind,
  QueueRecord,
  SessionEndReason,
  SessionRecord,
  WaiterRecord,
} from './coord-record.js';

/** What applying one coordination command did. */
export interface CoordApplied {
  readonly outcome: CoordOutcome;
  /** New grants, in the order made (several when a release or an end frees slots). */
  readonly grants: readonly Grant[];
  /** Keys bound to a session that this entry ended, in key order: the caller deletes them from the store. */
  readonly endedKeys: readonly string[];
}

/** A session as the lists show it. */
export interface SessionView extends SessionRecord {
  /** Names it holds, in byte order. */
  readonly holds: readonly string[];
  /** Names it waits for, in byte order. */
  readonly waits: readonly string[];
  readonly ephemeralKeys: number;
}

export interface EphemeralKey {
  readonly key: string;
  readonly session: string;
}

/** The whole state as plain data, for the snapshot: sessions by id, queues by name, keys in order. */
export interface CoordImage {
  readonly lastToken: number;
  readonly sessions: readonly SessionRecord[];
  readonly queues: readonly QueueRecord[];
  readonly ephemeralKeys: readonly EphemeralKey[];
}

export const EMPTY_COORD_IMAGE: CoordImage = Object.freeze({ lastToken: 0, sessions: [], queues: [], ephemeralKeys: [] });

interface LiveSession {
  readonly record: SessionRecord;
  readonly holds: Set<string>;
  readonly waits: Set<string>;
  readonly keys: Set<string>;
}

interface LiveQueue {
  readonly name: string;
  readonly kind: QueueKind;
  readonly limit: number;
  holders: HolderRecord[];
  waiters: WaiterRecord[];
  delayedSince: number;
  delayMs: number;
}

const bySessionId = (a: string, b: string): number => Number(a) - Number(b);

export class CoordState {
  private readonly liveSessions = new Map<string, LiveSession>();
  private readonly liveQueues = new Map<string, LiveQueue>();
  /** Ephemeral key → its session. */
  private readonly keyOwners = new Map<string, string>();
  /** Names of the queues in a lock-delay (the keeper asks after every expiry: no scan of every queue). */
  private readonly delayed = new Set<string>();
  private lastTokenValue = 0;

  /** Apply one committed command found at log index `index`. */
  apply(cmd: CoordCommand, index: number): CoordApplied {
    switch (cmd.type) {
      case 'sessionCreate': {
        const record: SessionRecord = { id: String(index), owner: cmd.owner, ttlMs: cmd.ttlMs, lockDelayMs: cmd.lockDelayMs };
        this.liveSessions.set(record.id, { record, holds: new Set(), waits: new Set(), keys: new Set() });
        return only({ type: 'sessionCreated', session: record.id, ttlMs: record.ttlMs });
      }
      case 'sessionEnd':
        return this.endSession(cmd.session, cmd.reason, index);
      case 'acquire':
        return this.acquire(cmd, index);
      case 'release':
        return this.release(cmd.name, cmd.session, index);
      case 'proclaim':
        return this.proclaim(cmd.name, cmd.session, cmd.token, cmd.value);
      case 'lockDelayEnd': {
        const q = this.liveQueues.get(cmd.name);
        const grants: Grant[] = [];
        // An older delay's end (the queue was delayed again since) changes nothing.
        if (q !== undefined && q.delayedSince === cmd.since) {
          q.delayedSince = 0;
          q.delayMs = 0;
          this.delayed.delete(q.name);
          this.grantWaiters(q, index, grants);
          this.dropIfIdle(q);
        }
        return { outcome: { type: 'lockDelayEnded' }, grants, endedKeys: [] };
      }
      default: {
        const never: never = cmd;
        throw new Error(`unknown coordination command ${JSON.stringify(never)}`);
      }
    }
  }

  private endSession(id: string, reason: SessionEndReason, index: number): CoordApplied {
    const s = this.liveSessions.get(id);
    if (s === undefined) return only({ type: 'sessionEnded', session: id, ended: false });
    this.liveSessions.delete(id);
    const grants: Grant[] = [];
    for (const name of [...new Set([...s.holds, ...s.waits])].sort(compareKeys)) {
      const q = this.liveQueues.get(name)!;
      const held = q.holders.some((h) => h.session === id);
      q.holders = q.holders.filter((h) => h.session !== id);
      q.waiters = q.waiters.filter((w) => w.session !== id);
      // Consul's lock-delay: after an expiry the old holder may still act for a while, so nobody
      // else is granted until the leader says the delay ran out. A close is the holder's own word.
      // A second expiry during a delay restarts it with the longer of the two delays: it then ends
      // no sooner than either would have (the leader applied this entry after the first).
      if (held && reason === 'expired' && s.record.lockDelayMs > 0) {
        q.delayMs = q.delayedSince === 0 ? s.record.lockDelayMs : Math.max(q.delayMs, s.record.lockDelayMs);
        q.delayedSince = index;
        this.delayed.add(q.name);
      }
      this.grantWaiters(q, index, grants);
      this.dropIfIdle(q);
    }
    const endedKeys = [...s.keys].sort(compareKeys);
    for (const key of endedKeys) this.keyOwners.delete(key);
    return { outcome: { type: 'sessionEnded', session: id, ended: true }, grants, endedKeys };
  }

  private acquire(cmd: Extract<CoordCommand, { type: 'acquire' }>, index: number): CoordApplied {
    const s = this.liveSessions.get(cmd.session);
    if (s === undefined) return refused(CoordRefusal.SessionNotFound, `session ${cmd.session} has ended or never existed`);
    let q = this.liveQueues.get(cmd.name);
    if (q !== undefined) {
      if (q.kind !== cmd.kind || q.limit !== cmd.limit) {
        return refused(
          CoordRefusal.QueueMismatch,
          `${cmd.name} is a ${q.kind} with limit ${q.limit}, not a ${cmd.kind} with limit ${cmd.limit}`,
        );
      }
      const holding = q.holders.find((h) => h.session === cmd.session);
      if (holding !== undefined) return only({ type: 'acquired', granted: true, token: holding.token });
      const position = q.waiters.findIndex((w) => w.session === cmd.session);
      if (position >= 0) return only({ type: 'acquired', granted: false, position });
    } else {
      q = { name: cmd.name, kind: cmd.kind, limit: cmd.limit, holders: [], waiters: [], delayedSince: 0, delayMs: 0 };
      this.liveQueues.set(cmd.name, q);
    }
    q.waiters.push({ session: cmd.session, value: cmd.value });
    s.waits.add(cmd.name);
    const grants: Grant[] = [];
    this.grantWaiters(q, index, grants);
    const granted = grants.find((g) => g.session === cmd.session);
    if (granted !== undefined) return { outcome: { type: 'acquired', granted: true, token: granted.token }, grants, endedKeys: [] };
    return { outcome: { type: 'acquired', granted: false, position: q.waiters.length - 1 }, grants, endedKeys: [] };
  }

  private release(name: string, session: string, index: number): CoordApplied {
    const s = this.liveSessions.get(session);
    if (s === undefined) return refused(CoordRefusal.SessionNotFound, `session ${session} has ended or never existed`);
    const q = this.liveQueues.get(name);
    if (q === undefined || !(s.holds.has(name) || s.waits.has(name))) return only({ type: 'released', released: false });
    q.holders = q.holders.filter((h) => h.session !== session);
    q.waiters = q.waiters.filter((w) => w.session !== session);
    s.holds.delete(name);
    s.waits.delete(name);
    const grants: Grant[] = [];
    this.grantWaiters(q, index, grants);
    this.dropIfIdle(q);
    return { outcome: { type: 'released', released: true }, grants, endedKeys: [] };
  }

  private proclaim(name: string, session: string, token: number, value: string): CoordApplied {
    if (!this.liveSessions.has(session)) return refused(CoordRefusal.SessionNotFound, `session ${session} has ended or never existed`);
    const q = this.liveQueues.get(name);
    const i = q?.holders.findIndex((h) => h.session === session && h.token === token) ?? -1;
    if (q === undefined || i < 0) return refused(CoordRefusal.NotHolder, `session ${session} does not hold ${name} with token ${token}`);
    q.holders = q.holders.map((h, j) => (j === i ? { ...h, value } : h));
    return only({ type: 'proclaimed' });
  }

  /** Serve waiters in order while a slot is free and the queue is not delayed. */
  private grantWaiters(q: LiveQueue, index: number, grants: Grant[]): void {
    while (q.delayedSince === 0 && q.holders.length < q.limit && q.waiters.length > 0) {
      const w = q.waiters.shift()!;
      const s = this.liveSessions.get(w.session)!;
      s.waits.delete(q.name);
      s.holds.add(q.name);
      // One counter for every name: strictly increasing per name and across names, and equal to
      // the granting entry's index unless one entry grants several.
      this.lastTokenValue = Math.max(index, this.lastTokenValue + 1);
      q.holders = [...q.holders, { session: w.session, token: this.lastTokenValue, value: w.value }];
      grants.push({ name: q.name, session: w.session, token: this.lastTokenValue });
    }
  }

  /** A queue nobody holds or waits for goes, unless a lock-delay still has to run out. */
  private dropIfIdle(q: LiveQueue): void {
    if (q.holders.length === 0 && q.waiters.length === 0 && q.delayedSince === 0) this.liveQueues.delete(q.name);
  }

  // ---- the KV store's side: fencing guards and ephemeral keys ----

  hasSession(id: string): boolean {
    return this.liveSessions.has(id);
  }

  /** Does a holder of `guard.name` have exactly `guard.token`? */
  guardHolds(guard: FencingGuard): boolean {
    return this.liveQueues.get(guard.name)?.holders.some((h) => h.token === guard.token) ?? false;
  }

  /** The key was written with a live session: it goes when that session ends. */
  bindKey(key: string, session: string): void {
    this.unbindKey(key);
    this.keyOwners.set(key, session);
    this.liveSessions.get(session)!.keys.add(key);
  }

  /** The key was deleted, or written without a session: it no longer belongs to one. */
  unbindKey(key: string): void {
    const owner = this.keyOwners.get(key);
    if (owner === undefined) return;
    this.keyOwners.delete(key);
    this.liveSessions.get(owner)?.keys.delete(key);
  }

  keySession(key: string): string | undefined {
    return this.keyOwners.get(key);
  }

  // ---- reading ----

  get lastToken(): number {
    return this.lastTokenValue;
  }

  /** Every live session, by id (= creation order). */
  sessions(): SessionView[] {
    return [...this.liveSessions.keys()].sort(bySessionId).map((id) => this.session(id)!);
  }

  session(id: string): SessionView | undefined {
    const s = this.liveSessions.get(id);
    if (s === undefined) return undefined;
    const sorted = (set: Set<string>): string[] => [...set].sort(compareKeys);
    return { ...s.record, holds: sorted(s.holds), waits: sorted(s.waits), ephemeralKeys: s.keys.size };
  }

  /** Queues whose name starts with `prefix`, in byte order. */
  queues(prefix = ''): QueueRecord[] {
    const names = [...this.liveQueues.keys()].filter((n) => n.startsWith(prefix)).sort(compareKeys);
    return names.map((n) => this.queue(n)!);
  }

  queue(name: string): QueueRecord | undefined {
    const q = this.liveQueues.get(name);
    return q === undefined ? undefined : { ...q, holders: q.holders.slice(), waiters: q.waiters.slice() };
  }

  /** Queues waiting for a lockDelayEnd, in byte order (the leader's keeper schedules them). */
  delayedQueues(): QueueRecord[] {
    return [...this.delayed].sort(compareKeys).map((n) => this.queue(n)!);
  }

  // ---- snapshot ----

  /** Fresh arrays of records never changed in place: stays this state while more is applied. */
  image(): CoordImage {
    return {
      lastToken: this.lastTokenValue,
      sessions: [...this.liveSessions.keys()].sort(bySessionId).map((id) => this.liveSessions.get(id)!.record),
      queues: this.queues(),
      ephemeralKeys: [...this.keyOwners.keys()].sort(compareKeys).map((key) => ({ key, session: this.keyOwners.get(key)! })),
    };
  }

  /** Rebuild from an image that coordImageProblem accepted. */
  static fromImage(img: CoordImage): CoordState {
    const c = new CoordState();
    c.lastTokenValue = img.lastToken;
    for (const record of img.sessions) c.liveSessions.set(record.id, { record, holds: new Set(), waits: new Set(), keys: new Set() });
    for (const q of img.queues) {
      c.liveQueues.set(q.name, { ...q, holders: q.holders.slice(), waiters: q.waiters.slice() });
      if (q.delayedSince !== 0) c.delayed.add(q.name);
      for (const h of q.holders) c.liveSessions.get(h.session)!.holds.add(q.name);
      for (const w of q.waiters) c.liveSessions.get(w.session)!.waits.add(q.name);
    }
    for (const { key, session } of img.ephemeralKeys) c.bindKey(key, session);
    return c;
  }
}

function only(outcome: CoordOutcome): CoordApplied {
  return { outcome, grants: [], endedKeys: [] };
}

function refused(reason: CoordRefusal, detail: string): CoordApplied {
  return only({ type: 'coordRefused', reason, detail });
}
