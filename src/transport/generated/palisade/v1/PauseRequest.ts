// Original file: proto/palisade/v1/client.proto


export interface PauseRequest {
}

export interface PauseRequest__Output {
}
