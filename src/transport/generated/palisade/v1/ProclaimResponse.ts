// Original file: proto/palisade/v1/client.proto


export interface ProclaimResponse {
}

export interface ProclaimResponse__Output {
}
