// Original file: proto/palisade/v1/client.proto


export interface SwitchoverRequest {
  /**
   * Empty: the best reachable, caught-up voter (highest priority first).
   */
  'to'?: (string);
}

export interface SwitchoverRequest__Output {
  /**
   * Empty: the best reachable, caught-up voter (highest priority first).
   */
  'to': (string);
}
