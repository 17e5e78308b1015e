// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface RequestVote {
  'preVote'?: (boolean);
  'lastIndex'?: (number | string | Long);
  'lastTerm'?: (number | string | Long);
  'transfer'?: (boolean);
}

export interface RequestVote__Output {
  'preVote': (boolean);
  'lastIndex': (string);
  'lastTerm': (string);
  'transfer': (boolean);
}
