// The coordination section of the snapshot image (version 4 on; layout in snapshot-format.ts):
//
//   lastToken | sessions (id, owner, ttlMs, lockDelayMs)* by id
//   | queues (name, kind, limit, holders (session, token, value)*, waiters (session, value)*,
//             delayedSince, delayMs)* by name
//   | ephemeral keys (key, session)* by key
//
// CoordState.image() lists everything in that order, so equal states give equal bytes. Decoding
// checks that the parts agree with each other and with the rest of the image: a checksummed but
// wrongly written image must not become a state the reducer could never have reached.
import type { BinaryReader, BinaryWriter } from './binary.js';
import { limitProblem, lockDelayProblem, queueNameProblem, ttlProblem } from './coord-codec.js';
import type { HolderRecord, QueueRecord, SessionRecord, WaiterRecord } from './coord-record.js';
import type { CoordImage } from './coord-state.js';
import { sessionIdProblem } from './commands.js';
import { compareKeys } from './key-order.js';
import type { KeyValue } from './kv-history.js';
import { QUEUE_KIND_TAGS, repeat, tag } from './snapshot-format.js';

/** Writes the section's payload to `s`, yielding when `due` says a step's worth of records is written (snapshot-encoder.ts). */
export function* coordSection(s: BinaryWriter, c: CoordImage, due: () => boolean): Generator<void, void, void> {
  s.uint(c.lastToken).uint(c.sessions.length);
  for (const x of c.sessions) {
    s.str(x.id).str(x.owner).uint(x.ttlMs).uint(x.lockDelayMs);
    if (due()) yield;
  }
  s.uint(c.queues.length);
  for (const q of c.queues) {
    s.str(q.name).u8(QUEUE_KIND_TAGS.indexOf(q.kind)).uint(q.limit).uint(q.holders.length);
    for (const h of q.holders) s.str(h.session).uint(h.token).str(h.value);
    s.uint(q.waiters.length);
    for (const w of q.waiters) {
      s.str(w.session).str(w.value);
      if (due()) yield;
    }
    s.uint(q.delayedSince).uint(q.delayMs);
    if (due()) yield;
  }
  s.uint(c.ephemeralKeys.length);
  for (const k of c.ephemeralKeys) {
    s.str(k.key).str(k.session);
    if (due()) yield;
  }
}

export function readCoordSection(s: BinaryReader): CoordImage {
  const lastToken = s.uint();
  const sessions = repeat(s, (): SessionRecord => ({ id: s.str(), owner: s.str(), ttlMs: s.uint(), lockDelayMs: s.uint() }));
  const queues = repeat(s, (): QueueRecord => {
    const name = s.str();
    const kind = tag(QUEUE_KIND_TAGS, s.u8(), 'queue kind');
    const limit = s.uint();
    const holders = repeat(s, (): HolderRecord => ({ session: s.str(), token: s.uint(), value: s.str() }));
    const waiters = repeat(s, (): WaiterRecord => ({ session: s.str(), value: s.str() }));
    return { name, kind, limit, holders, waiters, delayedSince: s.uint(), delayMs: s.uint() };
  });
  const ephemeralKeys = repeat(s, () => ({ key: s.str(), session: s.str() }));
  return { lastToken, sessions, queues, ephemeralKeys };
}

/**
 * What is wrong with a decoded coordination section (undefined: nothing). `kvs` must be in
 * compareKeys order (the decoder checks that first): keys are looked up by binary search.
 */
export function coordImageProblem(c: CoordImage, appliedIndex: number, kvs: readonly KeyValue[]): string | undefined {
  let prev = 0;
  const ids = new Set<string>();
  for (const x of c.sessions) {
    const p = sessionIdProblem(x.id) ?? ttlProblem(x.ttlMs) ?? lockDelayProblem(x.lockDelayMs);
    if (p !== undefined) return `session ${x.id}: ${p}`;
    if (Number(x.id) <= prev || Number(x.id) > appliedIndex) return 'coordination sessions are not in id order up to the applied index';
    prev = Number(x.id);
    ids.add(x.id);
  }
  let prevName: string | undefined;
  for (const q of c.queues) {
    if (prevName !== undefined && compareKeys(prevName, q.name) >= 0) return 'coordination queues are not in name order';
    prevName = q.name;
    const p = queueNameProblem(q.name) ?? limitProblem(q.kind, q.limit) ?? queueProblem(q, ids, c.lastToken, appliedIndex);
    if (p !== undefined) return `queue ${q.name}: ${p}`;
  }
  let prevKey: string | undefined;
  for (const k of c.ephemeralKeys) {
    if (prevKey !== undefined && compareKeys(prevKey, k.key) >= 0) return 'ephemeral keys are not in key order';
    prevKey = k.key;
    if (!hasKey(kvs, k.key) || !ids.has(k.session)) return `ephemeral key ${k.key} is not a live key of a live session`;
  }
  return undefined;
}

/** Whether `key` is among `kvs`, which are in compareKeys order (no set of every key to build). */
function hasKey(kvs: readonly KeyValue[], key: string): boolean {
  let lo = 0;
  let hi = kvs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(kvs[mid].key, key);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** The reducer's invariants for one queue. */
function queueProblem(q: QueueRecord, sessions: ReadonlySet<string>, lastToken: number, appliedIndex: number): string | undefined {
  if (q.holders.length > q.limit) return 'more holders than its limit';
  const members = [...q.holders.map((h) => h.session), ...q.waiters.map((w) => w.session)];
  if (new Set(members).size !== members.length || !members.every((m) => sessions.has(m))) {
    return 'a holder or waiter is not a distinct live session';
  }
  let prevToken = 0;
  for (const h of q.holders) {
    if (h.token <= prevToken || h.token > lastToken) return 'holder tokens are not increasing up to the last token';
    prevToken = h.token;
  }
  if (q.delayedSince > appliedIndex) return 'delayed beyond the applied index';
  if ((q.delayedSince === 0) !== (q.delayMs === 0)) return 'a delay start without a delay, or the reverse';
  // Waiters with a free slot, or nobody at all, only while a lock-delay runs.
  const idle = q.holders.length === 0 && q.waiters.length === 0;
  if (q.delayedSince === 0 && (idle || (q.holders.length < q.limit && q.waiters.length > 0)))
    return 'a free slot with waiters, or empty, yet not delayed';
  return undefined;
}
