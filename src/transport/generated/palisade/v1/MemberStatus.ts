// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberStatus {
  'id'?: (string);
  'address'?: (string);
  /**
   * Raft role as this node sees it: "leader", "follower", "candidate", "preCandidate", "learner",
   * or "unknown" (not reachable / not reported).
   */
  'role'?: (string);
  'voter'?: (boolean);
  /**
   * Known to the answering node: the leader tracks replication; others report only themselves.
   */
  'reachable'?: (boolean);
  /**
   * Milliseconds since the leader last heard from this member (-1: unknown).
   */
  'lastContactMs'?: (number | string | Long);
  'matchIndex'?: (number | string | Long);
  'lag'?: (number | string | Long);
  /**
   * The member's published service health: "healthy", "unhealthy" or "unknown" ("" from a node
   * without the active-role layer).
   */
  'health'?: (string);
  /**
   * Why (the failing check's last words); "" when nothing to say.
   */
  'healthDetail'?: (string);
}

export interface MemberStatus__Output {
  'id': (string);
  'address': (string);
  /**
   * Raft role as this node sees it: "leader", "follower", "candidate", "preCandidate", "learner",
   * or "unknown" (not reachable / not reported).
   */
  'role': (string);
  'voter': (boolean);
  /**
   * Known to the answering node: the leader tracks replication; others report only themselves.
   */
  'reachable': (boolean);
  /**
   * Milliseconds since the leader last heard from this member (-1: unknown).
   */
  'lastContactMs': (string);
  'matchIndex': (string);
  'lag': (string);
  /**
   * The member's published service health: "healthy", "unhealthy" or "unknown" ("" from a node
   * without the active-role layer).
   */
  'health': (string);
  /**
   * Why (the failing check's last words); "" when nothing to say.
   */
  'healthDetail': (string);
}
