// Original file: proto/palisade/v1/client.proto

import type { KeyValue as _palisade_v1_KeyValue, KeyValue__Output as _palisade_v1_KeyValue__Output } from '../../palisade/v1/KeyValue.js';
import type { Long } from '@grpc/proto-loader';

export interface KvGetResponse {
  'found'?: (boolean);
  'kv'?: (_palisade_v1_KeyValue | null);
  /**
   * Store revision at which the read was served.
   */
  'revision'?: (number | string | Long);
}

export interface KvGetResponse__Output {
  'found': (boolean);
  'kv': (_palisade_v1_KeyValue__Output | null);
  /**
   * Store revision at which the read was served.
   */
  'revision': (string);
}
