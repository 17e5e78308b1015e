// Original file: proto/palisade/v1/client.proto


export interface QueueListRequest {
  'prefix'?: (string);
  'serializable'?: (boolean);
}

export interface QueueListRequest__Output {
  'prefix': (string);
  'serializable': (boolean);
}
