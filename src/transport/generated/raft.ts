import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AppendEntries as _palisade_v1_AppendEntries, AppendEntries__Output as _palisade_v1_AppendEntries__Output } from './palisade/v1/AppendEntries.js';
import type { AppendEntriesResponse as _palisade_v1_AppendEntriesResponse, AppendEntriesResponse__Output as _palisade_v1_AppendEntriesResponse__Output } from './palisade/v1/AppendEntriesResponse.js';
import type { ConfState as _palisade_v1_ConfState, ConfState__Output as _palisade_v1_ConfState__Output } from './palisade/v1/ConfState.js';
import type { Entry as _palisade_v1_Entry, Entry__Output as _palisade_v1_Entry__Output } from './palisade/v1/Entry.js';
import type { Heartbeat as _palisade_v1_Heartbeat, Heartbeat__Output as _palisade_v1_Heartbeat__Output } from './palisade/v1/Heartbeat.js';
import type { HeartbeatResponse as _palisade_v1_HeartbeatResponse, HeartbeatResponse__Output as _palisade_v1_HeartbeatResponse__Output } from './palisade/v1/HeartbeatResponse.js';
import type { PeerAck as _palisade_v1_PeerAck, PeerAck__Output as _palisade_v1_PeerAck__Output } from './palisade/v1/PeerAck.js';
import type { PeerBatch as _palisade_v1_PeerBatch, PeerBatch__Output as _palisade_v1_PeerBatch__Output } from './palisade/v1/PeerBatch.js';
import type { Propose as _palisade_v1_Propose, Propose__Output as _palisade_v1_Propose__Output } from './palisade/v1/Propose.js';
import type { RaftMessage as _palisade_v1_RaftMessage, RaftMessage__Output as _palisade_v1_RaftMessage__Output } from './palisade/v1/RaftMessage.js';
import type { RaftPeerClient as _palisade_v1_RaftPeerClient, RaftPeerDefinition as _palisade_v1_RaftPeerDefinition } from './palisade/v1/RaftPeer.js';
import type { ReadIndex as _palisade_v1_ReadIndex, ReadIndex__Output as _palisade_v1_ReadIndex__Output } from './palisade/v1/ReadIndex.js';
import type { ReadIndexResponse as _palisade_v1_ReadIndexResponse, ReadIndexResponse__Output as _palisade_v1_ReadIndexResponse__Output } from './palisade/v1/ReadIndexResponse.js';
import type { RequestVote as _palisade_v1_RequestVote, RequestVote__Output as _palisade_v1_RequestVote__Output } from './palisade/v1/RequestVote.js';
import type { RequestVoteResponse as _palisade_v1_RequestVoteResponse, RequestVoteResponse__Output as _palisade_v1_RequestVoteResponse__Output } from './palisade/v1/RequestVoteResponse.js';
import type { SnapshotAck as _palisade_v1_SnapshotAck, SnapshotAck__Output as _palisade_v1_SnapshotAck__Output } from './palisade/v1/SnapshotAck.js';
import type { SnapshotChunk as _palisade_v1_SnapshotChunk, SnapshotChunk__Output as _palisade_v1_SnapshotChunk__Output } from './palisade/v1/SnapshotChunk.js';
import type { SnapshotHeader as _palisade_v1_SnapshotHeader, SnapshotHeader__Output as _palisade_v1_SnapshotHeader__Output } from './palisade/v1/SnapshotHeader.js';
import type { SnapshotMetadata as _palisade_v1_SnapshotMetadata, SnapshotMetadata__Output as _palisade_v1_SnapshotMetadata__Output } from './palisade/v1/SnapshotMetadata.js';
import type { TimeoutNow as _palisade_v1_TimeoutNow, TimeoutNow__Output as _palisade_v1_TimeoutNow__Output } from './palisade/v1/TimeoutNow.js';
import type { TransferLeader as _palisade_v1_TransferLeader, TransferLeader__Output as _palisade_v1_TransferLeader__Output } from './palisade/v1/TransferLeader.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  palisade: {
    v1: {
      AppendEntries: MessageTypeDefinition<_palisade_v1_AppendEntries, _palisade_v1_AppendEntries__Output>
      AppendEntriesResponse: MessageTypeDefinition<_palisade_v1_AppendEntriesResponse, _palisade_v1_AppendEntriesResponse__Output>
      ConfState: MessageTypeDefinition<_palisade_v1_ConfState, _palisade_v1_ConfState__Output>
      Entry: MessageTypeDefinition<_palisade_v1_Entry, _palisade_v1_Entry__Output>
      EntryType: EnumTypeDefinition
      Heartbeat: MessageTypeDefinition<_palisade_v1_Heartbeat, _palisade_v1_Heartbeat__Output>
      HeartbeatResponse: MessageTypeDefinition<_palisade_v1_HeartbeatResponse, _palisade_v1_HeartbeatResponse__Output>
      PeerAck: MessageTypeDefinition<_palisade_v1_PeerAck, _palisade_v1_PeerAck__Output>
      PeerBatch: MessageTypeDefinition<_palisade_v1_PeerBatch, _palisade_v1_PeerBatch__Output>
      Propose: MessageTypeDefinition<_palisade_v1_Propose, _palisade_v1_Propose__Output>
      RaftMessage: MessageTypeDefinition<_palisade_v1_RaftMessage, _palisade_v1_RaftMessage__Output>
      RaftPeer: SubtypeConstructor<typeof grpc.Client, _palisade_v1_RaftPeerClient> & { service: _palisade_v1_RaftPeerDefinition }
      ReadIndex: MessageTypeDefinition<_palisade_v1_ReadIndex, _palisade_v1_ReadIndex__Output>
      ReadIndexResponse: MessageTypeDefinition<_palisade_v1_ReadIndexResponse, _palisade_v1_ReadIndexResponse__Output>
      RequestVote: MessageTypeDefinition<_palisade_v1_RequestVote, _palisade_v1_RequestVote__Output>
      RequestVoteResponse: MessageTypeDefinition<_palisade_v1_RequestVoteResponse, _palisade_v1_RequestVoteResponse__Output>
      SnapshotAck: MessageTypeDefinition<_palisade_v1_SnapshotAck, _palisade_v1_SnapshotAck__Output>
      SnapshotChunk: MessageTypeDefinition<_palisade_v1_SnapshotChunk, _palisade_v1_SnapshotChunk__Output>
      SnapshotHeader: MessageTypeDefinition<_palisade_v1_SnapshotHeader, _palisade_v1_SnapshotHeader__Output>
      SnapshotMetadata: MessageTypeDefinition<_palisade_v1_SnapshotMetadata, _palisade_v1_SnapshotMetadata__Output>
      TimeoutNow: MessageTypeDefinition<_palisade_v1_TimeoutNow, _palisade_v1_TimeoutNow__Output>
      TransferLeader: MessageTypeDefinition<_palisade_v1_TransferLeader, _palisade_v1_TransferLeader__Output>
    }
  }
}

