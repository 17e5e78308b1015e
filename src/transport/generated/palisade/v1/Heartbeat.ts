// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'commit'?: (number | string | Long);
  'round'?: (number | string | Long);
}

export interface Heartbeat__Output {
  'commit': (string);
  'round': (string);
}
