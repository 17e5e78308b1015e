// Original file: proto/palisade/v1/client.proto

import type { KvPutResponse as _palisade_v1_KvPutResponse, KvPutResponse__Output as _palisade_v1_KvPutResponse__Output } from '../../palisade/v1/KvPutResponse.js';
import type { KvDeleteResponse as _palisade_v1_KvDeleteResponse, KvDeleteResponse__Output as _palisade_v1_KvDeleteResponse__Output } from '../../palisade/v1/KvDeleteResponse.js';
import type { KvCasResponse as _palisade_v1_KvCasResponse, KvCasResponse__Output as _palisade_v1_KvCasResponse__Output } from '../../palisade/v1/KvCasResponse.js';
import type { KvWriteError as _palisade_v1_KvWriteError, KvWriteError__Output as _palisade_v1_KvWriteError__Output } from '../../palisade/v1/KvWriteError.js';
import type { AcquireResponse as _palisade_v1_AcquireResponse, AcquireResponse__Output as _palisade_v1_AcquireResponse__Output } from '../../palisade/v1/AcquireResponse.js';
import type { ReleaseResponse as _palisade_v1_ReleaseResponse, ReleaseResponse__Output as _palisade_v1_ReleaseResponse__Output } from '../../palisade/v1/ReleaseResponse.js';

export interface KvWriteResponse {
  'seq'?: (number);
  'put'?: (_palisade_v1_KvPutResponse | null);
  'delete'?: (_palisade_v1_KvDeleteResponse | null);
  'cas'?: (_palisade_v1_KvCasResponse | null);
  'error'?: (_palisade_v1_KvWriteError | null);
  'acquire'?: (_palisade_v1_AcquireResponse | null);
  'release'?: (_palisade_v1_ReleaseResponse | null);
  'result'?: "put"|"delete"|"cas"|"error"|"acquire"|"release";
}

export interface KvWriteResponse__Output {
  'seq': (number);
  'put'?: (_palisade_v1_KvPutResponse__Output | null);
  'delete'?: (_palisade_v1_KvDeleteResponse__Output | null);
  'cas'?: (_palisade_v1_KvCasResponse__Output | null);
  'error'?: (_palisade_v1_KvWriteError__Output | null);
  'acquire'?: (_palisade_v1_AcquireResponse__Output | null);
  'release'?: (_palisade_v1_ReleaseResponse__Output | null);
  'result'?: "put"|"delete"|"cas"|"error"|"acquire"|"release";
}
