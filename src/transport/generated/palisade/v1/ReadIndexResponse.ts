// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadIndexResponse {
  'context'?: (string);
  'index'?: (number | string | Long);
  'reject'?: (boolean);
}

export interface ReadIndexResponse__Output {
  'context': (string);
  'index': (string);
  'reject': (boolean);
}
