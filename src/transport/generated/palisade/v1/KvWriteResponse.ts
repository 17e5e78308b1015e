// Original file: proto/palisade/v1/client.proto

import type { KvPutResponse as _palisade_v1_KvPutResponse, KvPutResponse__Output as _palisade_v1_KvPutResponse__Output } from '../../palisade/v1/KvPutResponse.js';
import type { KvDeleteResponse as _palisade_v1_KvDeleteResponse, KvDeleteResponse__Output as _palisade_v1_KvDeleteResponse__Output } from '../../palisade/v1/KvDeleteResponse.js';
import type { KvCasResponse as _palisade_v1_KvCasResponse, KvCasResponse__Output as _palisade_v1_KvCasResponse__Output } from '../../palisade/v1/KvCasResponse.js';
import type { KvWriteError as _palisade_v1_KvWriteError, KvWriteError__Output as _palisade_v1_KvWriteError__Output } from '../../palisade/v1/KvWriteError.js';

export interface KvWriteResponse {
  'seq'?: (number);
  'put'?: (_palisade_v1_KvPutResponse | null);
  'delete'?: (_palisade_v1_KvDeleteResponse | null);
  'cas'?: (_palisade_v1_KvCasResponse | null);
  'error'?: (_palisade_v1_KvWriteError | null);
  'result'?: "put"|"delete"|"cas"|"error";
}

export interface KvWriteResponse__Output {
  'seq': (number);
  'put'?: (_palisade_v1_KvPutResponse__Output | null);
  'delete'?: (_palisade_v1_KvDeleteResponse__Output | null);
  'cas'?: (_palisade_v1_KvCasResponse__Output | null);
  'error'?: (_palisade_v1_KvWriteError__Output | null);
  'result'?: "put"|"delete"|"cas"|"error";
}
