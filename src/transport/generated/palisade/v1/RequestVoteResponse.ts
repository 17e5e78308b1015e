// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface RequestVoteResponse {
  'preVote'?: (boolean);
  'reject'?: (boolean);
  /**
   * A committed entry of the responder's log at or below the candidate's last index (0: none);
   * a candidate holding the same (index, term) may commit up to it.
   */
  'commitIndex'?: (number | string | Long);
  'commitTerm'?: (number | string | Long);
}

export interface RequestVoteResponse__Output {
  'preVote': (boolean);
  'reject': (boolean);
  /**
   * A committed entry of the responder's log at or below the candidate's last index (0: none);
   * a candidate holding the same (index, term) may commit up to it.
   */
  'commitIndex': (string);
  'commitTerm': (string);
}
