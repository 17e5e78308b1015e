// Original file: proto/palisade/v1/raft.proto

import type { AppendEntries as _palisade_v1_AppendEntries, AppendEntries__Output as _palisade_v1_AppendEntries__Output } from '../../palisade/v1/AppendEntries.js';
import type { AppendEntriesResponse as _palisade_v1_AppendEntriesResponse, AppendEntriesResponse__Output as _palisade_v1_AppendEntriesResponse__Output } from '../../palisade/v1/AppendEntriesResponse.js';
import type { Heartbeat as _palisade_v1_Heartbeat, Heartbeat__Output as _palisade_v1_Heartbeat__Output } from '../../palisade/v1/Heartbeat.js';
import type { HeartbeatResponse as _palisade_v1_HeartbeatResponse, HeartbeatResponse__Output as _palisade_v1_HeartbeatResponse__Output } from '../../palisade/v1/HeartbeatResponse.js';
import type { RequestVote as _palisade_v1_RequestVote, RequestVote__Output as _palisade_v1_RequestVote__Output } from '../../palisade/v1/RequestVote.js';
import type { RequestVoteResponse as _palisade_v1_RequestVoteResponse, RequestVoteResponse__Output as _palisade_v1_RequestVoteResponse__Output } from '../../palisade/v1/RequestVoteResponse.js';
import type { TimeoutNow as _palisade_v1_TimeoutNow, TimeoutNow__Output as _palisade_v1_TimeoutNow__Output } from '../../palisade/v1/TimeoutNow.js';
import type { ReadIndex as _palisade_v1_ReadIndex, ReadIndex__Output as _palisade_v1_ReadIndex__Output } from '../../palisade/v1/ReadIndex.js';
import type { ReadIndexResponse as _palisade_v1_ReadIndexResponse, ReadIndexResponse__Output as _palisade_v1_ReadIndexResponse__Output } from '../../palisade/v1/ReadIndexResponse.js';
import type { Propose as _palisade_v1_Propose, Propose__Output as _palisade_v1_Propose__Output } from '../../palisade/v1/Propose.js';
import type { TransferLeader as _palisade_v1_TransferLeader, TransferLeader__Output as _palisade_v1_TransferLeader__Output } from '../../palisade/v1/TransferLeader.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One Raft message; `from`/`to` come from the enclosing batch. Mirrors src/raft/messages.ts,
 * except InstallSnapshot, which travels only on the InstallSnapshot call.
 */
export interface RaftMessage {
  /**
   * The sender's term (for a PreVote request: the term it would campaign in).
   */
  'term'?: (number | string | Long);
  'appendEntries'?: (_palisade_v1_AppendEntries | null);
  'appendEntriesResponse'?: (_palisade_v1_AppendEntriesResponse | null);
  'heartbeat'?: (_palisade_v1_Heartbeat | null);
  'heartbeatResponse'?: (_palisade_v1_HeartbeatResponse | null);
  'requestVote'?: (_palisade_v1_RequestVote | null);
  'requestVoteResponse'?: (_palisade_v1_RequestVoteResponse | null);
  'timeoutNow'?: (_palisade_v1_TimeoutNow | null);
  'readIndex'?: (_palisade_v1_ReadIndex | null);
  'readIndexResponse'?: (_palisade_v1_ReadIndexResponse | null);
  'propose'?: (_palisade_v1_Propose | null);
  'transferLeader'?: (_palisade_v1_TransferLeader | null);
  'body'?: "appendEntries"|"appendEntriesResponse"|"heartbeat"|"heartbeatResponse"|"requestVote"|"requestVoteResponse"|"timeoutNow"|"readIndex"|"readIndexResponse"|"propose"|"transferLeader";
}

/**
 * One Raft message; `from`/`to` come from the enclosing batch. Mirrors src/raft/messages.ts,
 * except InstallSnapshot, which travels only on the InstallSnapshot call.
 */
export interface RaftMessage__Output {
  /**
   * The sender's term (for a PreVote request: the term it would campaign in).
   */
  'term': (string);
  'appendEntries'?: (_palisade_v1_AppendEntries__Output | null);
  'appendEntriesResponse'?: (_palisade_v1_AppendEntriesResponse__Output | null);
  'heartbeat'?: (_palisade_v1_Heartbeat__Output | null);
  'heartbeatResponse'?: (_palisade_v1_HeartbeatResponse__Output | null);
  'requestVote'?: (_palisade_v1_RequestVote__Output | null);
  'requestVoteResponse'?: (_palisade_v1_RequestVoteResponse__Output | null);
  'timeoutNow'?: (_palisade_v1_TimeoutNow__Output | null);
  'readIndex'?: (_palisade_v1_ReadIndex__Output | null);
  'readIndexResponse'?: (_palisade_v1_ReadIndexResponse__Output | null);
  'propose'?: (_palisade_v1_Propose__Output | null);
  'transferLeader'?: (_palisade_v1_TransferLeader__Output | null);
  'body'?: "appendEntries"|"appendEntriesResponse"|"heartbeat"|"heartbeatResponse"|"requestVote"|"requestVoteResponse"|"timeoutNow"|"readIndex"|"readIndexResponse"|"propose"|"transferLeader";
}
