// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface ClusterEvent {
  'seq'?: (number | string | Long);
  /**
   * "election", "promotion", "demotion", "fence" or "hook".
   */
  'kind'?: (string);
  /**
   * Milliseconds since the Unix epoch, on the clock of the node that recorded it.
   */
  'atMs'?: (number | string | Long);
  'nodeId'?: (string);
  'term'?: (number | string | Long);
  /**
   * -1 when the event has no duration / no epoch.
   */
  'durationMs'?: (number | string | Long);
  'epoch'?: (number | string | Long);
  'detail'?: (string);
}

export interface ClusterEvent__Output {
  'seq': (string);
  /**
   * "election", "promotion", "demotion", "fence" or "hook".
   */
  'kind': (string);
  /**
   * Milliseconds since the Unix epoch, on the clock of the node that recorded it.
   */
  'atMs': (string);
  'nodeId': (string);
  'term': (string);
  /**
   * -1 when the event has no duration / no epoch.
   */
  'durationMs': (string);
  'epoch': (string);
  'detail': (string);
}
