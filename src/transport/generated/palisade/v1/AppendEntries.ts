// Original file: proto/palisade/v1/raft.proto

import type { Entry as _palisade_v1_Entry, Entry__Output as _palisade_v1_Entry__Output } from '../../palisade/v1/Entry.js';
import type { Long } from '@grpc/proto-loader';

export interface AppendEntries {
  'prevIndex'?: (number | string | Long);
  'prevTerm'?: (number | string | Long);
  'entries'?: (_palisade_v1_Entry)[];
  'commit'?: (number | string | Long);
}

export interface AppendEntries__Output {
  'prevIndex': (string);
  'prevTerm': (string);
  'entries': (_palisade_v1_Entry__Output)[];
  'commit': (string);
}
