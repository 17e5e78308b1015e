// `palisade status` asks every node it can find and combines the answers into one view. Only
// the leader tracks replication (match index, lag, last contact, reachability), so its answer is
// the authority for the member list and those columns; each node is the authority for its own
// Raft role. Pure: the command does the asking, this file the combining.
import type { HaStatusReport, MemberStatusReport, NodeStatusReport } from '../client/types.js';

export interface StatusProbe {
  readonly endpoint: string;
  readonly report?: NodeStatusReport;
  /** Why the endpoint did not answer. */
  readonly error?: string;
  /** The error's stable code (src/errors.ts), for the exit code when nobody answered. */
  readonly errorCode?: string;
}

export interface MemberView {
  readonly id: string;
  readonly address: string;
  readonly role: string;
  readonly voter: boolean;
  readonly reachable: boolean;
  /** null when no leader answered (only the leader knows). */
  readonly lastContactMs: number | null;
  readonly matchIndex: number | null;
  readonly lag: number | null;
  /** The member's own word on its active role (inactive, promoting, active...); null when it did not answer. */
  readonly activeRole: string | null;
  /** Its published service health (replicated, so any answer knows every member's). */
  readonly health: 'healthy' | 'unhealthy' | 'unknown';
  readonly healthDetail: string;
}

export interface ClusterView {
  readonly cluster: string;
  /** null when no node that answered knows a leader. */
  readonly leader: string | null;
  readonly term: number;
  readonly commitIndex: number;
  readonly members: readonly MemberView[];
  /** The node holding the active role and its epoch; null when none (or nobody answered). */
  readonly active: { readonly node: string; readonly epoch: number } | null;
  /** 'hook' | 'lease', as the authority reports it; null when unknown. */
  readonly fencing: string | null;
  readonly paused: boolean;
  /** The active node keeps the role with an unhealthy service: why (its own answer); null when not. */
  readonly degraded: string | null;
  /** Endpoints that did not answer, with why. */
  readonly unreachable: readonly { readonly endpoint: string; readonly error: string }[];
  /** Nodes that serve plaintext gRPC on a non-loopback address (--insecure); absent when none. */
  readonly insecure?: readonly string[];
  /** Alarms the nodes raised, each as "node: alarm" (the store's quota...); absent when none. */
  readonly alarms?: readonly string[];
}

/** The answer to trust most: the leader's own (highest term), else the most advanced node's. */
function authority(reports: readonly NodeStatusReport[]): NodeStatusReport | undefined {
  const rank = (r: NodeStatusReport) => [r.leader !== '' && r.leader === r.nodeId ? 1 : 0, r.term, r.commitIndex] as const;
  let best: NodeStatusReport | undefined;
  for (const r of reports) {
    if (best === undefined) {
      best = r;
      continue;
    }
    const [a, b] = [rank(r), rank(best)];
    const cmp = a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    if (cmp > 0) best = r;
  }
  return best;
}

export function combineStatus(probes: readonly StatusProbe[]): ClusterView {
  const reports = probes.flatMap((p) => (p.report !== undefined ? [p.report] : []));
  const unreachable = probes.flatMap((p) => (p.report === undefined ? [{ endpoint: p.endpoint, error: p.error ?? 'no answer' }] : []));
  const auth = authority(reports);
  if (auth === undefined)
    return {
      cluster: '',
      leader: null,
      term: 0,
      commitIndex: 0,
      members: [],
      active: null,
      fencing: null,
      paused: false,
      degraded: null,
      unreachable,
    };

  const isLeaderView = auth.leader !== '' && auth.leader === auth.nodeId;
  // Each node's word about itself, from its own answer.
  const own = new Map(reports.map((r) => [r.nodeId, r.members.find((m) => m.id === r.nodeId)]));
  const haOf = new Map(reports.map((r) => [r.nodeId, r.ha]));
  const members = [...auth.members]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((m): MemberView => {
      const self = own.get(m.id);
      const answered = own.has(m.id);
      const reachable = isLeaderView ? m.reachable || m.id === auth.nodeId : answered;
      return {
        id: m.id,
        address: m.address,
        role: self?.role ?? (isLeaderView && m.reachable ? m.role : 'unknown'),
        voter: m.voter,
        reachable,
        lastContactMs: isLeaderView ? (m.id === auth.nodeId ? 0 : (m.lastContactMs ?? null)) : null,
        matchIndex: isLeaderView ? m.matchIndex : null,
        lag: isLeaderView ? m.lag : null,
        activeRole: haOf.get(m.id)?.localRole ?? null,
        ...memberHealth(m, haOf.get(m.id), reachable),
      };
    });
  // The leader's copy of the replicated record is the freshest; else the authority's.
  const ha = auth.ha ?? reports.find((r) => r.ha !== undefined)?.ha;
  const holderHa = ha?.active ? haOf.get(ha.active.node) : undefined;
  return {
    cluster: auth.cluster,
    leader: auth.leader === '' ? null : auth.leader,
    term: auth.term,
    commitIndex: auth.commitIndex,
    members,
    active: ha?.active ?? null,
    fencing: ha?.fencing ?? null,
    paused: ha?.paused ?? false,
    degraded: holderHa?.degraded === true ? holderHa.degradedReason || 'service unhealthy' : null,
    unreachable,
    ...insecureNodes(probes),
    ...nodeAlarms(probes),
  };
}

/**
 * A member's own answer knows its verdict first (publication takes a commit). Without it, the
 * replicated verdict holds only while the member is reachable: a dead node's last verdict stays
 * in the state, and a dead node must not read as healthy.
 */
function memberHealth(
  m: MemberStatusReport,
  own: HaStatusReport | undefined,
  reachable: boolean,
): Pick<MemberView, 'health' | 'healthDetail'> {
  if (own !== undefined) return { health: own.health, healthDetail: own.healthDetail };
  if (reachable) return { health: m.health, healthDetail: m.healthDetail };
  return { health: 'unknown', healthDetail: m.health === 'unknown' ? 'not reachable' : `not reachable; last published: ${m.health}` };
}

/** Addresses the answers mention that were not asked yet: the next round of probes. */
export function unaskedAddresses(probes: readonly StatusProbe[]): string[] {
  const asked = new Set(probes.map((p) => p.endpoint));
  const out = new Set<string>();
  for (const p of probes) for (const m of p.report?.members ?? []) if (m.address !== '' && !asked.has(m.address)) out.add(m.address);
  return [...out];
}

function nodeAlarms(probes: readonly { readonly report?: NodeStatusReport }[]): { alarms?: readonly string[] } {
  const alarms = probes.flatMap((p) => (p.report?.alarms ?? []).map((a) => `${p.report!.nodeId}: ${a}`));
  return alarms.length > 0 ? { alarms: [...new Set(alarms)].sort() } : {};
}

function insecureNodes(probes: readonly { readonly report?: NodeStatusReport }[]): { insecure?: readonly string[] } {
  const ids = probes.flatMap((p) => (p.report?.insecure === true ? [p.report.nodeId] : []));
  return ids.length > 0 ? { insecure: [...new Set(ids)].sort() } : {};
}
