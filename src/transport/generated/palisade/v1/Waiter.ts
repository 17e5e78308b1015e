// Original file: proto/palisade/v1/client.proto


export interface Waiter {
  'sessionId'?: (string);
  'owner'?: (string);
  'value'?: (string);
}

export interface Waiter__Output {
  'sessionId': (string);
  'owner': (string);
  'value': (string);
}
