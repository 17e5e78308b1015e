// Original file: proto/palisade/v1/client.proto


export interface SessionCreateResponse {
  /**
   * The log index of the create entry, in decimal.
   */
  'sessionId'?: (string);
  'ttlMs'?: (number);
  'duplicate'?: (boolean);
}

export interface SessionCreateResponse__Output {
  /**
   * The log index of the create entry, in decimal.
   */
  'sessionId': (string);
  'ttlMs': (number);
  'duplicate': (boolean);
}
