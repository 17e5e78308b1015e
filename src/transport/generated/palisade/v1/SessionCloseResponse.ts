// Original file: proto/palisade/v1/client.proto


export interface SessionCloseResponse {
  /**
   * False when it had ended already.
   */
  'closed'?: (boolean);
}

export interface SessionCloseResponse__Output {
  /**
   * False when it had ended already.
   */
  'closed': (boolean);
}
