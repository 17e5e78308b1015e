// Original file: proto/palisade/v1/client.proto

import type { SessionInfo as _palisade_v1_SessionInfo, SessionInfo__Output as _palisade_v1_SessionInfo__Output } from '../../palisade/v1/SessionInfo.js';

export interface SessionListResponse {
  'sessions'?: (_palisade_v1_SessionInfo)[];
}

export interface SessionListResponse__Output {
  'sessions': (_palisade_v1_SessionInfo__Output)[];
}
