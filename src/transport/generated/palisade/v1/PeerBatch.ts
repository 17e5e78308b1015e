// Original file: proto/palisade/v1/raft.proto

import type { RaftMessage as _palisade_v1_RaftMessage, RaftMessage__Output as _palisade_v1_RaftMessage__Output } from '../../palisade/v1/RaftMessage.js';

/**
 * Everything the sender queued for one peer since its previous write.
 */
export interface PeerBatch {
  'clusterId'?: (string);
  'from'?: (string);
  'to'?: (string);
  'messages'?: (_palisade_v1_RaftMessage)[];
}

/**
 * Everything the sender queued for one peer since its previous write.
 */
export interface PeerBatch__Output {
  'clusterId': (string);
  'from': (string);
  'to': (string);
  'messages': (_palisade_v1_RaftMessage__Output)[];
}
