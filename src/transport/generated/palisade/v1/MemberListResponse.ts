// Original file: proto/palisade/v1/client.proto

import type { Member as _palisade_v1_Member, Member__Output as _palisade_v1_Member__Output } from '../../palisade/v1/Member.js';

export interface MemberListResponse {
  'members'?: (_palisade_v1_Member)[];
}

export interface MemberListResponse__Output {
  'members': (_palisade_v1_Member__Output)[];
}
