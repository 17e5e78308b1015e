// The coordination calls of a node (api/coordination-port.ts): each proposes its command through
// the write path and answers from what applying it did here; a refusal becomes its typed error.
// Two calls do more: a keep-alive is counted by the leader's keeper and acknowledged only after a
// ReadIndex round that began after it arrived (design item 3), and a waiting Acquire is held
// until the applied state grants that session (grant-waiters.ts, design item 7).
import type {
  AcquireAnswer,
  AcquireCall,
  CoordinationPort,
  HoldersChange,
  QueueView,
  SessionCreate,
  SessionView,
} from '../api/coordination-port.js';
import { InternalError, NoLeaderError, SessionNotFoundError } from '../errors.js';
import type { CoordOutcome, QueueRecord } from '../statemachine/coord-record.js';
import type { StateMachine } from '../statemachine/state-machine.js';
import type { CoordResult } from './apply-waiters.js';
import { refusalError } from './coord-errors.js';
import type { GrantWaiters } from './grant-waiters.js';
import type { HolderObservers } from './holder-observers.js';
import type { RequestGuard } from './request-guard.js';
import type { SessionKeeper } from './session-keeper.js';
import type { ClientCoordCommand } from './write-path.js';

export interface CoordinationOpsParts {
  readonly stateMachine: () => StateMachine;
  readonly guard: RequestGuard;
  readonly coord: (cmd: ClientCoordCommand) => Promise<CoordResult>;
  readonly readBarrier: () => Promise<void>;
  readonly keeper: SessionKeeper;
  readonly grants: GrantWaiters;
  readonly observers: HolderObservers;
  readonly monotonicMs: () => number;
}

type OutcomeOf<T extends CoordOutcome['type']> = Extract<CoordOutcome, { type: T }>;

export class CoordinationOps implements CoordinationPort {
  constructor(private readonly parts: CoordinationOpsParts) {}

  async createSession(req: SessionCreate): Promise<{ session: string; ttlMs: number; duplicate: boolean }> {
    const r = await this.parts.coord({ type: 'sessionCreate', ...req });
    const o = expect(r, 'sessionCreated');
    return { session: o.session, ttlMs: o.ttlMs, duplicate: r.duplicate };
  }

  /**
   * Leader only. The receipt is counted at once (the deadline only moves later), but the answer
   * waits for a ReadIndex round that began after it: an answered round proves this node still
   * led when a quorum answered, so any later leader starts keeping after the client sent this.
   */
  async keepAlive(session: string): Promise<{ ttlMs: number }> {
    const { guard, keeper } = this.parts;
    guard.usable();
    guard.requireLeader('SessionKeepAlive');
    const receivedAt = this.parts.monotonicMs();
    keeper.keepAlive(session, receivedAt);
    await this.parts.readBarrier();
    // The round also brought apply up to everything committed before the call: a session the
    // keeper or the state does not know now has ended (or never was).
    const verdict = keeper.keepAlive(session, receivedAt);
    const record = this.parts.stateMachine().session(session);
    if (record === undefined || verdict === 'unknown' || verdict === 'expiring')
      throw new SessionNotFoundError(`session ${session} has ended (closed or expired) or never existed`);
    // Acknowledged only by a leader that keeps sessions (it stepped down during the round, or
    // has not applied its first entry yet): the client asks again.
    if (verdict === 'notKeeping') throw new NoLeaderError('this node does not keep sessions now (not the leader, or just elected)');
    return { ttlMs: record.ttlMs };
  }

  async closeSession(session: string): Promise<{ closed: boolean }> {
    const r = await this.parts.coord({ type: 'sessionEnd', session, reason: 'closed' });
    return { closed: expect(r, 'sessionEnded').ended };
  }

  sessions(): SessionView[] {
    const now = this.parts.monotonicMs();
    return this.parts
      .stateMachine()
      .sessions()
      .map((s) => ({
        id: s.id,
        owner: s.owner,
        ttlMs: s.ttlMs,
        lockDelayMs: s.lockDelayMs,
        holds: s.holds,
        waits: s.waits,
        ephemeralKeys: s.ephemeralKeys,
        remainingMs: Math.floor(this.parts.keeper.remainingMs(s.id, now) ?? -1),
      }));
  }

  async acquire(req: AcquireCall, signal: AbortSignal): Promise<AcquireAnswer> {
    const { name, session, kind, limit, value } = req;
    const r = await this.parts.coord({ type: 'acquire', name, session, kind, limit, value });
    const o = expect(r, 'acquired');
    if (o.granted) return { granted: true, token: o.token };
    if (!req.wait) return { granted: false, position: o.position };
    // Entries applied since the answer may have granted it or ended the session already; the
    // check and the registration below happen in one turn, so no later grant is missed.
    const sm = this.parts.stateMachine();
    const held = sm.queue(name)?.holders.find((h) => h.session === session);
    if (held !== undefined) return { granted: true, token: held.token };
    if (sm.session(session) === undefined) throw new SessionNotFoundError(`session ${session} ended while waiting for "${name}"`);
    return { granted: true, token: await this.parts.grants.wait(name, session, signal) };
  }

  async release(name: string, session: string): Promise<{ released: boolean }> {
    const r = await this.parts.coord({ type: 'release', name, session });
    return { released: expect(r, 'released').released };
  }

  async proclaim(name: string, session: string, token: number, value: string): Promise<void> {
    expect(await this.parts.coord({ type: 'proclaim', name, session, token, value }), 'proclaimed');
  }

  queues(prefix: string): QueueView[] {
    const sm = this.parts.stateMachine();
    return sm.queues(prefix).map((q) => queueView(sm, q));
  }

  observe(name: string, onChange: (change: HoldersChange) => void): () => void {
    this.parts.guard.usable();
    return this.parts.observers.observe(name, this.parts.stateMachine().appliedIndex, onChange);
  }
}

function queueView(sm: StateMachine, q: QueueRecord): QueueView {
  const owner = (session: string): string => sm.session(session)?.owner ?? '';
  return {
    name: q.name,
    kind: q.kind,
    limit: q.limit,
    holders: q.holders.map((h) => ({ ...h, owner: owner(h.session) })),
    waiters: q.waiters.map((w) => ({ ...w, owner: owner(w.session) })),
    delayed: q.delayedSince > 0,
  };
}

/** The outcome of type `type`, or the refusal as its error. */
function expect<T extends CoordOutcome['type']>(r: CoordResult, type: T): OutcomeOf<T> {
  const o = r.outcome;
  if (o.type === 'coordRefused') throw refusalError(o.reason, o.detail);
  if (o.type !== type) throw new InternalError(`expected a ${type} outcome, the state machine answered ${o.type}`);
  return o as OutcomeOf<T>;
}
