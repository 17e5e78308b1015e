// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface ProclaimRequest {
  'name'?: (string);
  'sessionId'?: (string);
  'token'?: (number | string | Long);
  'value'?: (string);
}

export interface ProclaimRequest__Output {
  'name': (string);
  'sessionId': (string);
  'token': (string);
  'value': (string);
}
