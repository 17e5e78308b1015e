// The coordination calls of the Palisade gRPC service (proto/palisade/v1/client.proto,
// docs/coordination.md) on top of a CoordinationPort: sessions, Acquire / Release / Proclaim,
// the lists and the Observe stream. Wire objects are checked here (coord-checks.ts) and
// converted; failures leave as statuses with their `palisade-error` reason.
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { InvalidArgumentError, PreconditionFailedError, isPalisadeError, toGrpcStatus } from '../errors.js';
import type { AcquireRequest__Output } from '../transport/generated/palisade/v1/AcquireRequest.js';
import type { AcquireResponse } from '../transport/generated/palisade/v1/AcquireResponse.js';
import type { Holder } from '../transport/generated/palisade/v1/Holder.js';
import type { ObserveEvent } from '../transport/generated/palisade/v1/ObserveEvent.js';
import type { ObserveRequest__Output } from '../transport/generated/palisade/v1/ObserveRequest.js';
import type { ProclaimRequest__Output } from '../transport/generated/palisade/v1/ProclaimRequest.js';
import type { ProclaimResponse } from '../transport/generated/palisade/v1/ProclaimResponse.js';
import type { Queue } from '../transport/generated/palisade/v1/Queue.js';
import type { QueueListRequest__Output } from '../transport/generated/palisade/v1/QueueListRequest.js';
import type { QueueListResponse } from '../transport/generated/palisade/v1/QueueListResponse.js';
import type { ReleaseRequest__Output } from '../transport/generated/palisade/v1/ReleaseRequest.js';
import type { ReleaseResponse } from '../transport/generated/palisade/v1/ReleaseResponse.js';
import type { SessionCloseRequest__Output } from '../transport/generated/palisade/v1/SessionCloseRequest.js';
import type { SessionCloseResponse } from '../transport/generated/palisade/v1/SessionCloseResponse.js';
import type { SessionCreateRequest__Output } from '../transport/generated/palisade/v1/SessionCreateRequest.js';
import type { SessionCreateResponse } from '../transport/generated/palisade/v1/SessionCreateResponse.js';
import type { SessionInfo } from '../transport/generated/palisade/v1/SessionInfo.js';
import type { SessionKeepAliveRequest__Output } from '../transport/generated/palisade/v1/SessionKeepAliveRequest.js';
import type { SessionKeepAliveResponse } from '../transport/generated/palisade/v1/SessionKeepAliveResponse.js';
import type { SessionListRequest__Output } from '../transport/generated/palisade/v1/SessionListRequest.js';
import type { SessionListResponse } from '../transport/generated/palisade/v1/SessionListResponse.js';
import type { CallEdge } from './call-edge.js';
import { checkKind, checkLimit, checkLockDelay, checkName, checkOwner, checkSessionId, checkTtl } from './coord-checks.js';
import type {
  AcquireAnswer,
  AcquireCall,
  CoordinationPort,
  HolderView,
  HoldersChange,
  QueueView,
  SessionView,
} from './coordination-port.js';
import { checkKey, requestId, u64 } from './kv-writes.js';
import type { NodePort } from './node-port.js';
import type { ServiceLogger } from './service-logger.js';
import { Undecodable } from './undecodable.js';

/** The node's coordination, or FAILED_PRECONDITION when it runs without. */
export function coordinationOf(port: NodePort): CoordinationPort {
  if (port.coordination === undefined) throw new PreconditionFailedError(`node ${port.nodeId} runs without coordination`);
  return port.coordination;
}

/** An Acquire request, checked (the unary call and the KvWrite stream alike). */
export function acquireCall(req: AcquireRequest__Output): AcquireCall {
  const kind = checkKind(req.kind);
  return {
    name: checkName(req.name),
    session: checkSessionId(req.sessionId),
    kind,
    limit: checkLimit(kind, req.limit),
    value: req.value,
    wait: req.wait,
  };
}

export function acquireResponse(r: AcquireAnswer): AcquireResponse {
  return r.granted ? { granted: true, token: String(r.token), position: 0 } : { granted: false, token: '0', position: r.position };
}

export function releaseOf(port: NodePort, req: ReleaseRequest__Output): Promise<ReleaseResponse> {
  return coordinationOf(port).release(checkName(req.name), checkSessionId(req.sessionId));
}

export function coordinationHandlers(port: NodePort, edge: CallEdge, logger: ServiceLogger | undefined): UntypedServiceImplementation {
  const coord = (): CoordinationPort => coordinationOf(port);
  return {
    SessionCreate: edge.unary('SessionCreate', async (req: SessionCreateRequest__Output): Promise<SessionCreateResponse> => {
      const r = await coord().createSession({
        ttlMs: checkTtl(req.ttlMs),
        lockDelayMs: checkLockDelay(req.lockDelayMs),
        owner: checkOwner(req.owner),
        ...requestId(req.request),
      });
      return { sessionId: r.session, ttlMs: r.ttlMs, duplicate: r.duplicate };
    }),

    SessionKeepAlive: edge.unary('SessionKeepAlive', async (req: SessionKeepAliveRequest__Output): Promise<SessionKeepAliveResponse> =>
      coord().keepAlive(checkSessionId(req.sessionId)),
    ),

    SessionClose: edge.unary('SessionClose', async (req: SessionCloseRequest__Output): Promise<SessionCloseResponse> =>
      coord().closeSession(checkSessionId(req.sessionId)),
    ),

    SessionList: edge.unary('SessionList', async (req: SessionListRequest__Output): Promise<SessionListResponse> => {
      const c = coord();
      if (!req.serializable) await port.readBarrier();
      return { sessions: c.sessions().map(wireSession) };
    }),

    Acquire: edge.unary('Acquire', async (req: AcquireRequest__Output, _who, call): Promise<AcquireResponse> => {
      const acquire = acquireCall(req);
      // A waiting Acquire ends when its caller goes (deadline, cancel): the session stays queued
      // (acquire is idempotent), and the client re-issues it or releases.
      const gone = new AbortController();
      const abandon = (): void => gone.abort(new PreconditionFailedError('the caller went away'));
      call.on('cancelled', abandon);
      try {
        return acquireResponse(await coordinationOf(port).acquire(acquire, gone.signal));
      } finally {
        call.off('cancelled', abandon);
      }
    }),

    Release: edge.unary('Release', async (req: ReleaseRequest__Output): Promise<ReleaseResponse> => releaseOf(port, req)),

    Proclaim: edge.unary('Proclaim', async (req: ProclaimRequest__Output): Promise<ProclaimResponse> => {
      await coord().proclaim(checkName(req.name), checkSessionId(req.sessionId), u64(req.token, 'token'), req.value);
      return {};
    }),

    QueueList: edge.unary('QueueList', async (req: QueueListRequest__Output): Promise<QueueListResponse> => {
      const c = coord();
      if (req.prefix !== '') checkKey(req.prefix, 'prefix');
      if (!req.serializable) await port.readBarrier();
      return { queues: c.queues(req.prefix).map(wireQueue) };
    }),

    Observe: (call: ServerWritableStream<ObserveRequest__Output | Undecodable, ObserveEvent>): void => {
      if (edge.admit(call, 'Observe', (err) => call.emit('error', toGrpcStatus(err))) === undefined) return;
      serveObserve(coord, call, logger);
    },
  };
}

/**
 * One event per applied change of the holders, the current ones first. A watcher that does not
 * read gets the latest holders once it drains (latest state wins): never an unbounded buffer.
 */
function serveObserve(
  coord: () => CoordinationPort,
  call: ServerWritableStream<ObserveRequest__Output | Undecodable, ObserveEvent>,
  logger: ServiceLogger | undefined,
): void {
  const req = call.request;
  let stop = (): void => {};
  try {
    if (req instanceof Undecodable) throw new InvalidArgumentError('Observe: request is not a valid protobuf message');
    const name = checkName(req.name);
    let blocked = false;
    let latest: HoldersChange | undefined;
    const send = (change: HoldersChange): void => {
      if (call.cancelled) return;
      if (blocked) {
        latest = change;
        return;
      }
      blocked = !call.write(wireObserveEvent(change));
    };
    call.on('drain', () => {
      blocked = false;
      const next = latest;
      latest = undefined;
      if (next !== undefined) send(next);
    });
    stop = coord().observe(name, send);
  } catch (err) {
    if (!isPalisadeError(err)) logger?.warn({ err }, 'observe ended with an error');
    call.emit('error', toGrpcStatus(err));
    return;
  }
  let stopped = false;
  const end = (): void => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  call.on('cancelled', end);
  call.on('close', end);
}

// ---------------------------------------------------------------- edge conversions

function wireSession(s: SessionView): SessionInfo {
  return {
    sessionId: s.id,
    owner: s.owner,
    ttlMs: s.ttlMs,
    lockDelayMs: s.lockDelayMs,
    holds: [...s.holds],
    waits: [...s.waits],
    ephemeralKeys: s.ephemeralKeys,
    remainingMs: String(Math.floor(s.remainingMs)),
  };
}

function wireHolder(h: HolderView): Holder {
  return { sessionId: h.session, owner: h.owner, token: String(h.token), value: h.value };
}

function wireQueue(q: QueueView): Queue {
  return {
    name: q.name,
    kind: q.kind,
    limit: q.limit,
    holders: q.holders.map(wireHolder),
    waiters: q.waiters.map((w) => ({ sessionId: w.session, owner: w.owner, value: w.value })),
    delayed: q.delayed,
  };
}

function wireObserveEvent(c: HoldersChange): ObserveEvent {
  return { holders: c.holders.map(wireHolder), index: String(c.index) };
}
