// Original file: proto/palisade/v1/client.proto

import type { Holder as _palisade_v1_Holder, Holder__Output as _palisade_v1_Holder__Output } from '../../palisade/v1/Holder.js';
import type { Waiter as _palisade_v1_Waiter, Waiter__Output as _palisade_v1_Waiter__Output } from '../../palisade/v1/Waiter.js';

export interface Queue {
  'name'?: (string);
  'kind'?: (string);
  'limit'?: (number);
  'holders'?: (_palisade_v1_Holder)[];
  'waiters'?: (_palisade_v1_Waiter)[];
  /**
   * A holder's session expired and the lock-delay has not run out.
   */
  'delayed'?: (boolean);
}

export interface Queue__Output {
  'name': (string);
  'kind': (string);
  'limit': (number);
  'holders': (_palisade_v1_Holder__Output)[];
  'waiters': (_palisade_v1_Waiter__Output)[];
  /**
   * A holder's session expired and the lock-delay has not run out.
   */
  'delayed': (boolean);
}
