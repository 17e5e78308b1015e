// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface SwitchoverResponse {
  /**
   * The previous holder ("" when none).
   */
  'from'?: (string);
  'to'?: (string);
  'epoch'?: (number | string | Long);
  'durationMs'?: (number | string | Long);
}

export interface SwitchoverResponse__Output {
  /**
   * The previous holder ("" when none).
   */
  'from': (string);
  'to': (string);
  'epoch': (string);
  'durationMs': (string);
}
