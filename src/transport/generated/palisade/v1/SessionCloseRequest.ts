// Original file: proto/palisade/v1/client.proto


export interface SessionCloseRequest {
  'sessionId'?: (string);
}

export interface SessionCloseRequest__Output {
  'sessionId': (string);
}
