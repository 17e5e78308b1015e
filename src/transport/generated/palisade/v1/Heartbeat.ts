// Original file: proto/palisade/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'commit'?: (number | string | Long);
  'round'?: (number | string | Long);
  /**
   * True when the leader does not need this round answered; a follower then answers only if it
   * has not answered this leader in this term yet. False (what older leaders send): answer.
   */
  'replyOptional'?: (boolean);
}

export interface Heartbeat__Output {
  'commit': (string);
  'round': (string);
  /**
   * True when the leader does not need this round answered; a follower then answers only if it
   * has not answered this leader in this term yet. False (what older leaders send): answer.
   */
  'replyOptional': (boolean);
}
