// Original file: proto/palisade/v1/raft.proto


export interface RequestVoteResponse {
  'preVote'?: (boolean);
  'reject'?: (boolean);
}

export interface RequestVoteResponse__Output {
  'preVote': (boolean);
  'reject': (boolean);
}
