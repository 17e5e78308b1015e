// Original file: proto/palisade/v1/client.proto


export interface Member {
  'id'?: (string);
  'address'?: (string);
  'voter'?: (boolean);
}

export interface Member__Output {
  'id': (string);
  'address': (string);
  'voter': (boolean);
}
