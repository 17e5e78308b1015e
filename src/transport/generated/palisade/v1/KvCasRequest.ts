// Original file: proto/palisade/v1/client.proto

import type { RequestId as _palisade_v1_RequestId, RequestId__Output as _palisade_v1_RequestId__Output } from '../../palisade/v1/RequestId.js';
import type { FencingGuard as _palisade_v1_FencingGuard, FencingGuard__Output as _palisade_v1_FencingGuard__Output } from '../../palisade/v1/FencingGuard.js';
import type { Long } from '@grpc/proto-loader';

export interface KvCasRequest {
  'key'?: (string);
  /**
   * The key's mod revision the caller expects; 0 means "the key must not exist".
   */
  'expectedRevision'?: (number | string | Long);
  'value'?: (string);
  'request'?: (_palisade_v1_RequestId | null);
  'sessionId'?: (string);
  'ifToken'?: (_palisade_v1_FencingGuard | null);
}

export interface KvCasRequest__Output {
  'key': (string);
  /**
   * The key's mod revision the caller expects; 0 means "the key must not exist".
   */
  'expectedRevision': (string);
  'value': (string);
  'request': (_palisade_v1_RequestId__Output | null);
  'sessionId': (string);
  'ifToken': (_palisade_v1_FencingGuard__Output | null);
}
