// connect(): the typed client. Every call goes through withFailover (endpoints in turn, one
// budget per logical call); writes first try the pipelined KvWrite stream (write-stream.ts). Writes
// get their (clientId, requestId) once, before the first attempt, so every retry (stream or unary)
// carries the same id and the cluster applies the write at most once.
import { randomUUID } from 'node:crypto';
import { Metadata, status as GrpcStatus, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { KvCasResponse__Output } from '../transport/generated/palisade/v1/KvCasResponse.js';
import type { KvDeleteResponse__Output } from '../transport/generated/palisade/v1/KvDeleteResponse.js';
import type { KvGetResponse__Output } from '../transport/generated/palisade/v1/KvGetResponse.js';
import type { KvListResponse__Output } from '../transport/generated/palisade/v1/KvListResponse.js';
import type { KvWriteRequest } from '../transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse__Output } from '../transport/generated/palisade/v1/KvWriteResponse.js';
import type { KvPutResponse__Output } from '../transport/generated/palisade/v1/KvPutResponse.js';
import type { MemberChangeResponse__Output } from '../transport/generated/palisade/v1/MemberChangeResponse.js';
import type { MemberListResponse__Output } from '../transport/generated/palisade/v1/MemberListResponse.js';
import type { RequestId } from '../transport/generated/palisade/v1/RequestId.js';
import type { StatusResponse__Output } from '../transport/generated/palisade/v1/StatusResponse.js';
import type { TransferLeadershipResponse__Output } from '../transport/generated/palisade/v1/TransferLeadershipResponse.js';
import type { EventsResponse__Output } from '../transport/generated/palisade/v1/EventsResponse.js';
import type { PauseResponse__Output } from '../transport/generated/palisade/v1/PauseResponse.js';
import type { SwitchoverResponse__Output } from '../transport/generated/palisade/v1/SwitchoverResponse.js';
import { clusterEvent, keyValue, member, nodeStatus, toU64, u64 } from './convert.js';
import { parseEndpoints } from './endpoints.js';
import { mayHaveTakenEffect, withFailover, type RetryPolicy } from './failover.js';
import { EndpointPool, type Stub } from './pool.js';
import { WriteStream } from './write-stream.js';
import type { ConnectOptions, MemberChangeResult, PalisadeClient } from './types.js';
import { openWatch } from './watch.js';

export const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;

type Callback<T> = (err: ServiceError | null, value?: T) => void;

/** Adapts a grpc-js unary method (callback style) to a promise with a deadline. */
function unary<T>(start: (md: Metadata, opts: CallOptions, cb: Callback<T>) => ClientUnaryCall, deadline: Date): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start(new Metadata(), { deadline }, (err, value) => {
      if (err !== null) reject(err);
      else if (value === undefined) reject(new Error('empty response'));
      else resolve(value);
    });
  });
}

type Attempt<T> = (stub: Stub, deadline: Date) => Promise<T>;

export function connect(endpoints: string | readonly string[], opts: ConnectOptions = {}): PalisadeClient {
  const pool = new EndpointPool(parseEndpoints(endpoints), opts.tls, opts.token);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy: RetryPolicy = {
    timeoutMs,
    attemptTimeoutMs: opts.attemptTimeoutMs ?? Math.min(timeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS),
    unreachableRounds: 3,
  };
  const calls = new ClientCalls(pool, policy, opts.clientId ?? randomUUID());
  return {
    ...clusterCalls(calls),
    members: memberCalls(calls),
    kv: kvCalls(calls),
    close() {
      calls.writes.close();
      pool.close();
    },
  };
}

/** What every call of one client shares: the endpoints, the retry policy, the write stream, request ids. */
class ClientCalls {
  /** Writes try the pipelined stream first (write()). */
  readonly writes: WriteStream;
  private sequence = 0;

  constructor(
    readonly pool: EndpointPool,
    readonly policy: RetryPolicy,
    private readonly clientId: string,
  ) {
    this.writes = new WriteStream(pool, policy.attemptTimeoutMs);
  }

  nextRequest(): RequestId {
    return { clientId: this.clientId, requestId: String(++this.sequence) };
  }

  call<T>(what: string, f: Attempt<T>): Promise<T> {
    return withFailover(this.pool, this.policy, what, f);
  }

  /**
   * Without a definite answer on the stream, the unary call repeats the write with the same
   * request id, within what is left of the call's budget.
   */
  async write<K extends 'put' | 'delete' | 'cas', T>(
    op: K,
    req: NonNullable<KvWriteRequest[K]>,
    what: string,
    unaryAttempt: Attempt<T>,
    fromStream: (r: KvWriteResponse__Output) => T | null | undefined,
  ): Promise<T> {
    const started = Date.now();
    const answered = await this.writes.write(op, req);
    const r = answered === undefined ? undefined : fromStream(answered);
    if (r !== undefined && r !== null) return r;
    const left = Math.max(1, this.policy.timeoutMs - (Date.now() - started));
    return withFailover(
      this.pool,
      { ...this.policy, timeoutMs: left, attemptTimeoutMs: Math.min(left, this.policy.attemptTimeoutMs) },
      what,
      unaryAttempt,
    );
  }

  async memberChange(what: string, f: Attempt<MemberChangeResponse__Output>): Promise<MemberChangeResult> {
    const r = await this.call(what, f);
    return { members: r.members.map(member), index: u64(r.index, 'index') };
  }
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
    async put(key, value) {
      const req = { key, value, request: c.nextRequest() };
      const r = await c.write(
        'put',
        req,
        `put ${key}`,
        (s, d) => unary<KvPutResponse__Output>((md, co, cb) => s.KvPut(req, md, co, cb), d),
        (a) => a.put,
      );
      return { revision: u64(r.revision, 'revision'), duplicate: r.duplicate };
    },
    async delete(key) {
      const req = { key, request: c.nextRequest() };
      const r = await c.write(
        'delete',
        req,
        `delete ${key}`,
        (s, d) => unary<KvDeleteResponse__Output>((md, co, cb) => s.KvDelete(req, md, co, cb), d),
        (a) => a.delete,
      );
      return { deleted: r.deleted, revision: u64(r.revision, 'revision'), duplicate: r.duplicate };
    },
    async cas(key, expectedRevision, value) {
      const req = { key, expectedRevision: toU64(expectedRevision, 'expectedRevision'), value, request: c.nextRequest() };
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
