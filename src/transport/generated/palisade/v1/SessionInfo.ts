// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

export interface SessionInfo {
  'sessionId'?: (string);
  'owner'?: (string);
  'ttlMs'?: (number);
  'lockDelayMs'?: (number);
  /**
   * Names it holds or waits for.
   */
  'holds'?: (string)[];
  'waits'?: (string)[];
  'ephemeralKeys'?: (number);
  /**
   * Time left by the leader's clock; -1 when the answering node is not the leader.
   */
  'remainingMs'?: (number | string | Long);
}

export interface SessionInfo__Output {
  'sessionId': (string);
  'owner': (string);
  'ttlMs': (number);
  'lockDelayMs': (number);
  /**
   * Names it holds or waits for.
   */
  'holds': (string)[];
  'waits': (string)[];
  'ephemeralKeys': (number);
  /**
   * Time left by the leader's clock; -1 when the answering node is not the leader.
   */
  'remainingMs': (string);
}
