// Original file: proto/palisade/v1/raft.proto

import type { SnapshotHeader as _palisade_v1_SnapshotHeader, SnapshotHeader__Output as _palisade_v1_SnapshotHeader__Output } from '../../palisade/v1/SnapshotHeader.js';

export interface SnapshotChunk {
  'clusterId'?: (string);
  'from'?: (string);
  'to'?: (string);
  'header'?: (_palisade_v1_SnapshotHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface SnapshotChunk__Output {
  'clusterId': (string);
  'from': (string);
  'to': (string);
  'header'?: (_palisade_v1_SnapshotHeader__Output | null);
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
