// Original file: proto/palisade/v1/client.proto


/**
 * The status a unary write would have ended with: its gRPC code and message, and the values of
 * its `palisade-error`, `palisade-leader-id` and `palisade-leader` metadata.
 */
export interface KvWriteError {
  'code'?: (number);
  'message'?: (string);
  'reason'?: (string);
  'leaderId'?: (string);
  'leaderAddress'?: (string);
}

/**
 * The status a unary write would have ended with: its gRPC code and message, and the values of
 * its `palisade-error`, `palisade-leader-id` and `palisade-leader` metadata.
 */
export interface KvWriteError__Output {
  'code': (number);
  'message': (string);
  'reason': (string);
  'leaderId': (string);
  'leaderAddress': (string);
}
