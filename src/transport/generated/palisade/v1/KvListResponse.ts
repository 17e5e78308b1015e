// Original file: proto/palisade/v1/client.proto

import type { KeyValue as _palisade_v1_KeyValue, KeyValue__Output as _palisade_v1_KeyValue__Output } from '../../palisade/v1/KeyValue.js';
import type { Long } from '@grpc/proto-loader';

export interface KvListResponse {
  'kvs'?: (_palisade_v1_KeyValue)[];
  'revision'?: (number | string | Long);
  'more'?: (boolean);
}

export interface KvListResponse__Output {
  'kvs': (_palisade_v1_KeyValue__Output)[];
  'revision': (string);
  'more': (boolean);
}
