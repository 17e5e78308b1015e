// Original file: proto/palisade/v1/client.proto

import type { RequestId as _palisade_v1_RequestId, RequestId__Output as _palisade_v1_RequestId__Output } from '../../palisade/v1/RequestId.js';
import type { FencingGuard as _palisade_v1_FencingGuard, FencingGuard__Output as _palisade_v1_FencingGuard__Output } from '../../palisade/v1/FencingGuard.js';

export interface KvDeleteRequest {
  'key'?: (string);
  'request'?: (_palisade_v1_RequestId | null);
  'ifToken'?: (_palisade_v1_FencingGuard | null);
}

export interface KvDeleteRequest__Output {
  'key': (string);
  'request': (_palisade_v1_RequestId__Output | null);
  'ifToken': (_palisade_v1_FencingGuard__Output | null);
}
