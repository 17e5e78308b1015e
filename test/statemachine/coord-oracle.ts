// A naive model of the coordination rules (the shared design, items 1, 5 and 6), written as
// directly as the rules read: plain arrays, everything recomputed, no indexes to keep in step.
// coord-properties.test.ts applies the same random commands to it and to the state machine and
// compares every outcome, grant and listing.
import type { Command } from '../../src/statemachine/commands.js';
import type { CoordCommand, CoordOutcome, Grant, QueueRecord, SessionRecord } from '../../src/statemachine/coord-record.js';
import type { SessionView } from '../../src/statemachine/coord-state.js';
import { compareKeys } from '../../src/statemachine/key-order.js';

interface Queue {
  name: string;
  kind: QueueRecord['kind'];
  limit: number;
  holders: { session: string; token: number; value: string }[];
  waiters: { session: string; value: string }[];
  delayedSince: number;
  delayMs: number;
}

export interface OracleResult {
  readonly outcome: CoordOutcome;
  readonly grants: Grant[];
  /** Keys the end of a session deletes. */
  readonly endedKeys: string[];
}

export class CoordOracle {
  private sessionList: SessionRecord[] = [];
  private queueList: Queue[] = [];
  private bindings: { key: string; session: string }[] = [];
  private lastToken = 0;

  apply(cmd: CoordCommand, index: number): OracleResult {
    const none = (outcome: CoordOutcome): OracleResult => ({ outcome, grants: [], endedKeys: [] });
    const alive = (id: string): boolean => this.sessionList.some((s) => s.id === id);
    const gone = (id: string): OracleResult =>
      none({ type: 'coordRefused', reason: 'SESSION_NOT_FOUND', detail: `session ${id} has ended or never existed` });
    const grants: Grant[] = [];
    switch (cmd.type) {
      case 'sessionCreate':
        this.sessionList.push({ id: String(index), owner: cmd.owner, ttlMs: cmd.ttlMs, lockDelayMs: cmd.lockDelayMs });
        return none({ type: 'sessionCreated', session: String(index), ttlMs: cmd.ttlMs });
      case 'sessionEnd': {
        const s = this.sessionList.find((x) => x.id === cmd.session);
        if (s === undefined) return none({ type: 'sessionEnded', session: cmd.session, ended: false });
        this.sessionList = this.sessionList.filter((x) => x !== s);
        for (const q of this.sorted()) {
          const held = q.holders.some((h) => h.session === s.id);
          if (!held && !q.waiters.some((w) => w.session === s.id)) continue;
          q.holders = q.holders.filter((h) => h.session !== s.id);
          q.waiters = q.waiters.filter((w) => w.session !== s.id);
          if (held && cmd.reason === 'expired' && s.lockDelayMs > 0) {
            q.delayMs = Math.max(q.delayedSince === 0 ? 0 : q.delayMs, s.lockDelayMs);
            q.delayedSince = index;
          }
          this.serve(q, index, grants);
        }
        const endedKeys = this.bindings.filter((b) => b.session === s.id).map((b) => b.key);
        this.bindings = this.bindings.filter((b) => b.session !== s.id);
        this.dropIdle();
        return { outcome: { type: 'sessionEnded', session: s.id, ended: true }, grants, endedKeys: endedKeys.sort(compareKeys) };
      }
      case 'acquire': {
        if (!alive(cmd.session)) return gone(cmd.session);
        let q = this.queueList.find((x) => x.name === cmd.name);
        if (q !== undefined && (q.kind !== cmd.kind || q.limit !== cmd.limit)) {
          const detail = `${cmd.name} is a ${q.kind} with limit ${q.limit}, not a ${cmd.kind} with limit ${cmd.limit}`;
          return none({ type: 'coordRefused', reason: 'QUEUE_MISMATCH', detail });
        }
        const mine = q?.holders.find((h) => h.session === cmd.session);
        if (mine !== undefined) return none({ type: 'acquired', granted: true, token: mine.token });
        const at = q?.waiters.findIndex((w) => w.session === cmd.session) ?? -1;
        if (at >= 0) return none({ type: 'acquired', granted: false, position: at });
        if (q === undefined) {
          q = { name: cmd.name, kind: cmd.kind, limit: cmd.limit, holders: [], waiters: [], delayedSince: 0, delayMs: 0 };
          this.queueList.push(q);
        }
        q.waiters.push({ session: cmd.session, value: cmd.value });
        this.serve(q, index, grants);
        const g = grants.find((x) => x.session === cmd.session);
        const outcome: CoordOutcome =
          g === undefined
            ? { type: 'acquired', granted: false, position: q.waiters.length - 1 }
            : { type: 'acquired', granted: true, token: g.token };
        return { outcome, grants, endedKeys: [] };
      }
      case 'release': {
        if (!alive(cmd.session)) return gone(cmd.session);
        const q = this.queueList.find((x) => x.name === cmd.name);
        const member =
          (q?.holders.some((h) => h.session === cmd.session) ?? false) || (q?.waiters.some((w) => w.session === cmd.session) ?? false);
        if (q === undefined || !member) return none({ type: 'released', released: false });
        q.holders = q.holders.filter((h) => h.session !== cmd.session);
        q.waiters = q.waiters.filter((w) => w.session !== cmd.session);
        this.serve(q, index, grants);
        this.dropIdle();
        return { outcome: { type: 'released', released: true }, grants, endedKeys: [] };
      }
      case 'proclaim': {
        if (!alive(cmd.session)) return gone(cmd.session);
        const h = this.queueList.find((x) => x.name === cmd.name)?.holders.find((x) => x.session === cmd.session && x.token === cmd.token);
        if (h === undefined) {
          return none({
            type: 'coordRefused',
            reason: 'NOT_HOLDER',
            detail: `session ${cmd.session} does not hold ${cmd.name} with token ${cmd.token}`,
          });
        }
        h.value = cmd.value;
        return none({ type: 'proclaimed' });
      }
      case 'lockDelayEnd': {
        const q = this.queueList.find((x) => x.name === cmd.name);
        if (q !== undefined && q.delayedSince === cmd.since) {
          q.delayedSince = 0;
          q.delayMs = 0;
          this.serve(q, index, grants);
          this.dropIdle();
        }
        return { outcome: { type: 'lockDelayEnded' }, grants, endedKeys: [] };
      }
    }
  }

  /** The refusal a KV write gets, if any (its reason). */
  refusal(cmd: Extract<Command, { type: 'put' | 'delete' | 'cas' }>): string | undefined {
    const g = cmd.ifToken;
    if (g !== undefined && !(this.queueList.find((q) => q.name === g.name)?.holders.some((h) => h.token === g.token) ?? false)) {
      return 'STALE_FENCING_TOKEN';
    }
    const session = cmd.type === 'delete' ? undefined : cmd.session;
    if (session !== undefined && !this.sessionList.some((s) => s.id === session)) return 'SESSION_NOT_FOUND';
    return undefined;
  }

  /** A KV write took effect (a put, a successful cas, a delete that deleted). */
  written(key: string, session: string | undefined): void {
    this.bindings = this.bindings.filter((b) => b.key !== key);
    if (session !== undefined) this.bindings.push({ key, session });
  }

  sessions(): SessionView[] {
    return this.sessionList.map((s) => ({
      ...s,
      holds: this.sorted()
        .filter((q) => q.holders.some((h) => h.session === s.id))
        .map((q) => q.name),
      waits: this.sorted()
        .filter((q) => q.waiters.some((w) => w.session === s.id))
        .map((q) => q.name),
      ephemeralKeys: this.bindings.filter((b) => b.session === s.id).length,
    }));
  }

  queues(): QueueRecord[] {
    return this.sorted().map((q) => ({ ...q, holders: q.holders.map((h) => ({ ...h })), waiters: q.waiters.map((w) => ({ ...w })) }));
  }

  keySession(key: string): string | undefined {
    return this.bindings.find((b) => b.key === key)?.session;
  }

  /** First come, first served: while a slot is free and no delay runs. */
  private serve(q: Queue, index: number, grants: Grant[]): void {
    while (q.delayedSince === 0 && q.holders.length < q.limit && q.waiters.length > 0) {
      const w = q.waiters.shift()!;
      this.lastToken = Math.max(index, this.lastToken + 1);
      q.holders.push({ session: w.session, token: this.lastToken, value: w.value });
      grants.push({ name: q.name, session: w.session, token: this.lastToken });
    }
  }

  private dropIdle(): void {
    this.queueList = this.queueList.filter((q) => q.holders.length > 0 || q.waiters.length > 0 || q.delayedSince !== 0);
  }

  private sorted(): Queue[] {
    return this.queueList.slice().sort((a, b) => compareKeys(a.name, b.name));
  }
}
