// Original file: proto/palisade/v1/client.proto

import type { KeyValue as _palisade_v1_KeyValue, KeyValue__Output as _palisade_v1_KeyValue__Output } from '../../palisade/v1/KeyValue.js';
import type { Long } from '@grpc/proto-loader';

export interface KvCasResponse {
  'succeeded'?: (boolean);
  'revision'?: (number | string | Long);
  /**
   * The key as it is now (when it exists), so a failed cas can retry without another read.
   */
  'current'?: (_palisade_v1_KeyValue | null);
  'duplicate'?: (boolean);
}

export interface KvCasResponse__Output {
  'succeeded': (boolean);
  'revision': (string);
  /**
   * The key as it is now (when it exists), so a failed cas can retry without another read.
   */
  'current': (_palisade_v1_KeyValue__Output | null);
  'duplicate': (boolean);
}
