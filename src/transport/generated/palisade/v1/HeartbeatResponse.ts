// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'round'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'round': (string);
}
