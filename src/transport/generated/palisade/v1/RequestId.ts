// Original file: proto/palisade/v1/client.proto


export interface RequestId {
  'clientId'?: (string);
  'requestId'?: (string);
}

export interface RequestId__Output {
  'clientId': (string);
  'requestId': (string);
}
