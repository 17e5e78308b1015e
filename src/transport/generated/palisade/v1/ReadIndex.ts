// Original file: proto/palisade/v1/raft.proto


export interface ReadIndex {
  'context'?: (string);
}

export interface ReadIndex__Output {
  'context': (string);
}
