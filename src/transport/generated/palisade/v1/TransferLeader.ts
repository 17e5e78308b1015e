// Original file: proto/palisade/v1/raft.proto


export interface TransferLeader {
  'target'?: (string);
}

export interface TransferLeader__Output {
  'target': (string);
}
