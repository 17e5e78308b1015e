// Original file: proto/palisade/v1/client.proto


export interface KvGetRequest {
  'key'?: (string);
  /**
   * Answer from this node's applied state without a ReadIndex round (may be stale).
   */
  'serializable'?: (boolean);
}

export interface KvGetRequest__Output {
  'key': (string);
  /**
   * Answer from this node's applied state without a ReadIndex round (may be stale).
   */
  'serializable': (boolean);
}
