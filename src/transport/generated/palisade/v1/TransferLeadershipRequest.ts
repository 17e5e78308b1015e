// Original file: proto/palisade/v1/client.proto


export interface TransferLeadershipRequest {
  'to'?: (string);
}

export interface TransferLeadershipRequest__Output {
  'to': (string);
}
