// The client API of a node (api/node-port.ts NodePort): status, serializable and linearizable
// reads, writes, watches, membership and leadership operations, and the active-role controls.
// It is the top of the node: built last, from the parts below it.
import type { CoordinationPort } from '../api/coordination-port.js';
import type { HaPort, MembershipResult, NodePort, NodeStatus, ReadView, WriteResult } from '../api/node-port.js';
import { WatchCompactedError as ApiWatchCompactedError } from '../errors.js';
import type { ConfChange } from '../raft/types.js';
import { WatchCompactedError } from '../statemachine/errors.js';
import type { Watch, WatchOptions } from '../statemachine/watch-hub.js';
import type { NodeConfig } from './config.js';
import type { MembershipOps } from './membership-ops.js';
import { renderNodeMetrics } from './metrics-text.js';
import type { NodeHost } from './node-host.js';
import type { PeerLink } from './peer-membership.js';
import type { RequestGuard } from './request-guard.js';
import { buildStatus } from './status.js';
import type { StoreQuota } from './store-quota.js';
import type { WriteCommand, WritePath } from './write-path.js';

export interface ClientApiParts {
  readonly config: NodeConfig;
  readonly host: NodeHost;
  readonly transport: PeerLink;
  readonly guard: RequestGuard;
  readonly writes: WritePath;
  readonly membership: MembershipOps;
  readonly quota: StoreQuota;
  readonly ha: HaPort;
  readonly coordination: CoordinationPort;
  readonly monotonicMs: () => number;
}

export class ClientApi implements NodePort {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly ha: HaPort;
  readonly coordination: CoordinationPort;

  constructor(private readonly parts: ClientApiParts) {
    this.nodeId = parts.config.id;
    this.clusterId = parts.config.cluster;
    this.ha = parts.ha;
    this.coordination = parts.coordination;
  }

  status(): NodeStatus {
    const { host, config, ha } = this.parts;
    const sm = host.stateMachine;
    const raft = buildStatus({
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      raft: host.raw.status(),
      role: host.role(),
      members: sm.members(),
      appliedIndex: sm.appliedIndex,
      lastHeard: host.peers.lastHeardFrom,
      now: this.parts.monotonicMs(),
      electionTimeoutMs: config.electionTimeoutMs,
    });
    const st = config.listeners.exposedPlaintext ? { ...raft, insecure: true } : raft;
    const store = this.parts.quota.usage(sm.storeBytes);
    return { ...st, store, members: st.members.map((m) => ({ ...m, ...ha.memberHealth(m.id) })), ha: ha.status() };
  }

  view(): ReadView {
    const sm = this.parts.host.stateMachine;
    return {
      revision: sm.revision,
      get: (key) => sm.get(key),
      list: (prefix, limit) => sm.list(prefix, limit),
      members: () => sm.members(),
    };
  }

  write(cmd: WriteCommand): Promise<WriteResult> {
    return this.parts.writes.write(cmd);
  }

  readBarrier(): Promise<void> {
    return this.parts.writes.readBarrier();
  }

  changeMembership(cc: ConfChange): Promise<MembershipResult> {
    return this.parts.membership.changeMembership(cc);
  }

  transferLeadership(to: string): Promise<{ leader: string; term: number }> {
    return this.parts.membership.transferLeadership(to);
  }

  watch(options: WatchOptions): Watch {
    this.parts.guard.usable();
    try {
      return this.parts.host.watchHub.watch(options);
    } catch (err) {
      if (err instanceof WatchCompactedError) throw new ApiWatchCompactedError(err.message, { cause: err });
      throw err;
    }
  }

  metricsText(): string {
    const { host } = this.parts;
    return renderNodeMetrics({
      raft: host.raw.status(),
      metrics: host.metrics,
      sm: host.stateMachine,
      watches: host.watchHub.size,
      quota: this.parts.quota,
      eventsDropped: host.events.dropped,
      transport: this.parts.transport.stats(),
    });
  }
}
