// Original file: proto/palisade/v1/client.proto


export interface ReleaseResponse {
  /**
   * False when the session neither held nor waited for it.
   */
  'released'?: (boolean);
}

export interface ReleaseResponse__Output {
  /**
   * False when the session neither held nor waited for it.
   */
  'released': (boolean);
}
