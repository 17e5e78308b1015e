// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferLeadershipResponse {
  'leader'?: (string);
  'term'?: (number | string | Long);
}

export interface TransferLeadershipResponse__Output {
  'leader': (string);
  'term': (string);
}
