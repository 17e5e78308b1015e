// Original file: proto/palisade/v1/client.proto

import type { RequestId as _palisade_v1_RequestId, RequestId__Output as _palisade_v1_RequestId__Output } from '../../palisade/v1/RequestId.js';

export interface SessionCreateRequest {
  /**
   * 1000..300000; 0: the default (10000).
   */
  'ttlMs'?: (number);
  /**
   * After the session EXPIRES holding a lock, nobody is granted that lock for this long (Consul's
   * lock-delay); 0: none. A close or release never delays.
   */
  'lockDelayMs'?: (number);
  /**
   * Free text shown in `palisade session list` (e.g. host:pid).
   */
  'owner'?: (string);
  'request'?: (_palisade_v1_RequestId | null);
}

export interface SessionCreateRequest__Output {
  /**
   * 1000..300000; 0: the default (10000).
   */
  'ttlMs': (number);
  /**
   * After the session EXPIRES holding a lock, nobody is granted that lock for this long (Consul's
   * lock-delay); 0: none. A close or release never delays.
   */
  'lockDelayMs': (number);
  /**
   * Free text shown in `palisade session list` (e.g. host:pid).
   */
  'owner': (string);
  'request': (_palisade_v1_RequestId__Output | null);
}
