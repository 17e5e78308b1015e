// Original file: proto/palisade/v1/client.proto


export interface MemberListRequest {
  'serializable'?: (boolean);
}

export interface MemberListRequest__Output {
  'serializable': (boolean);
}
