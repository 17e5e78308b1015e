// Coordination commands in log entries: a marker byte of their own, then compact JSON. The marker
// differs from the KV command format version and from the HA marker, so the three share the log
// without ambiguity. Encoding checks every limit so a bad request fails before it is proposed;
// decoding checks them all again, because entries outlive the code that wrote them and every
// replica must refuse garbage the same way.
import { CommandLimits, keyProblem, requestProblem, sessionIdProblem, textProblem, valueProblem } from './commands.js';
import type { RequestId } from './commands.js';
import { QueueKind, SessionLimits } from './coord-record.js';
import type { CoordCommand, SessionEndReason } from './coord-record.js';
import { CommandDecodeError, InvalidCommandError } from './errors.js';
import { decodeJsonBody, fields, int, jsonObject, requestFrom, str, withRequest, type Json } from './wire-json.js';

/** The first byte of a coordination entry (0xa7 is the HA marker, 1 the KV format version). */
export const COORD_MARKER = 0xc0;

const encoder = new TextEncoder();

export function isCoordCommand(data: Uint8Array): boolean {
  return data.length > 1 && data[0] === COORD_MARKER;
}

export function encodeCoordCommand(c: CoordCommand): Uint8Array {
  const problem = coordCommandProblem(c);
  if (problem !== undefined) throw new InvalidCommandError(problem);
  const json = encoder.encode(JSON.stringify(toWire(c)));
  if (json.length + 1 > CommandLimits.maxCommandBytes) {
    throw new InvalidCommandError(`the encoded command is ${json.length + 1} bytes, above the limit of ${CommandLimits.maxCommandBytes}`);
  }
  const out = new Uint8Array(json.length + 1);
  out[0] = COORD_MARKER;
  out.set(json, 1);
  return out;
}

export function decodeCoordCommand(data: Uint8Array): CoordCommand {
  if (!isCoordCommand(data)) throw new CommandDecodeError('not a coordination command (missing marker byte)');
  return decodeJsonBody(data, fromWire, coordCommandProblem);
}

/** Queue names follow the key rules: 1..maxKeyBytes bytes of well-formed UTF-8. */
export function queueNameProblem(name: string): string | undefined {
  const p = keyProblem(name);
  return p === undefined ? undefined : p.replace(/^key/, 'name');
}

export function ttlProblem(ttlMs: number): string | undefined {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < SessionLimits.minTtlMs || ttlMs > SessionLimits.maxTtlMs) {
    return `ttl must be an integer from ${SessionLimits.minTtlMs} to ${SessionLimits.maxTtlMs} ms, got ${ttlMs}`;
  }
  return undefined;
}

export function lockDelayProblem(ms: number): string | undefined {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > SessionLimits.maxLockDelayMs) {
    return `lock delay must be an integer from 0 to ${SessionLimits.maxLockDelayMs} ms, got ${ms}`;
  }
  return undefined;
}

/** A lock or an election has one slot; a semaphore 1..maxSemaphoreLimit. */
export function limitProblem(kind: QueueKind, limit: number): string | undefined {
  if (kind !== QueueKind.Semaphore) return limit === 1 ? undefined : `a ${kind} has limit 1, got ${limit}`;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > SessionLimits.maxSemaphoreLimit) {
    return `a semaphore's limit must be an integer from 1 to ${SessionLimits.maxSemaphoreLimit}, got ${limit}`;
  }
  return undefined;
}

function positiveProblem(what: string, n: number): string | undefined {
  return Number.isSafeInteger(n) && n >= 1 ? undefined : `${what} must be a positive integer, got ${n}`;
}

const KINDS: ReadonlySet<string> = new Set(Object.values(QueueKind));
const REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['closed', 'expired']);

/** Limits and rules beyond the shape; undefined when the command is fine. */
export function coordCommandProblem(c: CoordCommand): string | undefined {
  switch (c.type) {
    case 'sessionCreate':
      return (
        ttlProblem(c.ttlMs) ??
        lockDelayProblem(c.lockDelayMs) ??
        textProblem('owner', c.owner, SessionLimits.maxOwnerBytes) ??
        requestProblem(c.request)
      );
    case 'sessionEnd':
      if (!REASONS.has(c.reason)) return `session end reason must be closed or expired, got ${String(c.reason)}`;
      return sessionIdProblem(c.session) ?? requestProblem(c.request);
    case 'acquire':
      if (!KINDS.has(c.kind)) return `kind must be lock, election or semaphore, got ${String(c.kind)}`;
      return (
        queueNameProblem(c.name) ??
        sessionIdProblem(c.session) ??
        limitProblem(c.kind, c.limit) ??
        valueProblem(c.value) ??
        requestProblem(c.request)
      );
    case 'release':
      return queueNameProblem(c.name) ?? sessionIdProblem(c.session) ?? requestProblem(c.request);
    case 'proclaim':
      return (
        queueNameProblem(c.name) ??
        sessionIdProblem(c.session) ??
        positiveProblem('token', c.token) ??
        valueProblem(c.value) ??
        requestProblem(c.request)
      );
    case 'lockDelayEnd':
      return queueNameProblem(c.name) ?? positiveProblem('lock delay start index', c.since);
    default: {
      const never: never = c;
      return `unknown coordination command ${String((never as { type: unknown }).type)}`;
    }
  }
}

// ---- wire shape: short field names, optional fields omitted ----

function toWire(c: CoordCommand): Json {
  switch (c.type) {
    case 'sessionCreate':
      return withRequest({ t: c.type, o: c.owner, ttl: c.ttlMs, ld: c.lockDelayMs }, c.request);
    case 'sessionEnd':
      return withRequest({ t: c.type, s: c.session, why: c.reason }, c.request);
    case 'acquire':
      return withRequest({ t: c.type, n: c.name, s: c.session, k: c.kind, l: c.limit, v: c.value }, c.request);
    case 'release':
      return withRequest({ t: c.type, n: c.name, s: c.session }, c.request);
    case 'proclaim':
      return withRequest({ t: c.type, n: c.name, s: c.session, tk: c.token, v: c.value }, c.request);
    case 'lockDelayEnd':
      return { t: c.type, n: c.name, since: c.since };
    default: {
      const never: never = c;
      throw new InvalidCommandError(`unknown coordination command ${String((never as { type: unknown }).type)}`);
    }
  }
}

function fromWire(parsed: unknown): CoordCommand {
  const o = jsonObject(parsed, 'command');
  switch (o.t) {
    case 'sessionCreate':
      fields(o, ['t', 'o', 'ttl', 'ld'], ['rq']);
      return { type: o.t, owner: str(o, 'o'), ttlMs: int(o, 'ttl'), lockDelayMs: int(o, 'ld'), ...request(o) };
    case 'sessionEnd': {
      fields(o, ['t', 's', 'why'], ['rq']);
      const reason = str(o, 'why');
      if (!REASONS.has(reason)) throw new CommandDecodeError(`unknown session end reason ${reason}`);
      return { type: o.t, session: str(o, 's'), reason: reason as SessionEndReason, ...request(o) };
    }
    case 'acquire': {
      fields(o, ['t', 'n', 's', 'k', 'l', 'v'], ['rq']);
      const kind = str(o, 'k');
      if (!KINDS.has(kind)) throw new CommandDecodeError(`unknown queue kind ${kind}`);
      return {
        type: o.t,
        name: str(o, 'n'),
        session: str(o, 's'),
        kind: kind as QueueKind,
        limit: int(o, 'l'),
        value: str(o, 'v'),
        ...request(o),
      };
    }
    case 'release':
      fields(o, ['t', 'n', 's'], ['rq']);
      return { type: o.t, name: str(o, 'n'), session: str(o, 's'), ...request(o) };
    case 'proclaim':
      fields(o, ['t', 'n', 's', 'tk', 'v'], ['rq']);
      return { type: o.t, name: str(o, 'n'), session: str(o, 's'), token: int(o, 'tk'), value: str(o, 'v'), ...request(o) };
    case 'lockDelayEnd':
      fields(o, ['t', 'n', 'since'], []);
      return { type: o.t, name: str(o, 'n'), since: int(o, 'since') };
    default:
      throw new CommandDecodeError(`unknown coordination command type ${JSON.stringify(o.t) ?? String(o.t)}`);
  }
}

function request(o: Json): { request?: RequestId } {
  const r = requestFrom(o);
  return r === undefined ? {} : { request: r };
}
