// Original file: proto/palisade/v1/client.proto


export interface AcquireRequest {
  'name'?: (string);
  'sessionId'?: (string);
  /**
   * "lock", "election" or "semaphore"; a name keeps the kind and limit it was created with.
   */
  'kind'?: (string);
  /**
   * Slots: 1 for a lock or an election.
   */
  'limit'?: (number);
  /**
   * An election's candidate value (or a holder's label).
   */
  'value'?: (string);
  /**
   * Answer only once granted; false: answer at once (granted or queued).
   */
  'wait'?: (boolean);
}

export interface AcquireRequest__Output {
  'name': (string);
  'sessionId': (string);
  /**
   * "lock", "election" or "semaphore"; a name keeps the kind and limit it was created with.
   */
  'kind': (string);
  /**
   * Slots: 1 for a lock or an election.
   */
  'limit': (number);
  /**
   * An election's candidate value (or a holder's label).
   */
  'value': (string);
  /**
   * Answer only once granted; false: answer at once (granted or queued).
   */
  'wait': (boolean);
}
