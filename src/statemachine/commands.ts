// What a Normal entry's data carries: one Command, encoded as a version byte followed by
// compact JSON in UTF-8. Encoding checks the limits so a bad request fails at the client's
// node before it is proposed; decoding re-checks everything, because entries outlive the
// code that wrote them and every replica must reject garbage the same way.
import { ClusterEventKind } from './cluster-events.js';
import type { ClusterEvent } from './cluster-events.js';
import { CommandDecodeError, InvalidCommandError } from './errors.js';
import { MemberRole } from './membership.js';
import { decodeJsonBody, fields, int, jsonObject, requestFrom, str, withRequest, type Json } from './wire-json.js';
import type { Member } from './membership.js';

export const COMMAND_FORMAT_VERSION = 1;

export const CommandLimits = {
  maxKeyBytes: 1024,
  maxValueBytes: 1024 * 1024,
  /** Client ids, request ids, node ids, cluster ids, addresses. */
  maxIdBytes: 256,
  maxDetailBytes: 4096,
  maxBootstrapMembers: 64,
  /**
   * A whole encoded entry. JSON escapes control characters six bytes for one, so a value
   * within maxValueBytes could otherwise make an entry (and a peer message) six times larger.
   * Checked when encoding only: entries already in a log keep decoding.
   */
  maxCommandBytes: 2 * 1024 * 1024 + 64 * 1024,
} as const;

/** Lets a client retry safely: the pair is applied once and later answered from memory. */
export interface RequestId {
  readonly clientId: string;
  readonly requestId: string;
}

export const CommandType = {
  Put: 'put',
  Delete: 'delete',
  /** Compare-and-set on the key's modRevision; 0 means "the key must not exist". */
  Cas: 'cas',
  Noop: 'noop',
  /** The first entry of a new cluster: its id and initial members. */
  Bootstrap: 'bootstrap',
  RecordEvent: 'recordEvent',
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];

/**
 * A KV write's guard: applied only while a holder of `name` has exactly `token`; otherwise the
 * write is refused (STALE_FENCING_TOKEN), so a stale holder's writes never reach the store.
 */
export interface FencingGuard {
  readonly name: string;
  readonly token: number;
}

/**
 * `session`: the key is bound to that session and deleted when it ends (a later write without
 * one unbinds it). `ifToken`: applied only while a holder of the name has exactly that token.
 * Either refused (not applied) when it does not hold: see WriteRefusedOutcome.
 */
export type Command =
  | {
      readonly type: 'put';
      readonly key: string;
      readonly value: string;
      readonly request?: RequestId;
      readonly session?: string;
      readonly ifToken?: FencingGuard;
    }
  | { readonly type: 'delete'; readonly key: string; readonly request?: RequestId; readonly ifToken?: FencingGuard }
  | {
      readonly type: 'cas';
      readonly key: string;
      readonly expectedRevision: number;
      readonly value: string;
      readonly request?: RequestId;
      readonly session?: string;
      readonly ifToken?: FencingGuard;
    }
  | { readonly type: 'noop' }
  | { readonly type: 'bootstrap'; readonly clusterId: string; readonly members: readonly Member[] }
  | { readonly type: 'recordEvent'; readonly event: ClusterEvent };

const encoder = new TextEncoder();

export function encodeCommand(c: Command): Uint8Array {
  const problem = commandProblem(c);
  if (problem !== undefined) throw new InvalidCommandError(problem);
  const json = JSON.stringify(toWire(c));
  // Measured first, then encoded straight after the version byte: one buffer per command
  // rather than an encoded copy and the entry made from it.
  const size = Buffer.byteLength(json, 'utf8') + 1;
  if (size > CommandLimits.maxCommandBytes) {
    throw new InvalidCommandError(
      `the encoded command is ${size} bytes, above the limit of ${CommandLimits.maxCommandBytes} (escaped control characters count six bytes each)`,
    );
  }
  const out = new Uint8Array(size);
  out[0] = COMMAND_FORMAT_VERSION;
  encoder.encodeInto(json, out.subarray(1));
  return out;
}

export function decodeCommand(data: Uint8Array): Command {
  if (data.length === 0) throw new CommandDecodeError('empty data');
  if (data[0] !== COMMAND_FORMAT_VERSION) {
    throw new CommandDecodeError(`format version ${data[0]} (this build reads ${COMMAND_FORMAT_VERSION})`);
  }
  return decodeJsonBody(data, fromWire, commandProblem);
}

/** Limits and rules beyond the shape; undefined when the command is fine. */
export function commandProblem(c: Command): string | undefined {
  switch (c.type) {
    case CommandType.Put:
      return keyProblem(c.key) ?? valueProblem(c.value) ?? requestProblem(c.request) ?? coordProblem(c.session, c.ifToken);
    case CommandType.Delete:
      return keyProblem(c.key) ?? requestProblem(c.request) ?? coordProblem(undefined, c.ifToken);
    case CommandType.Cas:
      if (!Number.isSafeInteger(c.expectedRevision) || c.expectedRevision < 0) {
        return `expectedRevision must be a non-negative integer, got ${c.expectedRevision}`;
      }
      return keyProblem(c.key) ?? valueProblem(c.value) ?? requestProblem(c.request) ?? coordProblem(c.session, c.ifToken);
    case CommandType.Noop:
      return undefined;
    case CommandType.Bootstrap:
      if (c.clusterId === '') return 'cluster id is empty';
      if (c.members.length > CommandLimits.maxBootstrapMembers) {
        return `at most ${CommandLimits.maxBootstrapMembers} bootstrap members`;
      }
      return (
        idProblem('cluster id', c.clusterId) ??
        c.members.map((m) => idProblem('member id', m.id) ?? idProblem('member address', m.address)).find((p) => p)
      );
    case CommandType.RecordEvent: {
      const e = c.event;
      if (!Number.isSafeInteger(e.at) || e.at < 0) return 'event time must be a non-negative integer (ms)';
      if (!Number.isSafeInteger(e.term) || e.term < 0) return 'event term must be a non-negative integer';
      if (e.durationMs !== undefined && (!Number.isSafeInteger(e.durationMs) || e.durationMs < 0)) {
        return 'event duration must be a non-negative integer (ms)';
      }
      if (e.epoch !== undefined && (!Number.isSafeInteger(e.epoch) || e.epoch < 0)) return 'event epoch must be a non-negative integer';
      return idProblem('event node id', e.nodeId) ?? textProblem('event detail', e.detail, CommandLimits.maxDetailBytes);
    }
    default: {
      const never: never = c;
      return `unknown command type ${String((never as { type: unknown }).type)}`;
    }
  }
}

function coordProblem(session: string | undefined, guard: FencingGuard | undefined): string | undefined {
  if (session !== undefined) {
    const p = sessionIdProblem(session);
    if (p !== undefined) return p;
  }
  if (guard === undefined) return undefined;
  if (!Number.isSafeInteger(guard.token) || guard.token < 1) return `fencing token must be a positive integer, got ${guard.token}`;
  const p = keyProblem(guard.name);
  return p === undefined ? undefined : `fencing guard ${p.replace(/^key/, 'name')}`;
}

const SESSION_ID = /^[1-9][0-9]{0,15}$/;

/** A session id is the decimal log index of its create entry. */
export function sessionIdProblem(id: string): string | undefined {
  if (!SESSION_ID.test(id) || !Number.isSafeInteger(Number(id)))
    return `session id must be a positive decimal log index, got ${JSON.stringify(id)}`;
  return undefined;
}

export function keyProblem(key: string): string | undefined {
  if (key === '') return 'key is empty';
  return textProblem('key', key, CommandLimits.maxKeyBytes);
}

export function valueProblem(value: string): string | undefined {
  return textProblem('value', value, CommandLimits.maxValueBytes);
}

export function requestProblem(r: RequestId | undefined): string | undefined {
  if (r === undefined) return undefined;
  if (r.clientId === '' || r.requestId === '') return 'client id and request id must both be non-empty';
  return idProblem('client id', r.clientId) ?? idProblem('request id', r.requestId);
}

function idProblem(what: string, s: string): string | undefined {
  return textProblem(what, s, CommandLimits.maxIdBytes);
}

/** Well-formed (representable in UTF-8) and at most `maxBytes` bytes of it. */
export function textProblem(what: string, s: string, maxBytes: number): string | undefined {
  if (!s.isWellFormed()) return `${what} contains a lone UTF-16 surrogate (not representable in UTF-8)`;
  const n = Buffer.byteLength(s, 'utf8');
  if (n > maxBytes) return `${what} is ${n} bytes; the limit is ${maxBytes}`;
  return undefined;
}

// ---- wire shape: short field names, fixed order, optional fields omitted ----

function toWire(c: Command): Json {
  switch (c.type) {
    case CommandType.Put:
      return withCoord(withRequest({ t: c.type, k: c.key, v: c.value }, c.request), c.session, c.ifToken);
    case CommandType.Delete:
      return withCoord(withRequest({ t: c.type, k: c.key }, c.request), undefined, c.ifToken);
    case CommandType.Cas:
      return withCoord(withRequest({ t: c.type, k: c.key, r: c.expectedRevision, v: c.value }, c.request), c.session, c.ifToken);
    case CommandType.Noop:
      return { t: c.type };
    case CommandType.Bootstrap:
      return { t: c.type, id: c.clusterId, m: c.members.map((m) => [m.id, m.address, m.role]) };
    case CommandType.RecordEvent: {
      const e = c.event;
      const w: Json = { t: c.type, kind: e.kind, at: e.at, n: e.nodeId, term: e.term, d: e.detail };
      if (e.durationMs !== undefined) w.dur = e.durationMs;
      if (e.epoch !== undefined) w.ep = e.epoch;
      return w;
    }
    default: {
      const never: never = c;
      throw new InvalidCommandError(`unknown command type ${String((never as { type: unknown }).type)}`);
    }
  }
}

function withCoord(w: Json, session: string | undefined, guard: FencingGuard | undefined): Json {
  if (session !== undefined) w.s = session;
  if (guard !== undefined) w.g = [guard.name, guard.token];
  return w;
}

const EVENT_KINDS: ReadonlySet<string> = new Set(Object.values(ClusterEventKind));
const ROLES: ReadonlySet<string> = new Set(Object.values(MemberRole));

function fromWire(parsed: unknown): Command {
  const o = jsonObject(parsed, 'command');
  const t = o.t;
  switch (t) {
    case CommandType.Put:
      fields(o, ['t', 'k', 'v'], ['rq', 's', 'g']);
      return withCoordFrom(withRequestFrom({ type: t, key: str(o, 'k'), value: str(o, 'v') }, o), o);
    case CommandType.Delete:
      fields(o, ['t', 'k'], ['rq', 'g']);
      return withCoordFrom(withRequestFrom({ type: t, key: str(o, 'k') }, o), o);
    case CommandType.Cas:
      fields(o, ['t', 'k', 'r', 'v'], ['rq', 's', 'g']);
      return withCoordFrom(withRequestFrom({ type: t, key: str(o, 'k'), expectedRevision: int(o, 'r'), value: str(o, 'v') }, o), o);
    case CommandType.Noop:
      fields(o, ['t'], []);
      return { type: t };
    case CommandType.Bootstrap: {
      fields(o, ['t', 'id', 'm'], []);
      const raw = o.m;
      if (!Array.isArray(raw)) throw new CommandDecodeError('bootstrap members is not an array');
      const members = raw.map((m): Member => {
        if (!Array.isArray(m) || m.length !== 3 || !m.every((x) => typeof x === 'string') || !ROLES.has(m[2])) {
          throw new CommandDecodeError('bootstrap member is not [id, address, role]');
        }
        return { id: m[0], address: m[1], role: m[2] as MemberRole };
      });
      return { type: t, clusterId: str(o, 'id'), members };
    }
    case CommandType.RecordEvent: {
      fields(o, ['t', 'kind', 'at', 'n', 'term', 'd'], ['dur', 'ep']);
      const kind = str(o, 'kind');
      if (!EVENT_KINDS.has(kind)) throw new CommandDecodeError(`unknown event kind ${kind}`);
      const event: ClusterEvent = {
        kind: kind as ClusterEventKind,
        at: int(o, 'at'),
        nodeId: str(o, 'n'),
        term: int(o, 'term'),
        ...(o.dur === undefined ? {} : { durationMs: int(o, 'dur') }),
        ...(o.ep === undefined ? {} : { epoch: int(o, 'ep') }),
        detail: str(o, 'd'),
      };
      return { type: t, event };
    }
    default:
      throw new CommandDecodeError(`unknown command type ${JSON.stringify(t) ?? String(t)}`);
  }
}

function withRequestFrom<C extends Command & { request?: RequestId }>(c: C, o: Json): C {
  const request = requestFrom(o);
  if (request === undefined) return c;
  // Set on the fresh object rather than `{ ...c, request }`: Node 20's V8 builds a spread that
  // adds a property through a slow path (design-notes, "Per-message code"), and this runs for every
  // applied client write on every node.
  (c as { request?: RequestId }).request = request;
  return c;
}

/** The session binding and the fencing guard, when present (`fields` already refused them where they do not belong). */
function withCoordFrom<C extends Command & { session?: string; ifToken?: FencingGuard }>(c: C, o: Json): C {
  if (o.s !== undefined) (c as { session?: string }).session = str(o, 's');
  if (o.g !== undefined) {
    const g = o.g;
    if (!Array.isArray(g) || g.length !== 2 || typeof g[0] !== 'string' || typeof g[1] !== 'number' || !Number.isSafeInteger(g[1])) {
      throw new CommandDecodeError('fencing guard is not [name, token]');
    }
    (c as { ifToken?: FencingGuard }).ifToken = { name: g[0], token: g[1] };
  }
  return c;
}
