// Original file: proto/palisade/v1/client.proto

import type { KvPutRequest as _palisade_v1_KvPutRequest, KvPutRequest__Output as _palisade_v1_KvPutRequest__Output } from '../../palisade/v1/KvPutRequest.js';
import type { KvDeleteRequest as _palisade_v1_KvDeleteRequest, KvDeleteRequest__Output as _palisade_v1_KvDeleteRequest__Output } from '../../palisade/v1/KvDeleteRequest.js';
import type { KvCasRequest as _palisade_v1_KvCasRequest, KvCasRequest__Output as _palisade_v1_KvCasRequest__Output } from '../../palisade/v1/KvCasRequest.js';
import type { AcquireRequest as _palisade_v1_AcquireRequest, AcquireRequest__Output as _palisade_v1_AcquireRequest__Output } from '../../palisade/v1/AcquireRequest.js';
import type { ReleaseRequest as _palisade_v1_ReleaseRequest, ReleaseRequest__Output as _palisade_v1_ReleaseRequest__Output } from '../../palisade/v1/ReleaseRequest.js';

export interface KvWriteRequest {
  /**
   * Chosen by the client (unique among its writes in flight on this stream), echoed back.
   */
  'seq'?: (number);
  'put'?: (_palisade_v1_KvPutRequest | null);
  'delete'?: (_palisade_v1_KvDeleteRequest | null);
  'cas'?: (_palisade_v1_KvCasRequest | null);
  /**
   * Exactly Acquire / Release, except that a waiting acquire is held at most 10 s here, then
   * answered not granted (the client re-issues it); closing the stream ends its waits.
   */
  'acquire'?: (_palisade_v1_AcquireRequest | null);
  'release'?: (_palisade_v1_ReleaseRequest | null);
  'op'?: "put"|"delete"|"cas"|"acquire"|"release";
}

export interface KvWriteRequest__Output {
  /**
   * Chosen by the client (unique among its writes in flight on this stream), echoed back.
   */
  'seq': (number);
  'put'?: (_palisade_v1_KvPutRequest__Output | null);
  'delete'?: (_palisade_v1_KvDeleteRequest__Output | null);
  'cas'?: (_palisade_v1_KvCasRequest__Output | null);
  /**
   * Exactly Acquire / Release, except that a waiting acquire is held at most 10 s here, then
   * answered not granted (the client re-issues it); closing the stream ends its waits.
   */
  'acquire'?: (_palisade_v1_AcquireRequest__Output | null);
  'release'?: (_palisade_v1_ReleaseRequest__Output | null);
  'op'?: "put"|"delete"|"cas"|"acquire"|"release";
}
