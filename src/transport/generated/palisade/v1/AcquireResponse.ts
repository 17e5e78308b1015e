// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface AcquireResponse {
  'granted'?: (boolean);
  'token'?: (number | string | Long);
  /**
   * When not granted: how many waiters are ahead.
   */
  'position'?: (number);
}

export interface AcquireResponse__Output {
  'granted': (boolean);
  'token': (string);
  /**
   * When not granted: how many waiters are ahead.
   */
  'position': (number);
}
