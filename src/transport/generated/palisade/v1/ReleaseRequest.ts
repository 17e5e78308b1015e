// Original file: proto/palisade/v1/client.proto


export interface ReleaseRequest {
  'name'?: (string);
  'sessionId'?: (string);
}

export interface ReleaseRequest__Output {
  'name': (string);
  'sessionId': (string);
}
