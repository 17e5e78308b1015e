// Original file: proto/palisade/v1/client.proto


export interface KvListRequest {
  'prefix'?: (string);
  'serializable'?: (boolean);
  /**
   * 0: no limit.
   */
  'limit'?: (number);
}

export interface KvListRequest__Output {
  'prefix': (string);
  'serializable': (boolean);
  /**
   * 0: no limit.
   */
  'limit': (number);
}
