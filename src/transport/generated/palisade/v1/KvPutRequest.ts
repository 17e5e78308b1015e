// Original file: proto/palisade/v1/client.proto

import type { RequestId as _palisade_v1_RequestId, RequestId__Output as _palisade_v1_RequestId__Output } from '../../palisade/v1/RequestId.js';
import type { FencingGuard as _palisade_v1_FencingGuard, FencingGuard__Output as _palisade_v1_FencingGuard__Output } from '../../palisade/v1/FencingGuard.js';

export interface KvPutRequest {
  'key'?: (string);
  'value'?: (string);
  'request'?: (_palisade_v1_RequestId | null);
  /**
   * Ephemeral key: deleted when this session ends ("" = none; FAILED_PRECONDITION
   * SESSION_NOT_FOUND if it has ended already).
   */
  'sessionId'?: (string);
  'ifToken'?: (_palisade_v1_FencingGuard | null);
}

export interface KvPutRequest__Output {
  'key': (string);
  'value': (string);
  'request': (_palisade_v1_RequestId__Output | null);
  /**
   * Ephemeral key: deleted when this session ends ("" = none; FAILED_PRECONDITION
   * SESSION_NOT_FOUND if it has ended already).
   */
  'sessionId': (string);
  'ifToken': (_palisade_v1_FencingGuard__Output | null);
}
