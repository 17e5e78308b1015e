// Original file: proto/palisade/v1/client.proto


export interface MemberRemoveRequest {
  'id'?: (string);
}

export interface MemberRemoveRequest__Output {
  'id': (string);
}
