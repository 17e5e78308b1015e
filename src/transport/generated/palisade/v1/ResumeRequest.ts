// Original file: proto/palisade/v1/client.proto


export interface ResumeRequest {
}

export interface ResumeRequest__Output {
}
