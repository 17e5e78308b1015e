// The Palisade gRPC service (proto/palisade/v1/client.proto) on top of a NodePort. This is the
// edge: wire objects are checked and converted here (64-bit values through a 2^53 check, ids
// and addresses validated) and never travel further; every failure leaves as a status with the
// `palisade-error` code (src/errors.ts), never as a crash.
import {
  type MethodDefinition,
  type ServerDuplexStream,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { InvalidArgumentError, toGrpcStatus } from '../errors.js';
import type { CallGuard } from './auth.js';
import { CallEdge } from './call-edge.js';
import { coordinationHandlers } from './coordination-service.js';
import { ConfChangeType, type ConfChange } from '../raft/types.js';
import type { RecordedEvent } from '../statemachine/cluster-events.js';
import type { Member } from '../statemachine/membership.js';
import { loadClientProto } from '../transport/client-proto.js';
import type { KvCasRequest__Output } from '../transport/generated/palisade/v1/KvCasRequest.js';
import type { KvCasResponse } from '../transport/generated/palisade/v1/KvCasResponse.js';
import type { KvDeleteRequest__Output } from '../transport/generated/palisade/v1/KvDeleteRequest.js';
import type { KvDeleteResponse } from '../transport/generated/palisade/v1/KvDeleteResponse.js';
import type { KvGetRequest__Output } from '../transport/generated/palisade/v1/KvGetRequest.js';
import type { KvGetResponse } from '../transport/generated/palisade/v1/KvGetResponse.js';
import type { KvListRequest__Output } from '../transport/generated/palisade/v1/KvListRequest.js';
import type { KvListResponse } from '../transport/generated/palisade/v1/KvListResponse.js';
import type { KvPutRequest__Output } from '../transport/generated/palisade/v1/KvPutRequest.js';
import type { KvPutResponse } from '../transport/generated/palisade/v1/KvPutResponse.js';
import type { KvWriteRequest__Output } from '../transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse } from '../transport/generated/palisade/v1/KvWriteResponse.js';
import type { KvWatchEvent } from '../transport/generated/palisade/v1/KvWatchEvent.js';
import type { KvWatchRequest__Output } from '../transport/generated/palisade/v1/KvWatchRequest.js';
import type { Member as WireMember } from '../transport/generated/palisade/v1/Member.js';
import type { MemberAddRequest__Output } from '../transport/generated/palisade/v1/MemberAddRequest.js';
import type { MemberChangeResponse } from '../transport/generated/palisade/v1/MemberChangeResponse.js';
import type { MemberListRequest__Output } from '../transport/generated/palisade/v1/MemberListRequest.js';
import type { MemberListResponse } from '../transport/generated/palisade/v1/MemberListResponse.js';
import type { MemberPromoteRequest__Output } from '../transport/generated/palisade/v1/MemberPromoteRequest.js';
import type { MemberRemoveRequest__Output } from '../transport/generated/palisade/v1/MemberRemoveRequest.js';
import type { StatusResponse } from '../transport/generated/palisade/v1/StatusResponse.js';
import type { TransferLeadershipRequest__Output } from '../transport/generated/palisade/v1/TransferLeadershipRequest.js';
import type { TransferLeadershipResponse } from '../transport/generated/palisade/v1/TransferLeadershipResponse.js';
import type { EventsRequest__Output } from '../transport/generated/palisade/v1/EventsRequest.js';
import type { EventsResponse } from '../transport/generated/palisade/v1/EventsResponse.js';
import type { ClusterEvent as WireClusterEvent } from '../transport/generated/palisade/v1/ClusterEvent.js';
import type { HaStatus as WireHaStatus } from '../transport/generated/palisade/v1/HaStatus.js';
import type { PauseResponse } from '../transport/generated/palisade/v1/PauseResponse.js';
import type { SwitchoverRequest__Output } from '../transport/generated/palisade/v1/SwitchoverRequest.js';
import type { SwitchoverResponse } from '../transport/generated/palisade/v1/SwitchoverResponse.js';
import { PreconditionFailedError } from '../errors.js';
import { WatchSlots } from './limits.js';
import { casKv, checkKey, deleteKv, putKv, u64, wireKv } from './kv-writes.js';
import type { HaPort, HaStatus, NodePort, NodeStatus } from './node-port.js';
import { Undecodable } from './undecodable.js';
import { serveWatchStream } from './watch-stream.js';
import { serveWriteStream } from './write-stream.js';
import type { MembershipResult } from './node-port.js';
import type { ServiceLogger } from './service-logger.js';

export const SERVER_VERSION = '0.1.0';

const NODE_ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The definition (with deserializers that never throw) and the implementation to add to a grpc
 * Server. Every call passes `guard` (auth.ts) before anything else: who calls, and may they.
 */
export function clientService(
  port: NodePort,
  guard: CallGuard,
  logger?: ServiceLogger,
): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const def = loadClientProto().palisade.v1.Palisade.service as unknown as Record<string, MethodDefinition<unknown, unknown>>;
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(def)) {
    definition[name] = {
      ...method,
      requestDeserialize: (buf: Buffer): unknown => {
        try {
          return method.requestDeserialize(buf);
        } catch (err) {
          return new Undecodable(err);
        }
      },
    };
  }
  return { definition, implementation: handlers(port, guard, logger) };
}

function handlers(port: NodePort, guard: CallGuard, logger: ServiceLogger | undefined): UntypedServiceImplementation {
  const edge = new CallEdge(guard, logger);
  const watchSlots = new WatchSlots();
  return {
    ...clusterHandlers(port, edge),
    ...memberHandlers(port, edge),
    ...kvHandlers(port, edge, guard),
    ...coordinationHandlers(port, edge, logger),
    KvWrite: (call: ServerDuplexStream<KvWriteRequest__Output | Undecodable, KvWriteResponse>): void => {
      const who = edge.admit(call, 'KvWrite', (err) => call.emit('error', toGrpcStatus(err)));
      if (who === undefined) return;
      serveWriteStream(port, call, logger, (key) => guard.authorizeKeyWrite(who, key));
    },
    KvWatch: (call: ServerWritableStream<KvWatchRequest__Output | Undecodable, KvWatchEvent>): void => {
      if (edge.admit(call, 'KvWatch', (err) => call.emit('error', toGrpcStatus(err))) === undefined) return;
      void serveWatchStream(port, call, logger, watchSlots);
    },
  };
}

/** Status, leadership and the active role. */
function clusterHandlers(port: NodePort, edge: CallEdge): UntypedServiceImplementation {
  return {
    Status: edge.unary('Status', (): StatusResponse => statusResponse(port.status())),

    TransferLeadership: edge.unary(
      'TransferLeadership',
      async (req: TransferLeadershipRequest__Output): Promise<TransferLeadershipResponse> => {
        const r = await port.transferLeadership(nodeId(req.to, 'to'));
        return { leader: r.leader, term: String(r.term) };
      },
    ),

    Switchover: edge.unary('Switchover', async (req: SwitchoverRequest__Output): Promise<SwitchoverResponse> => {
      const r = await haOf(port).switchover(req.to === '' ? '' : nodeId(req.to, 'to'));
      return { from: r.from, to: r.to, epoch: String(r.epoch), durationMs: String(r.durationMs) };
    }),

    Pause: edge.unary('Pause', async (): Promise<PauseResponse> => haOf(port).setPaused(true)),

    Resume: edge.unary('Resume', async (): Promise<PauseResponse> => haOf(port).setPaused(false)),

    Events: edge.unary('Events', (req: EventsRequest__Output): EventsResponse => {
      const events = haOf(port).events(u64(req.afterSeq, 'after_seq'), req.limit);
      return { events: events.map(wireEvent) };
    }),
  };
}

function memberHandlers(port: NodePort, edge: CallEdge): UntypedServiceImplementation {
  return {
    MemberList: edge.unary('MemberList', async (req: MemberListRequest__Output): Promise<MemberListResponse> => {
      if (!req.serializable) await port.readBarrier();
      return { members: port.view().members().map(wireMember) };
    }),

    MemberAdd: edge.unary('MemberAdd', (req: MemberAddRequest__Output) => {
      const id = nodeId(req.id);
      const address = hostPort(req.address, 'address');
      const cc: ConfChange = { type: req.learner ? ConfChangeType.AddLearner : ConfChangeType.AddVoter, nodeId: id, context: address };
      return port.changeMembership(cc).then(membershipResponse);
    }),

    MemberPromote: edge.unary('MemberPromote', (req: MemberPromoteRequest__Output) =>
      port.changeMembership({ type: ConfChangeType.AddVoter, nodeId: nodeId(req.id) }).then(membershipResponse),
    ),

    MemberRemove: edge.unary('MemberRemove', (req: MemberRemoveRequest__Output) =>
      port.changeMembership({ type: ConfChangeType.RemoveNode, nodeId: nodeId(req.id) }).then(membershipResponse),
    ),
  };
}

/** The unary kv calls; the KvWrite and KvWatch streams are served by write-stream.ts and watch-stream.ts. */
function kvHandlers(port: NodePort, edge: CallEdge, guard: CallGuard): UntypedServiceImplementation {
  return {
    KvGet: edge.unary('KvGet', async (req: KvGetRequest__Output): Promise<KvGetResponse> => {
      const key = checkKey(req.key);
      if (!req.serializable) await port.readBarrier();
      const view = port.view();
      const kv = view.get(key);
      return { found: kv !== undefined, kv: kv === undefined ? null : wireKv(kv), revision: view.revision };
    }),

    KvList: edge.unary('KvList', async (req: KvListRequest__Output): Promise<KvListResponse> => {
      const prefix = req.prefix;
      if (prefix !== '') checkKey(prefix, 'prefix');
      const limit = req.limit > 0 ? req.limit : Infinity;
      if (!req.serializable) await port.readBarrier();
      const view = port.view();
      const kvs = view.list(prefix, limit === Infinity ? Infinity : limit + 1);
      const more = kvs.length > limit;
      return { kvs: (more ? kvs.slice(0, limit) : kvs).map(wireKv), revision: view.revision, more };
    }),

    KvPut: edge.unary('KvPut', (req: KvPutRequest__Output, who): Promise<KvPutResponse> => {
      guard.authorizeKeyWrite(who, req.key);
      return putKv(port, req);
    }),
    KvDelete: edge.unary('KvDelete', (req: KvDeleteRequest__Output, who): Promise<KvDeleteResponse> => {
      guard.authorizeKeyWrite(who, req.key);
      return deleteKv(port, req);
    }),
    KvCas: edge.unary('KvCas', (req: KvCasRequest__Output, who): Promise<KvCasResponse> => {
      guard.authorizeKeyWrite(who, req.key);
      return casKv(port, req);
    }),
  };
}

// ---------------------------------------------------------------- edge conversions

function haOf(port: NodePort): HaPort {
  if (port.ha === undefined) throw new PreconditionFailedError(`node ${port.nodeId} runs without the active-role layer`);
  return port.ha;
}

function statusResponse(s: NodeStatus): StatusResponse {
  return {
    cluster: s.cluster,
    nodeId: s.id,
    leader: s.leader,
    term: String(s.term),
    commitIndex: String(s.commitIndex),
    appliedIndex: String(s.appliedIndex),
    version: SERVER_VERSION,
    ha: s.ha ? wireHaStatus(s.ha) : null,
    insecure: s.insecure === true,
    storeBytes: String(s.store?.usedBytes ?? 0),
    quotaBytes: String(s.store?.quotaBytes ?? 0),
    alarms: s.store !== undefined && s.store.alarm !== '' ? [s.store.alarm] : [],
    members: s.members.map((m) => ({
      id: m.id,
      address: m.address,
      role: m.role,
      voter: m.voter,
      reachable: m.reachable,
      lastContactMs: String(m.lastContactMs),
      matchIndex: String(m.matchIndex),
      lag: String(m.lag),
      health: m.health ?? '',
      healthDetail: m.healthDetail ?? '',
    })),
  };
}

function wireEvent(e: RecordedEvent): WireClusterEvent {
  return {
    seq: String(e.seq),
    kind: e.kind,
    atMs: String(e.at),
    nodeId: e.nodeId,
    term: String(e.term),
    durationMs: String(e.durationMs ?? -1),
    epoch: String(e.epoch ?? -1),
    detail: e.detail,
  };
}

function wireHaStatus(h: HaStatus): WireHaStatus {
  return {
    active: h.active ? { node: h.active.node, epoch: String(h.active.epoch) } : null,
    fencing: h.fencing,
    fencingSource: h.fencingSource,
    paused: h.paused,
    localRole: h.localRole,
    primary: h.primary,
    noActive: h.noActive,
    priority: h.priority,
    failback: h.failback,
    leaseRemainingMs: String(h.leaseRemainingMs),
    health: h.health,
    healthDetail: h.healthDetail,
    degraded: h.degraded,
    degradedReason: h.degradedReason,
  };
}

function membershipResponse(r: MembershipResult): MemberChangeResponse {
  return { members: r.members.map(wireMember), index: String(r.index) };
}

function wireMember(m: Member): WireMember {
  return { id: m.id, address: m.address, voter: m.role === 'voter' };
}

function nodeId(s: string, field = 'id'): string {
  if (!NODE_ID_RE.test(s)) {
    throw new InvalidArgumentError(`${field}: "${s}" is not a node id (1–63 characters: lowercase letters, digits, "-" or "_")`);
  }
  return s;
}

function hostPort(s: string, field: string): string {
  const i = s.lastIndexOf(':');
  const port = i < 0 ? NaN : Number(s.slice(i + 1));
  if (i <= 0 || !/^\d{1,5}$/.test(s.slice(i + 1)) || port < 1 || port > 65535 || /\s/.test(s)) {
    throw new InvalidArgumentError(`${field}: "${s}" is not host:port (e.g. 127.0.0.1:7104)`);
  }
  return s;
}
