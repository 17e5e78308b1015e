// Original file: proto/palisade/v1/client.proto

import type { Holder as _palisade_v1_Holder, Holder__Output as _palisade_v1_Holder__Output } from '../../palisade/v1/Holder.js';
import type { Long } from '@grpc/proto-loader';

export interface ObserveEvent {
  /**
   * Empty when nobody holds it; an election's leader is holders[0].
   */
  'holders'?: (_palisade_v1_Holder)[];
  /**
   * The log index at which this became true.
   */
  'index'?: (number | string | Long);
}

export interface ObserveEvent__Output {
  /**
   * Empty when nobody holds it; an election's leader is holders[0].
   */
  'holders': (_palisade_v1_Holder__Output)[];
  /**
   * The log index at which this became true.
   */
  'index': (string);
}
