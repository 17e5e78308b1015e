// Original file: proto/palisade/v1/raft.proto


export interface PeerAck {
}

export interface PeerAck__Output {
}
