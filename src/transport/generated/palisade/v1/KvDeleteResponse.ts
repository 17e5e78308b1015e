// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface KvDeleteResponse {
  'deleted'?: (boolean);
  'revision'?: (number | string | Long);
  'duplicate'?: (boolean);
}

export interface KvDeleteResponse__Output {
  'deleted': (boolean);
  'revision': (string);
  'duplicate': (boolean);
}
