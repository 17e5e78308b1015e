// Original file: proto/palisade/v1/client.proto


export interface SessionKeepAliveResponse {
  'ttlMs'?: (number);
}

export interface SessionKeepAliveResponse__Output {
  'ttlMs': (number);
}
