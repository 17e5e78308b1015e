// Original file: proto/palisade/v1/raft.proto


export interface SnapshotAck {
}

export interface SnapshotAck__Output {
}
