// Original file: proto/palisade/v1/raft.proto


export interface TimeoutNow {
}

export interface TimeoutNow__Output {
}
