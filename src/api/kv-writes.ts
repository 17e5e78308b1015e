// The three KV writes (put, delete, cas) from wire request to wire response, shared by the unary
// calls and the pipelined KvWrite stream so both check and answer exactly alike. Also the small
// wire checks the rest of the client service uses.
import { InvalidArgumentError } from '../errors.js';
import { CommandLimits, type Command, type FencingGuard, type RequestId } from '../statemachine/commands.js';
import { checkSessionId } from './coord-checks.js';
import type { KeyValue } from '../statemachine/kv-history.js';
import type { FencingGuard__Output } from '../transport/generated/palisade/v1/FencingGuard.js';
import type { KeyValue as WireKeyValue } from '../transport/generated/palisade/v1/KeyValue.js';
import type { KvCasRequest__Output } from '../transport/generated/palisade/v1/KvCasRequest.js';
import type { KvCasResponse } from '../transport/generated/palisade/v1/KvCasResponse.js';
import type { KvDeleteRequest__Output } from '../transport/generated/palisade/v1/KvDeleteRequest.js';
import type { KvDeleteResponse } from '../transport/generated/palisade/v1/KvDeleteResponse.js';
import type { KvPutRequest__Output } from '../transport/generated/palisade/v1/KvPutRequest.js';
import type { KvPutResponse } from '../transport/generated/palisade/v1/KvPutResponse.js';
import type { RequestId__Output } from '../transport/generated/palisade/v1/RequestId.js';
import type { NodePort } from './node-port.js';

// The uint64 fields of an answer are numbers: protobufjs takes a number as readily as a decimal
// string, and a string costs it a Long.fromString per field, on every write's answer. A command's
// optional fields are set on it directly, without an object per field to spread in.

export async function putKv(port: NodePort, req: KvPutRequest__Output): Promise<KvPutResponse> {
  const cmd: Mutable<PutCommand> = { type: 'put', key: checkKey(req.key), value: req.value };
  withOptions(cmd, req.request, req.ifToken, req.sessionId);
  const r = await port.write(cmd);
  return { revision: r.outcome.revision, duplicate: r.duplicate };
}

export async function deleteKv(port: NodePort, req: KvDeleteRequest__Output): Promise<KvDeleteResponse> {
  const cmd: Mutable<DeleteCommand> = { type: 'delete', key: checkKey(req.key) };
  withOptions(cmd, req.request, req.ifToken);
  const r = await port.write(cmd);
  const deleted = r.outcome.type === 'delete' && r.outcome.deleted;
  return { deleted, revision: r.outcome.revision, duplicate: r.duplicate };
}

export async function casKv(port: NodePort, req: KvCasRequest__Output): Promise<KvCasResponse> {
  const key = checkKey(req.key);
  const expectedRevision = u64(req.expectedRevision, 'expected_revision');
  const cmd: Mutable<CasCommand> = { type: 'cas', key, expectedRevision, value: req.value };
  withOptions(cmd, req.request, req.ifToken, req.sessionId);
  const r = await port.write(cmd);
  const succeeded = r.outcome.type === 'cas' && r.outcome.succeeded;
  const current = port.view().get(key);
  return {
    succeeded,
    revision: r.outcome.revision,
    current: current === undefined ? null : wireKv(current),
    duplicate: r.duplicate,
  };
}

export function wireKv(kv: KeyValue): WireKeyValue {
  return {
    key: kv.key,
    value: kv.value,
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
  };
}

type PutCommand = Extract<Command, { type: 'put' }>;
type DeleteCommand = Extract<Command, { type: 'delete' }>;
type CasCommand = Extract<Command, { type: 'cas' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Options = { request?: RequestId; ifToken?: FencingGuard; session?: string };

/** Sets the request id, session binding and fencing guard the wire request carries, checked in that order. */
function withOptions(cmd: Options, request: RequestId__Output | null, ifToken: FencingGuard__Output | null, sessionId?: string): void {
  const r = requestId(request).request;
  if (r !== undefined) cmd.request = r;
  const session = sessionId === undefined ? undefined : sessionBinding(sessionId).session;
  if (session !== undefined) cmd.session = session;
  const guard = fencingGuard(ifToken).ifToken;
  if (guard !== undefined) cmd.ifToken = guard;
}

export function checkKey(key: string, field = 'key'): string {
  if (key === '') throw new InvalidArgumentError(`${field} is empty`);
  if (Buffer.byteLength(key, 'utf8') > CommandLimits.maxKeyBytes) {
    throw new InvalidArgumentError(`${field} is longer than ${CommandLimits.maxKeyBytes} bytes`);
  }
  return key;
}

/** A uint64 that arrived as a decimal string (longs: String), checked to fit a JS number. */
export function u64(s: string, field: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${field}: ${s} is larger than 2^53 - 1`);
  return n;
}

/** `session_id` "" is no binding; anything else must be a session id (the write is refused if it ended). */
function sessionBinding(sessionId: string): { session?: string } {
  return sessionId === '' ? {} : { session: checkSessionId(sessionId) };
}

/** `if_token` absent is no guard; present, it names a lock, election or semaphore and a token. */
function fencingGuard(g: FencingGuard__Output | null): { ifToken?: { name: string; token: number } } {
  if (g === null) return {};
  const token = u64(g.token, 'if_token.token');
  if (token < 1) throw new InvalidArgumentError('if_token.token: a fencing token is at least 1');
  return { ifToken: { name: checkKey(g.name, 'if_token.name'), token } };
}

export function requestId(r: RequestId__Output | null): { request?: { clientId: string; requestId: string } } {
  if (r === null) return {};
  if (r.clientId === '' && r.requestId === '') return {};
  if (r.clientId === '' || r.requestId === '') throw new InvalidArgumentError('request: client_id and request_id must both be set');
  return { request: { clientId: r.clientId, requestId: r.requestId } };
}
