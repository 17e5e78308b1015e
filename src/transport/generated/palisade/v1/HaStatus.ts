// Original file: proto/palisade/v1/client.proto

import type { ActiveHolder as _palisade_v1_ActiveHolder, ActiveHolder__Output as _palisade_v1_ActiveHolder__Output } from '../../palisade/v1/ActiveHolder.js';
import type { Long } from '@grpc/proto-loader';

export interface HaStatus {
  /**
   * Unset when no node holds the role.
   */
  'active'?: (_palisade_v1_ActiveHolder | null);
  /**
   * "hook" or "lease".
   */
  'fencing'?: (string);
  /**
   * Why that mode: "flag", "on-fence" or "default".
   */
  'fencingSource'?: (string);
  'paused'?: (boolean);
  /**
   * The answering node: "inactive", "fencing", "promoting", "active" or "demoting".
   */
  'localRole'?: (string);
  /**
   * The answering node serves /primary (active, valid lease, resources up).
   */
  'primary'?: (boolean);
  'noActive'?: (boolean);
  'priority'?: (number);
  'failback'?: (boolean);
  /**
   * Lease left on the answering node; -1 when it holds none.
   */
  'leaseRemainingMs'?: (number | string | Long);
  /**
   * The answering node's service health by its check: "healthy", "unhealthy" or "unknown".
   */
  'health'?: (string);
  'healthDetail'?: (string);
  /**
   * The answering node is active with an unhealthy service and keeps the role; the reason why.
   */
  'degraded'?: (boolean);
  'degradedReason'?: (string);
}

export interface HaStatus__Output {
  /**
   * Unset when no node holds the role.
   */
  'active': (_palisade_v1_ActiveHolder__Output | null);
  /**
   * "hook" or "lease".
   */
  'fencing': (string);
  /**
   * Why that mode: "flag", "on-fence" or "default".
   */
  'fencingSource': (string);
  'paused': (boolean);
  /**
   * The answering node: "inactive", "fencing", "promoting", "active" or "demoting".
   */
  'localRole': (string);
  /**
   * The answering node serves /primary (active, valid lease, resources up).
   */
  'primary': (boolean);
  'noActive': (boolean);
  'priority': (number);
  'failback': (boolean);
  /**
   * Lease left on the answering node; -1 when it holds none.
   */
  'leaseRemainingMs': (string);
  /**
   * The answering node's service health by its check: "healthy", "unhealthy" or "unknown".
   */
  'health': (string);
  'healthDetail': (string);
  /**
   * The answering node is active with an unhealthy service and keeps the role; the reason why.
   */
  'degraded': (boolean);
  'degradedReason': (string);
}
