// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface EventsRequest {
  /**
   * Only events with a larger sequence number.
   */
  'afterSeq'?: (number | string | Long);
  /**
   * 0: every event still kept.
   */
  'limit'?: (number);
}

export interface EventsRequest__Output {
  /**
   * Only events with a larger sequence number.
   */
  'afterSeq': (string);
  /**
   * 0: every event still kept.
   */
  'limit': (number);
}
