// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface KeyValue {
  'key'?: (string);
  'value'?: (string);
  'createRevision'?: (number | string | Long);
  'modRevision'?: (number | string | Long);
  'version'?: (number | string | Long);
}

export interface KeyValue__Output {
  'key': (string);
  'value': (string);
  'createRevision': (string);
  'modRevision': (string);
  'version': (string);
}
