// The coordination calls of the typed client (docs/coordination.md): sessions, the leader and the
// observers of an election, the lists behind `palisade session list` and `palisade lock list`.
import type { QueueListResponse__Output } from '../transport/generated/palisade/v1/QueueListResponse.js';
import type { SessionListResponse__Output } from '../transport/generated/palisade/v1/SessionListResponse.js';
import { unary, type ClientCalls } from './calls.js';
import { queueInfo, sessionInfo } from './coordination-convert.js';
import type { QueueInfo } from './coordination-types.js';
import { openObserver } from './observe.js';
import { createSession, type ClientSession, type SessionDeps } from './session.js';
import { DEFAULT_DRIFT_BOUND, DEFAULT_MARGIN_MS } from './session-clock.js';
import type { ConnectOptions, PalisadeClient } from './types.js';

export type CoordinationCalls = Pick<PalisadeClient, 'session' | 'leader' | 'observe' | 'sessions' | 'locks'>;

export interface Coordination {
  readonly calls: CoordinationCalls;
  /** Ends every open session locally (the client is closing; nothing keeps them alive any more). */
  abandonSessions(): void;
}

export function coordinationCalls(c: ClientCalls, opts: ConnectOptions, putEphemeral: SessionDeps['putEphemeral']): Coordination {
  const deps: SessionDeps = {
    calls: c,
    clock: { driftBound: opts.clockDriftBound ?? DEFAULT_DRIFT_BOUND, marginMs: opts.sessionMarginMs ?? DEFAULT_MARGIN_MS },
    now: () => performance.now(),
    putEphemeral,
  };
  const open = new Set<ClientSession>();
  const listQueues = async (prefix: string, serializable: boolean): Promise<readonly QueueInfo[]> => {
    const r = await c.call(`lock list ${prefix}`, (s, d) =>
      unary<QueueListResponse__Output>((md, o, cb) => s.QueueList({ prefix, serializable }, md, o, cb), d),
    );
    return r.queues.map(queueInfo);
  };
  const calls: CoordinationCalls = {
    async session(o = {}) {
      const session = await createSession(deps, o);
      open.add(session);
      void session.done.then(() => open.delete(session));
      return session;
    },
    async leader(name, o = {}) {
      const queue = (await listQueues(name, o.serializable ?? false)).find((q) => q.name === name);
      return queue?.holders[0];
    },
    observe(name) {
      return openObserver(c.pool, { name, maxReconnects: 3 * c.pool.endpoints.length + 5 });
    },
    sessions: {
      async list(o = {}) {
        const r = await c.call('session list', (s, d) =>
          unary<SessionListResponse__Output>((md, co, cb) => s.SessionList({ serializable: o.serializable ?? false }, md, co, cb), d),
        );
        return r.sessions.map(sessionInfo);
      },
    },
    locks: {
      list: (prefix = '', o = {}) => listQueues(prefix, o.serializable ?? false),
    },
  };
  return {
    calls,
    abandonSessions() {
      for (const s of [...open]) s.abandon();
    },
  };
}
