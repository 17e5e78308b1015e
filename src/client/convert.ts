// Wire (proto-loader objects, 64-bit values as decimal strings) → the client's plain types.
// A value that cannot be represented exactly is refused rather than silently rounded.
import type { KeyValue__Output } from '../transport/generated/palisade/v1/KeyValue.js';
import type { Member__Output } from '../transport/generated/palisade/v1/Member.js';
import type { MemberStatus__Output } from '../transport/generated/palisade/v1/MemberStatus.js';
import type { StatusResponse__Output } from '../transport/generated/palisade/v1/StatusResponse.js';
import type { KvWatchEvent__Output } from '../transport/generated/palisade/v1/KvWatchEvent.js';
import type { ClusterEvent__Output } from '../transport/generated/palisade/v1/ClusterEvent.js';
import type { HaStatus__Output } from '../transport/generated/palisade/v1/HaStatus.js';
import { MalformedResponseError } from './errors.js';
import type {
  ClusterEventReport,
  HaStatusReport,
  KeyValue,
  MemberInfo,
  MemberStatusReport,
  NodeStatusReport,
  WatchEvent,
} from './types.js';

const UNSIGNED = /^(0|[1-9][0-9]*)$/;
const SIGNED = /^-?(0|[1-9][0-9]*)$/;

function int(value: string, field: string, re: RegExp): number {
  if (!re.test(value)) throw new MalformedResponseError(field, `expected an integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new MalformedResponseError(field, `${value} exceeds 2^53-1`);
  return n;
}

export const u64 = (value: string, field: string): number => int(value, field, UNSIGNED);

/** number → uint64 decimal string, refusing what the wire cannot carry. */
export function toU64(n: number, field: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${field} must be a non-negative integer, got ${n}`);
  return String(n);
}

export function keyValue(kv: KeyValue__Output, field: string): KeyValue {
  return {
    key: kv.key,
    value: kv.value,
    createRevision: u64(kv.createRevision, `${field}.createRevision`),
    modRevision: u64(kv.modRevision, `${field}.modRevision`),
    version: u64(kv.version, `${field}.version`),
  };
}

export function member(m: Member__Output): MemberInfo {
  return { id: m.id, address: m.address, voter: m.voter };
}

function memberStatus(m: MemberStatus__Output, i: number): MemberStatusReport {
  const contact = int(m.lastContactMs, `members[${i}].lastContactMs`, SIGNED);
  return {
    id: m.id,
    address: m.address,
    role: m.role === '' ? 'unknown' : m.role,
    voter: m.voter,
    reachable: m.reachable,
    lastContactMs: contact < 0 ? undefined : contact,
    matchIndex: u64(m.matchIndex, `members[${i}].matchIndex`),
    lag: u64(m.lag, `members[${i}].lag`),
    health: health(m.health, `members[${i}].health`),
    healthDetail: m.healthDetail,
  };
}

export function nodeStatus(s: StatusResponse__Output): NodeStatusReport {
  return {
    cluster: s.cluster,
    nodeId: s.nodeId,
    leader: s.leader,
    term: u64(s.term, 'term'),
    commitIndex: u64(s.commitIndex, 'commitIndex'),
    appliedIndex: u64(s.appliedIndex, 'appliedIndex'),
    members: s.members.map(memberStatus),
    version: s.version,
    ...(s.ha === null ? {} : { ha: haStatus(s.ha) }),
    ...(s.insecure ? { insecure: true } : {}),
    ...(s.quotaBytes !== '0' ? { store: { usedBytes: u64(s.storeBytes, 'storeBytes'), quotaBytes: u64(s.quotaBytes, 'quotaBytes') } } : {}),
    ...(s.alarms.length > 0 ? { alarms: [...s.alarms] } : {}),
  };
}

function haStatus(h: HaStatus__Output): HaStatusReport {
  if (h.fencing !== 'hook' && h.fencing !== 'lease') throw new MalformedResponseError('ha.fencing', `unknown fencing mode "${h.fencing}"`);
  const lease = int(h.leaseRemainingMs, 'ha.leaseRemainingMs', SIGNED);
  return {
    active: h.active === null ? null : { node: h.active.node, epoch: u64(h.active.epoch, 'ha.active.epoch') },
    fencing: h.fencing,
    fencingSource: h.fencingSource,
    paused: h.paused,
    localRole: h.localRole,
    primary: h.primary,
    noActive: h.noActive,
    priority: h.priority,
    failback: h.failback,
    leaseRemainingMs: lease < 0 ? undefined : lease,
    health: health(h.health, 'ha.health'),
    healthDetail: h.healthDetail,
    degraded: h.degraded,
    degradedReason: h.degradedReason,
  };
}

/** '' is what a server without health checks sends: nothing known. */
function health(v: string, field: string): 'healthy' | 'unhealthy' | 'unknown' {
  if (v === '' || v === 'unknown') return 'unknown';
  if (v === 'healthy' || v === 'unhealthy') return v;
  throw new MalformedResponseError(field, `unknown health "${v}"`);
}

const EVENT_KINDS: ReadonlySet<string> = new Set(['election', 'promotion', 'demotion', 'fence', 'hook', 'health']);

export function clusterEvent(e: ClusterEvent__Output, i: number): ClusterEventReport {
  if (!EVENT_KINDS.has(e.kind)) throw new MalformedResponseError(`events[${i}].kind`, `unknown event kind "${e.kind}"`);
  const duration = int(e.durationMs, `events[${i}].durationMs`, SIGNED);
  const epoch = int(e.epoch, `events[${i}].epoch`, SIGNED);
  return {
    seq: u64(e.seq, `events[${i}].seq`),
    kind: e.kind as ClusterEventReport['kind'],
    at: u64(e.atMs, `events[${i}].atMs`),
    nodeId: e.nodeId,
    term: u64(e.term, `events[${i}].term`),
    durationMs: duration < 0 ? undefined : duration,
    epoch: epoch < 0 ? undefined : epoch,
    detail: e.detail,
  };
}

export function watchEvent(e: KvWatchEvent__Output): WatchEvent {
  if (e.kv === null) throw new MalformedResponseError('kv', 'watch event without a key');
  const kv = keyValue(e.kv, 'kv');
  const revision = u64(e.revision, 'revision');
  switch (e.type) {
    case 'put':
      return { type: 'put', kv, revision };
    case 'delete':
      return { type: 'delete', kv, revision };
    default:
      throw new MalformedResponseError('type', `unknown watch event type "${e.type}"`);
  }
}
