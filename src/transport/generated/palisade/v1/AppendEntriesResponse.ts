// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface AppendEntriesResponse {
  'index'?: (number | string | Long);
  'reject'?: (boolean);
  'rejectHint'?: (number | string | Long);
  'hintTerm'?: (number | string | Long);
}

export interface AppendEntriesResponse__Output {
  'index': (string);
  'reject': (boolean);
  'rejectHint': (string);
  'hintTerm': (string);
}
