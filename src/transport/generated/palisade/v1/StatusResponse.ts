// Original file: proto/palisade/v1/client.proto

import type { MemberStatus as _palisade_v1_MemberStatus, MemberStatus__Output as _palisade_v1_MemberStatus__Output } from '../../palisade/v1/MemberStatus.js';
import type { HaStatus as _palisade_v1_HaStatus, HaStatus__Output as _palisade_v1_HaStatus__Output } from '../../palisade/v1/HaStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'cluster'?: (string);
  /**
   * The node that answered.
   */
  'nodeId'?: (string);
  'leader'?: (string);
  'term'?: (number | string | Long);
  'commitIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
  'members'?: (_palisade_v1_MemberStatus)[];
  'version'?: (string);
  /**
   * The active role as the answering node sees it.
   */
  'ha'?: (_palisade_v1_HaStatus | null);
  /**
   * The key-value store's size as --quota-bytes counts it (keys and values, 64 bytes per key), and the quota.
   */
  'storeBytes'?: (number | string | Long);
  'quotaBytes'?: (number | string | Long);
  /**
   * Conditions an operator should act on, each one sentence ("NOSPACE: ..."); empty when none.
   */
  'alarms'?: (string)[];
  /**
   * The answering node serves plaintext gRPC on a non-loopback address (--insecure): anyone who
   * reaches its ports can forge Raft messages and drive the cluster.
   */
  'insecure'?: (boolean);
}

export interface StatusResponse__Output {
  'cluster': (string);
  /**
   * The node that answered.
   */
  'nodeId': (string);
  'leader': (string);
  'term': (string);
  'commitIndex': (string);
  'appliedIndex': (string);
  'members': (_palisade_v1_MemberStatus__Output)[];
  'version': (string);
  /**
   * The active role as the answering node sees it.
   */
  'ha': (_palisade_v1_HaStatus__Output | null);
  /**
   * The key-value store's size as --quota-bytes counts it (keys and values, 64 bytes per key), and the quota.
   */
  'storeBytes': (string);
  'quotaBytes': (string);
  /**
   * Conditions an operator should act on, each one sentence ("NOSPACE: ..."); empty when none.
   */
  'alarms': (string)[];
  /**
   * The answering node serves plaintext gRPC on a non-loopback address (--insecure): anyone who
   * reaches its ports can forge Raft messages and drive the cluster.
   */
  'insecure': (boolean);
}
