// Original file: proto/palisade/v1/raft.proto

import type { Entry as _palisade_v1_Entry, Entry__Output as _palisade_v1_Entry__Output } from '../../palisade/v1/Entry.js';

export interface Propose {
  'entries'?: (_palisade_v1_Entry)[];
}

export interface Propose__Output {
  'entries': (_palisade_v1_Entry__Output)[];
}
