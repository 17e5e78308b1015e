// Original file: proto/palisade/v1/raft.proto

import type { ConfState as _palisade_v1_ConfState, ConfState__Output as _palisade_v1_ConfState__Output } from '../../palisade/v1/ConfState.js';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotMetadata {
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
  'confState'?: (_palisade_v1_ConfState | null);
}

export interface SnapshotMetadata__Output {
  'index': (string);
  'term': (string);
  'confState': (_palisade_v1_ConfState__Output | null);
}
