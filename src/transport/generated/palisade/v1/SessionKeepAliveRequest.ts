// Original file: proto/palisade/v1/client.proto


export interface SessionKeepAliveRequest {
  'sessionId'?: (string);
}

export interface SessionKeepAliveRequest__Output {
  'sessionId': (string);
}
