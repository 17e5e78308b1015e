// Original file: proto/palisade/v1/raft.proto

import type { SnapshotMetadata as _palisade_v1_SnapshotMetadata, SnapshotMetadata__Output as _palisade_v1_SnapshotMetadata__Output } from '../../palisade/v1/SnapshotMetadata.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Sent first: what the data that follows is.
 */
export interface SnapshotHeader {
  /**
   * The sender's term.
   */
  'term'?: (number | string | Long);
  'metadata'?: (_palisade_v1_SnapshotMetadata | null);
  /**
   * Total length of the data chunks, so the receiver can bound memory and detect truncation.
   */
  'size'?: (number | string | Long);
}

/**
 * Sent first: what the data that follows is.
 */
export interface SnapshotHeader__Output {
  /**
   * The sender's term.
   */
  'term': (string);
  'metadata': (_palisade_v1_SnapshotMetadata__Output | null);
  /**
   * Total length of the data chunks, so the receiver can bound memory and detect truncation.
   */
  'size': (string);
}
