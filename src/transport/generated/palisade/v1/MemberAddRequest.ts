// Original file: proto/palisade/v1/client.proto


export interface MemberAddRequest {
  'id'?: (string);
  'address'?: (string);
  'learner'?: (boolean);
}

export interface MemberAddRequest__Output {
  'id': (string);
  'address': (string);
  'learner': (boolean);
}
