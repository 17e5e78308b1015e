// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface KvPutResponse {
  'revision'?: (number | string | Long);
  /**
   * True when this was a retry of a request already applied (the original result is returned).
   */
  'duplicate'?: (boolean);
}

export interface KvPutResponse__Output {
  'revision': (string);
  /**
   * True when this was a retry of a request already applied (the original result is returned).
   */
  'duplicate': (boolean);
}
