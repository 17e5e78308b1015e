// Original file: proto/palisade/v1/client.proto

import type { KeyValue as _palisade_v1_KeyValue, KeyValue__Output as _palisade_v1_KeyValue__Output } from '../../palisade/v1/KeyValue.js';
import type { Long } from '@grpc/proto-loader';

export interface KvWatchEvent {
  /**
   * "put" or "delete".
   */
  'type'?: (string);
  'kv'?: (_palisade_v1_KeyValue | null);
  'revision'?: (number | string | Long);
}

export interface KvWatchEvent__Output {
  /**
   * "put" or "delete".
   */
  'type': (string);
  'kv': (_palisade_v1_KeyValue__Output | null);
  'revision': (string);
}
