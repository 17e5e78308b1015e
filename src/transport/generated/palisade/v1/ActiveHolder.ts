// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface ActiveHolder {
  'node'?: (string);
  /**
   * Log index of its promotion: strictly increasing, the fencing token.
   */
  'epoch'?: (number | string | Long);
}

export interface ActiveHolder__Output {
  'node': (string);
  /**
   * Log index of its promotion: strictly increasing, the fencing token.
   */
  'epoch': (string);
}
