// Original file: proto/palisade/v1/client.proto

import type { Member as _palisade_v1_Member, Member__Output as _palisade_v1_Member__Output } from '../../palisade/v1/Member.js';
import type { Long } from '@grpc/proto-loader';

export interface MemberChangeResponse {
  'members'?: (_palisade_v1_Member)[];
  /**
   * Log index at which the change was applied.
   */
  'index'?: (number | string | Long);
}

export interface MemberChangeResponse__Output {
  'members': (_palisade_v1_Member__Output)[];
  /**
   * Log index at which the change was applied.
   */
  'index': (string);
}
