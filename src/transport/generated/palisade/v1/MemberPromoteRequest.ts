// Original file: proto/palisade/v1/client.proto


export interface MemberPromoteRequest {
  'id'?: (string);
}

export interface MemberPromoteRequest__Output {
  'id': (string);
}
