// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface KvWatchRequest {
  'prefix'?: (string);
  'fromRevision'?: (number | string | Long);
}

export interface KvWatchRequest__Output {
  'prefix': (string);
  'fromRevision': (string);
}
