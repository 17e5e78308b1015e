// Original file: proto/palisade/v1/client.proto

import type { Queue as _palisade_v1_Queue, Queue__Output as _palisade_v1_Queue__Output } from '../../palisade/v1/Queue.js';

export interface QueueListResponse {
  'queues'?: (_palisade_v1_Queue)[];
}

export interface QueueListResponse__Output {
  'queues': (_palisade_v1_Queue__Output)[];
}
