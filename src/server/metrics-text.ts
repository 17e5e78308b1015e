// The node's /metrics page in the Prometheus text format (a hand-written renderer until the
// prom-client issue replaces it).
import type { Status } from '../raft/ready.js';
import { NONE } from '../raft/types.js';
import type { StateMachine } from '../statemachine/state-machine.js';
import type { TransportStats } from '../transport/transport.js';
import { renderPrometheus, type MetricSample, type NodeMetrics } from './metrics.js';
import type { StoreQuota } from './store-quota.js';

export interface MetricsSources {
  readonly raft: Status;
  readonly metrics: NodeMetrics;
  readonly sm: StateMachine;
  readonly watches: number;
  readonly quota: StoreQuota;
  readonly eventsDropped: number;
  readonly transport: TransportStats;
}

/** The process's own CPU and memory, under the names Prometheus client libraries use. */
function processSamples(): MetricSample[] {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const g = (name: string, help: string, value: number): MetricSample => ({ name, help, type: 'gauge', value });
  return [
    {
      name: 'process_cpu_seconds_total',
      help: 'User and system CPU time of this process.',
      type: 'counter',
      value: (cpu.user + cpu.system) / 1e6,
    },
    g('process_resident_memory_bytes', 'Resident set size of this process.', mem.rss),
    g('nodejs_heap_size_total_bytes', 'V8 heap reserved.', mem.heapTotal),
    g('nodejs_heap_size_used_bytes', 'V8 heap in use (live objects and garbage not yet collected).', mem.heapUsed),
    g('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects (buffers included).', mem.external),
  ];
}

const gauge = (name: string, help: string, value: number, labels?: Record<string, string>): MetricSample => ({
  name,
  help,
  type: 'gauge',
  value,
  ...(labels ? { labels } : {}),
});
const counter = (name: string, help: string, value: number): MetricSample => ({ name, help, type: 'counter', value });

function nodeSamples(s: MetricsSources): MetricSample[] {
  const { raft: st, metrics: m, sm } = s;
  const g = gauge;
  const c = counter;
  return [
    g('palisade_raft_term', 'Current Raft term.', st.term),
    g('palisade_raft_commit_index', 'Highest log index known committed.', st.commit),
    g('palisade_raft_applied_index', 'Highest log index applied to the state machine.', sm.appliedIndex),
    g('palisade_raft_last_index', 'Last index of the local log.', st.lastIndex),
    g('palisade_raft_is_leader', '1 if this node is the Raft leader.', st.state === 'leader' ? 1 : 0),
    g('palisade_raft_has_leader', '1 if this node knows a leader.', st.lead === NONE ? 0 : 1),
    c('palisade_raft_leader_changes_total', 'Leader changes seen by this node.', m.leaderChanges),
    c('palisade_proposals_total', 'Writes proposed through this node.', m.proposals),
    c('palisade_proposals_failed_total', 'Writes refused or timed out on this node.', m.proposalsFailed),
    c('palisade_read_index_total', 'Linearizable reads started on this node.', m.readIndexReads),
    c('palisade_read_index_failed_total', 'Linearizable reads refused or timed out.', m.readIndexFailed),
    c('palisade_ready_total', 'Readies handled by the Ready loop.', m.readies),
    c('palisade_applied_entries_total', 'Entries applied since start.', m.appliedEntries),
    c('palisade_snapshots_taken_total', 'Snapshots taken for log compaction.', m.snapshotsTaken),
    c('palisade_snapshots_restored_total', 'Snapshots received from the leader and restored.', m.snapshotsRestored),
    g('palisade_kv_revision', 'Revision of the key-value store.', sm.revision),
    g('palisade_watches', 'Open watches on this node.', s.watches),
    g('palisade_store_bytes', 'Size of the key-value store as --quota-bytes counts it.', sm.storeBytes),
    g('palisade_store_quota_bytes', "The store's quota (--quota-bytes).", s.quota.quotaBytes),
    g('palisade_store_quota_alarm', '1 while writes are refused for the quota.', s.quota.usage(sm.storeBytes).alarm === '' ? 0 : 1),
    c('palisade_events_dropped_total', 'Node events dropped because a subscriber was slow.', s.eventsDropped),
    c(
      'palisade_removed_peer_messages_dropped_total',
      'Peer messages dropped because their sender was removed from the cluster.',
      m.droppedFromRemoved,
    ),
  ];
}

function transportSamples(ts: TransportStats): MetricSample[] {
  const samples = [
    counter('palisade_transport_received_total', 'Peer messages received.', ts.received),
    counter('palisade_transport_undeliverable_total', 'Peer messages with no route.', ts.undeliverable),
  ];
  const peerStats = [...ts.peers].map(([peer, s]) => [peer, s as unknown as Record<string, unknown>] as const);
  const fields = new Set<string>();
  for (const [, s] of peerStats) for (const [k, v] of Object.entries(s)) if (typeof v === 'number') fields.add(k);
  for (const f of [...fields].sort()) {
    const name = `palisade_transport_peer_${f.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)}`;
    for (const [peer, s] of peerStats) {
      const v = s[f];
      if (typeof v === 'number') samples.push(gauge(name, `Peer stream statistic ${f}.`, v, { peer }));
    }
  }
  return samples;
}

export function renderNodeMetrics(s: MetricsSources): string {
  const samples = [...nodeSamples(s), ...transportSamples(s.transport), ...processSamples()];
  return renderPrometheus(samples, [
    {
      name: 'palisade_ready_loop_duration_seconds',
      help: 'Time to handle one Ready (persist, send, apply, advance).',
      h: s.metrics.readyDuration,
    },
    { name: 'palisade_ready_persist_duration_seconds', help: 'Time of the durable write of one Ready.', h: s.metrics.persistDuration },
  ]);
}
