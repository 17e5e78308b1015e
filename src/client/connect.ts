// connect(): the typed client. Every call goes through withFailover (endpoints in turn, one
// budget per logical call); writes first try the pipelined KvWrite stream (write-stream.ts). Writes
// get their (clientId, requestId) once, before the first attempt, so every retry (stream or unary)
// carries the same id and the cluster applies the write at most once.
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { FencingGuard } from '../transport/generated/palisade/v1/FencingGuard.js';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { KvCasResponse__Output } from '../transport/generated/palisade/v1/KvCasResponse.js';
import type { KvDeleteResponse__Output } from '../transport/generated/palisade/v1/KvDeleteResponse.js';
import type { KvGetResponse__Output } from '../transport/generated/palisade/v1/KvGetResponse.js';
import type { KvListResponse__Output } from '../transport/generated/palisade/v1/KvListResponse.js';
import type { KvPutResponse__Output } from '../transport/generated/palisade/v1/KvPutResponse.js';
import type { MemberChangeResponse__Output } from '../transport/generated/palisade/v1/MemberChangeResponse.js';
import type { MemberListResponse__Output } from '../transport/generated/palisade/v1/MemberListResponse.js';
import type { StatusResponse__Output } from '../transport/generated/palisade/v1/StatusResponse.js';
import type { TransferLeadershipResponse__Output } from '../transport/generated/palisade/v1/TransferLeadershipResponse.js';
import type { EventsResponse__Output } from '../transport/generated/palisade/v1/EventsResponse.js';
import type { PauseResponse__Output } from '../transport/generated/palisade/v1/PauseResponse.js';
import type { SwitchoverResponse__Output } from '../transport/generated/palisade/v1/SwitchoverResponse.js';
import { ClientCalls, unary } from './calls.js';
import { coordinationCalls } from './coordination.js';
import { clusterEvent, keyValue, member, nodeStatus, toU64, u64 } from './convert.js';
import { parseEndpoints } from './endpoints.js';
import { mayHaveTakenEffect, withFailover, type RetryPolicy } from './failover.js';
import { EndpointPool } from './pool.js';
import type { ConnectOptions, KvDeleteOptions, KvWriteOptions, PalisadeClient } from './types.js';
import { openWatch } from './watch.js';

export const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;

export function connect(endpoints: string | readonly string[], opts: ConnectOptions = {}): PalisadeClient {
  const pool = new EndpointPool(parseEndpoints(endpoints), opts.tls, opts.token);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy: RetryPolicy = {
    timeoutMs,
    attemptTimeoutMs: opts.attemptTimeoutMs ?? Math.min(timeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS),
    unreachableRounds: 3,
  };
  const calls = new ClientCalls(pool, policy, opts.clientId ?? randomUUID());
  const kv = kvCalls(calls);
  const coordination = coordinationCalls(calls, opts, (key, value, session) => kv.put(key, value, { session }));
  return {
    ...clusterCalls(calls),
    members: memberCalls(calls),
    kv,
    ...coordination.calls,
    close() {
      calls.writes.close();
      pool.close();
      coordination.abandonSessions();
    },
  };
}

type ClusterCalls = Pick<PalisadeClient, 'status' | 'transfer' | 'switchover' | 'pause' | 'resume' | 'events'>;

function clusterCalls(c: ClientCalls): ClusterCalls {
  return {
    async status() {
      return nodeStatus(await c.call('status', (s, d) => unary<StatusResponse__Output>((md, o, cb) => s.Status({}, md, o, cb), d)));
    },
    async transfer(to) {
      const r = await c.call(`transfer to ${to}`, (s, d) =>
        unary<TransferLeadershipResponse__Output>((md, co, cb) => s.TransferLeadership({ to }, md, co, cb), d),
      );
      return { leader: r.leader, term: u64(r.term, 'term') };
    },
    async switchover(to = '') {
      // One attempt gets the whole budget: a switchover cut off by an attempt deadline and
      // retried elsewhere could move the role twice. A follower still redirects to the leader.
      const once: RetryPolicy = { ...c.policy, attemptTimeoutMs: c.policy.timeoutMs };
      const r = await withFailover(c.pool, once, `switchover${to ? ` to ${to}` : ''}`, (s, d) =>
        unary<SwitchoverResponse__Output>((md, co, cb) => s.Switchover({ to }, md, co, cb), d),
      );
      return { from: r.from, to: r.to, epoch: u64(r.epoch, 'epoch'), durationMs: u64(r.durationMs, 'durationMs') };
    },
    async pause() {
      const r = await c.call('pause', (s, d) => unary<PauseResponse__Output>((md, co, cb) => s.Pause({}, md, co, cb), d));
      return { paused: r.paused };
    },
    async resume() {
      const r = await c.call('resume', (s, d) => unary<PauseResponse__Output>((md, co, cb) => s.Resume({}, md, co, cb), d));
      return { paused: r.paused };
    },
    async events(o = {}) {
      const req = { afterSeq: toU64(o.afterSeq ?? 0, 'afterSeq'), limit: o.limit ?? 0 };
      const r = await c.call('events', (s, d) => unary<EventsResponse__Output>((md, co, cb) => s.Events(req, md, co, cb), d));
      return r.events.map(clusterEvent);
    },
  };
}

function memberCalls(c: ClientCalls): PalisadeClient['members'] {
  return {
    async list(o = {}) {
      const r = await c.call('members list', (s, d) =>
        unary<MemberListResponse__Output>((md, co, cb) => s.MemberList({ serializable: o.serializable ?? false }, md, co, cb), d),
      );
      return r.members.map(member);
    },
    add(id, address, o = {}) {
      return c.memberChange(`members add ${id}`, (s, d) =>
        unary<MemberChangeResponse__Output>((md, co, cb) => s.MemberAdd({ id, address, learner: o.learner ?? false }, md, co, cb), d),
      );
    },
    promote(id) {
      return c.memberChange(`members promote ${id}`, (s, d) =>
        unary<MemberChangeResponse__Output>((md, co, cb) => s.MemberPromote({ id }, md, co, cb), d),
      );
    },
    remove(id) {
      // Membership changes carry no request id, so a retry cannot be recognised as one. "Absent"
      // is what the caller asked for: once an earlier attempt may have removed the member, a
      // NOT_FOUND from the leader means done (add and promote are already answered "done" by
      // the leader when the member is in the asked-for state).
      let earlierMayHaveRemoved = false;
      return c.memberChange(`members remove ${id}`, async (s, d) => {
        try {
          return await unary<MemberChangeResponse__Output>((md, co, cb) => s.MemberRemove({ id }, md, co, cb), d);
        } catch (err) {
          if (earlierMayHaveRemoved && (err as Partial<ServiceError>).code === GrpcStatus.NOT_FOUND) {
            const list = await unary<MemberListResponse__Output>((md, co, cb) => s.MemberList({ serializable: false }, md, co, cb), d);
            if (!list.members.some((m) => m.id === id)) return { members: list.members, index: '0' };
          }
          if (mayHaveTakenEffect(err)) earlierMayHaveRemoved = true;
          throw err;
        }
      });
    },
  };
}

/** The fencing guard of a KV write, on the wire. */
function guardOption(o: KvDeleteOptions): { ifToken?: FencingGuard } {
  if (o.ifToken === undefined) return {};
  const { name, token } = o.ifToken;
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('ifToken.name must be a non-empty string');
  return { ifToken: { name, token: toU64(token, 'ifToken.token') } };
}

function writeOptions(o: KvWriteOptions): { ifToken?: FencingGuard; sessionId?: string } {
  const session = typeof o.session === 'string' ? o.session : o.session?.id;
  return { ...guardOption(o), ...(session === undefined ? {} : { sessionId: session }) };
}

function kvCalls(c: ClientCalls): PalisadeClient['kv'] {
  return {
    async get(key, o = {}) {
      const r = await c.call(`get ${key}`, (s, d) =>
        unary<KvGetResponse__Output>((md, co, cb) => s.KvGet({ key, serializable: o.serializable ?? false }, md, co, cb), d),
      );
      return { kv: r.found && r.kv !== null ? keyValue(r.kv, 'kv') : undefined, revision: u64(r.revision, 'revision') };
    },
    async list(prefix, o = {}) {
      const req = { prefix, serializable: o.serializable ?? false, limit: o.limit ?? 0 };
      const r = await c.call(`list ${prefix}`, (s, d) => unary<KvListResponse__Output>((md, co, cb) => s.KvList(req, md, co, cb), d));
      return { kvs: r.kvs.map((kv, i) => keyValue(kv, `kvs[${i}]`)), revision: u64(r.revision, 'revision'), more: r.more };
    },
    async put(key, value, o = {}) {
      const req = { key, value, request: c.nextRequest(), ...writeOptions(o) };
      const r = await c.write(
        'put',
        req,
        `put ${key}`,
        (s, d) => unary<KvPutResponse__Output>((md, co, cb) => s.KvPut(req, md, co, cb), d),
        (a) => a.put,
      );
      return { revision: u64(r.revision, 'revision'), duplicate: r.duplicate };
    },
    async delete(key, o = {}) {
      const req = { key, request: c.nextRequest(), ...guardOption(o) };
      const r = await c.write(
        'delete',
        req,
        `delete ${key}`,
        (s, d) => unary<KvDeleteResponse__Output>((md, co, cb) => s.KvDelete(req, md, co, cb), d),
        (a) => a.delete,
      );
      return { deleted: r.deleted, revision: u64(r.revision, 'revision'), duplicate: r.duplicate };
    },
    async cas(key, expectedRevision, value, o = {}) {
      const req = {
        key,
        expectedRevision: toU64(expectedRevision, 'expectedRevision'),
        value,
        request: c.nextRequest(),
        ...writeOptions(o),
      };
      const r = await c.write(
        'cas',
        req,
        `cas ${key}`,
        (s, d) => unary<KvCasResponse__Output>((md, co, cb) => s.KvCas(req, md, co, cb), d),
        (a) => a.cas,
      );
      return {
        succeeded: r.succeeded,
        revision: u64(r.revision, 'revision'),
        current: r.current !== null ? keyValue(r.current, 'current') : undefined,
        duplicate: r.duplicate,
      };
    },
    watch(prefix, o = {}) {
      return openWatch(c.pool, { prefix, fromRevision: o.fromRevision ?? 0, maxReconnects: 3 * c.pool.endpoints.length + 5 });
    },
  };
}
