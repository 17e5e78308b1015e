// Original file: proto/palisade/v1/client.proto

import type { ClusterEvent as _palisade_v1_ClusterEvent, ClusterEvent__Output as _palisade_v1_ClusterEvent__Output } from '../../palisade/v1/ClusterEvent.js';

export interface EventsResponse {
  'events'?: (_palisade_v1_ClusterEvent)[];
}

export interface EventsResponse__Output {
  'events': (_palisade_v1_ClusterEvent__Output)[];
}
