// Original file: proto/palisade/v1/client.proto


export interface ObserveRequest {
  'name'?: (string);
}

export interface ObserveRequest__Output {
  'name': (string);
}
