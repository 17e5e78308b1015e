// Original file: proto/palisade/v1/client.proto


export interface SessionListRequest {
  'serializable'?: (boolean);
}

export interface SessionListRequest__Output {
  'serializable': (boolean);
}
