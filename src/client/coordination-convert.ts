// Wire → the coordination types of the client (coordination-types.ts), checked like convert.ts:
// a value the client cannot represent, or a kind it does not know, is refused, not guessed.
import type { Holder__Output } from '../transport/generated/palisade/v1/Holder.js';
import type { ObserveEvent__Output } from '../transport/generated/palisade/v1/ObserveEvent.js';
import type { Queue__Output } from '../transport/generated/palisade/v1/Queue.js';
import type { SessionInfo__Output } from '../transport/generated/palisade/v1/SessionInfo.js';
import type { HolderInfo, LeaderChange, QueueInfo, SessionInfo } from './coordination-types.js';
import { u64 } from './convert.js';
import { MalformedResponseError } from './errors.js';

const SIGNED = /^-?(0|[1-9][0-9]*)$/;

export function holderInfo(h: Holder__Output, field: string): HolderInfo {
  return { sessionId: h.sessionId, owner: h.owner, token: u64(h.token, `${field}.token`), value: h.value };
}

const QUEUE_KINDS: ReadonlySet<string> = new Set(['lock', 'election', 'semaphore']);

export function queueInfo(q: Queue__Output, i: number): QueueInfo {
  if (!QUEUE_KINDS.has(q.kind)) throw new MalformedResponseError(`queues[${i}].kind`, `unknown kind "${q.kind}"`);
  return {
    name: q.name,
    kind: q.kind as QueueInfo['kind'],
    limit: q.limit,
    holders: q.holders.map((h, k) => holderInfo(h, `queues[${i}].holders[${k}]`)),
    waiters: q.waiters.map((w) => ({ sessionId: w.sessionId, owner: w.owner, value: w.value })),
    delayed: q.delayed,
  };
}

export function sessionInfo(s: SessionInfo__Output, i: number): SessionInfo {
  const field = `sessions[${i}].remainingMs`;
  if (!SIGNED.test(s.remainingMs)) throw new MalformedResponseError(field, `expected an integer, got "${s.remainingMs}"`);
  const remaining = Number(s.remainingMs);
  if (!Number.isSafeInteger(remaining)) throw new MalformedResponseError(field, `${s.remainingMs} exceeds 2^53-1`);
  return {
    sessionId: s.sessionId,
    owner: s.owner,
    ttlMs: s.ttlMs,
    lockDelayMs: s.lockDelayMs,
    holds: [...s.holds],
    waits: [...s.waits],
    ephemeralKeys: s.ephemeralKeys,
    remainingMs: remaining < 0 ? undefined : remaining,
  };
}

export function leaderChange(e: ObserveEvent__Output): LeaderChange {
  return { leader: e.holders.length > 0 ? holderInfo(e.holders[0], 'holders[0]') : undefined, index: u64(e.index, 'index') };
}

/** Same leader, same token, same value: nothing an observer of leader changes needs to hear again. */
export function sameLeader(a: HolderInfo | undefined, b: HolderInfo | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.sessionId === b.sessionId && a.token === b.token && a.value === b.value;
}
