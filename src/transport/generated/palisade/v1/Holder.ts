// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface Holder {
  'sessionId'?: (string);
  'owner'?: (string);
  /**
   * The fencing token of this grant: strictly increasing per name (and across names).
   */
  'token'?: (number | string | Long);
  'value'?: (string);
}

export interface Holder__Output {
  'sessionId': (string);
  'owner': (string);
  /**
   * The fencing token of this grant: strictly increasing per name (and across names).
   */
  'token': (string);
  'value': (string);
}
