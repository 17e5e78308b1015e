// NodeStatus as this node sees the cluster. The leader knows every member's replication
// progress; a follower knows itself, who leads and when it last heard from each peer, so other
// members' roles are 'unknown' there (the CLI combines the answers of several endpoints).
import type { MemberStatus, NodeRole, NodeStatus } from '../api/node-port.js';
import type { Status } from '../raft/ready.js';
import { NONE } from '../raft/types.js';
import { MemberRole, type Member } from '../statemachine/membership.js';

export interface StatusInputs {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly raft: Status;
  readonly role: NodeRole;
  readonly members: readonly Member[];
  readonly appliedIndex: number;
  readonly lastHeard: ReadonlyMap<string, number>;
  readonly now: number;
  readonly electionTimeoutMs: number;
}

export function buildStatus(s: StatusInputs): NodeStatus {
  const { raft } = s;
  const members = s.members.map((m): MemberStatus => memberStatus(s, m));
  return {
    id: s.nodeId,
    cluster: s.clusterId,
    leader: raft.lead,
    term: raft.term,
    commitIndex: raft.commit,
    appliedIndex: s.appliedIndex,
    role: s.role,
    members,
  };
}

function memberStatus(s: StatusInputs, m: Member): MemberStatus {
  const { raft } = s;
  const voter = m.role === MemberRole.Voter;
  const base = { id: m.id, address: m.address, voter };
  if (m.id === s.nodeId) {
    return {
      ...base,
      role: s.role,
      reachable: true,
      lastContactMs: 0,
      matchIndex: raft.lastIndex,
      lag: Math.max(0, raft.commit - raft.lastIndex),
    };
  }
  // Stamped on every message from the member (heartbeat responses included) as it arrives.
  const heard = s.lastHeard.get(m.id);
  const lastContactMs = heard === undefined ? -1 : Math.max(0, Math.round(s.now - heard));
  // Heard within an election timeout. Not the core's recentActive: check-quorum clears that
  // flag at every election timeout, so it reads false for a moment even for a healthy follower.
  const reachable = heard !== undefined && s.now - heard <= s.electionTimeoutMs;
  const pr = raft.progress?.get(m.id);
  if (pr !== undefined) {
    return {
      ...base,
      role: pr.isLearner ? 'learner' : 'follower',
      reachable,
      lastContactMs,
      matchIndex: pr.match,
      lag: Math.max(0, raft.lastIndex - pr.match),
    };
  }
  const isLeader = raft.lead !== NONE && raft.lead === m.id;
  return {
    ...base,
    role: isLeader ? 'leader' : voter ? 'unknown' : 'learner',
    reachable,
    lastContactMs,
    matchIndex: 0,
    lag: 0,
  };
}
