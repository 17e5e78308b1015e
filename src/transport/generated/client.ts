import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AcquireRequest as _palisade_v1_AcquireRequest, AcquireRequest__Output as _palisade_v1_AcquireRequest__Output } from './palisade/v1/AcquireRequest.js';
import type { AcquireResponse as _palisade_v1_AcquireResponse, AcquireResponse__Output as _palisade_v1_AcquireResponse__Output } from './palisade/v1/AcquireResponse.js';
import type { ActiveHolder as _palisade_v1_ActiveHolder, ActiveHolder__Output as _palisade_v1_ActiveHolder__Output } from './palisade/v1/ActiveHolder.js';
import type { ClusterEvent as _palisade_v1_ClusterEvent, ClusterEvent__Output as _palisade_v1_ClusterEvent__Output } from './palisade/v1/ClusterEvent.js';
import type { EventsRequest as _palisade_v1_EventsRequest, EventsRequest__Output as _palisade_v1_EventsRequest__Output } from './palisade/v1/EventsRequest.js';
import type { EventsResponse as _palisade_v1_EventsResponse, EventsResponse__Output as _palisade_v1_EventsResponse__Output } from './palisade/v1/EventsResponse.js';
import type { FencingGuard as _palisade_v1_FencingGuard, FencingGuard__Output as _palisade_v1_FencingGuard__Output } from './palisade/v1/FencingGuard.js';
import type { HaStatus as _palisade_v1_HaStatus, HaStatus__Output as _palisade_v1_HaStatus__Output } from './palisade/v1/HaStatus.js';
import type { Holder as _palisade_v1_Holder, Holder__Output as _palisade_v1_Holder__Output } from './palisade/v1/Holder.js';
import type { KeyValue as _palisade_v1_KeyValue, KeyValue__Output as _palisade_v1_KeyValue__Output } from './palisade/v1/KeyValue.js';
import type { KvCasRequest as _palisade_v1_KvCasRequest, KvCasRequest__Output as _palisade_v1_KvCasRequest__Output } from './palisade/v1/KvCasRequest.js';
import type { KvCasResponse as _palisade_v1_KvCasResponse, KvCasResponse__Output as _palisade_v1_KvCasResponse__Output } from './palisade/v1/KvCasResponse.js';
import type { KvDeleteRequest as _palisade_v1_KvDeleteRequest, KvDeleteRequest__Output as _palisade_v1_KvDeleteRequest__Output } from './palisade/v1/KvDeleteRequest.js';
import type { KvDeleteResponse as _palisade_v1_KvDeleteResponse, KvDeleteResponse__Output as _palisade_v1_KvDeleteResponse__Output } from './palisade/v1/KvDeleteResponse.js';
import type { KvGetRequest as _palisade_v1_KvGetRequest, KvGetRequest__Output as _palisade_v1_KvGetRequest__Output } from './palisade/v1/KvGetRequest.js';
import type { KvGetResponse as _palisade_v1_KvGetResponse, KvGetResponse__Output as _palisade_v1_KvGetResponse__Output } from './palisade/v1/KvGetResponse.js';
import type { KvListRequest as _palisade_v1_KvListRequest, KvListRequest__Output as _palisade_v1_KvListRequest__Output } from './palisade/v1/KvListRequest.js';
import type { KvListResponse as _palisade_v1_KvListResponse, KvListResponse__Output as _palisade_v1_KvListResponse__Output } from './palisade/v1/KvListResponse.js';
import type { KvPutRequest as _palisade_v1_KvPutRequest, KvPutRequest__Output as _palisade_v1_KvPutRequest__Output } from './palisade/v1/KvPutRequest.js';
import type { KvPutResponse as _palisade_v1_KvPutResponse, KvPutResponse__Output as _palisade_v1_KvPutResponse__Output } from './palisade/v1/KvPutResponse.js';
import type { KvWatchEvent as _palisade_v1_KvWatchEvent, KvWatchEvent__Output as _palisade_v1_KvWatchEvent__Output } from './palisade/v1/KvWatchEvent.js';
import type { KvWatchRequest as _palisade_v1_KvWatchRequest, KvWatchRequest__Output as _palisade_v1_KvWatchRequest__Output } from './palisade/v1/KvWatchRequest.js';
import type { KvWriteError as _palisade_v1_KvWriteError, KvWriteError__Output as _palisade_v1_KvWriteError__Output } from './palisade/v1/KvWriteError.js';
import type { KvWriteRequest as _palisade_v1_KvWriteRequest, KvWriteRequest__Output as _palisade_v1_KvWriteRequest__Output } from './palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse as _palisade_v1_KvWriteResponse, KvWriteResponse__Output as _palisade_v1_KvWriteResponse__Output } from './palisade/v1/KvWriteResponse.js';
import type { Member as _palisade_v1_Member, Member__Output as _palisade_v1_Member__Output } from './palisade/v1/Member.js';
import type { MemberAddRequest as _palisade_v1_MemberAddRequest, MemberAddRequest__Output as _palisade_v1_MemberAddRequest__Output } from './palisade/v1/MemberAddRequest.js';
import type { MemberChangeResponse as _palisade_v1_MemberChangeResponse, MemberChangeResponse__Output as _palisade_v1_MemberChangeResponse__Output } from './palisade/v1/MemberChangeResponse.js';
import type { MemberListRequest as _palisade_v1_MemberListRequest, MemberListRequest__Output as _palisade_v1_MemberListRequest__Output } from './palisade/v1/MemberListRequest.js';
import type { MemberListResponse as _palisade_v1_MemberListResponse, MemberListResponse__Output as _palisade_v1_MemberListResponse__Output } from './palisade/v1/MemberListResponse.js';
import type { MemberPromoteRequest as _palisade_v1_MemberPromoteRequest, MemberPromoteRequest__Output as _palisade_v1_MemberPromoteRequest__Output } from './palisade/v1/MemberPromoteRequest.js';
import type { MemberRemoveRequest as _palisade_v1_MemberRemoveRequest, MemberRemoveRequest__Output as _palisade_v1_MemberRemoveRequest__Output } from './palisade/v1/MemberRemoveRequest.js';
import type { MemberStatus as _palisade_v1_MemberStatus, MemberStatus__Output as _palisade_v1_MemberStatus__Output } from './palisade/v1/MemberStatus.js';
import type { ObserveEvent as _palisade_v1_ObserveEvent, ObserveEvent__Output as _palisade_v1_ObserveEvent__Output } from './palisade/v1/ObserveEvent.js';
import type { ObserveRequest as _palisade_v1_ObserveRequest, ObserveRequest__Output as _palisade_v1_ObserveRequest__Output } from './palisade/v1/ObserveRequest.js';
import type { PalisadeClient as _palisade_v1_PalisadeClient, PalisadeDefinition as _palisade_v1_PalisadeDefinition } from './palisade/v1/Palisade.js';
import type { PauseRequest as _palisade_v1_PauseRequest, PauseRequest__Output as _palisade_v1_PauseRequest__Output } from './palisade/v1/PauseRequest.js';
import type { PauseResponse as _palisade_v1_PauseResponse, PauseResponse__Output as _palisade_v1_PauseResponse__Output } from './palisade/v1/PauseResponse.js';
import type { ProclaimRequest as _palisade_v1_ProclaimRequest, ProclaimRequest__Output as _palisade_v1_ProclaimRequest__Output } from './palisade/v1/ProclaimRequest.js';
import type { ProclaimResponse as _palisade_v1_ProclaimResponse, ProclaimResponse__Output as _palisade_v1_ProclaimResponse__Output } from './palisade/v1/ProclaimResponse.js';
import type { Queue as _palisade_v1_Queue, Queue__Output as _palisade_v1_Queue__Output } from './palisade/v1/Queue.js';
import type { QueueListRequest as _palisade_v1_QueueListRequest, QueueListRequest__Output as _palisade_v1_QueueListRequest__Output } from './palisade/v1/QueueListRequest.js';
import type { QueueListResponse as _palisade_v1_QueueListResponse, QueueListResponse__Output as _palisade_v1_QueueListResponse__Output } from './palisade/v1/QueueListResponse.js';
import type { ReleaseRequest as _palisade_v1_ReleaseRequest, ReleaseRequest__Output as _palisade_v1_ReleaseRequest__Output } from './palisade/v1/ReleaseRequest.js';
import type { ReleaseResponse as _palisade_v1_ReleaseResponse, ReleaseResponse__Output as _palisade_v1_ReleaseResponse__Output } from './palisade/v1/ReleaseResponse.js';
import type { RequestId as _palisade_v1_RequestId, RequestId__Output as _palisade_v1_RequestId__Output } from './palisade/v1/RequestId.js';
import type { ResumeRequest as _palisade_v1_ResumeRequest, ResumeRequest__Output as _palisade_v1_ResumeRequest__Output } from './palisade/v1/ResumeRequest.js';
import type { SessionCloseRequest as _palisade_v1_SessionCloseRequest, SessionCloseRequest__Output as _palisade_v1_SessionCloseRequest__Output } from './palisade/v1/SessionCloseRequest.js';
import type { SessionCloseResponse as _palisade_v1_SessionCloseResponse, SessionCloseResponse__Output as _palisade_v1_SessionCloseResponse__Output } from './palisade/v1/SessionCloseResponse.js';
import type { SessionCreateRequest as _palisade_v1_SessionCreateRequest, SessionCreateRequest__Output as _palisade_v1_SessionCreateRequest__Output } from './palisade/v1/SessionCreateRequest.js';
import type { SessionCreateResponse as _palisade_v1_SessionCreateResponse, SessionCreateResponse__Output as _palisade_v1_SessionCreateResponse__Output } from './palisade/v1/SessionCreateResponse.js';
import type { SessionInfo as _palisade_v1_SessionInfo, SessionInfo__Output as _palisade_v1_SessionInfo__Output } from './palisade/v1/SessionInfo.js';
import type { SessionKeepAliveRequest as _palisade_v1_SessionKeepAliveRequest, SessionKeepAliveRequest__Output as _palisade_v1_SessionKeepAliveRequest__Output } from './palisade/v1/SessionKeepAliveRequest.js';
import type { SessionKeepAliveResponse as _palisade_v1_SessionKeepAliveResponse, SessionKeepAliveResponse__Output as _palisade_v1_SessionKeepAliveResponse__Output } from './palisade/v1/SessionKeepAliveResponse.js';
import type { SessionListRequest as _palisade_v1_SessionListRequest, SessionListRequest__Output as _palisade_v1_SessionListRequest__Output } from './palisade/v1/SessionListRequest.js';
import type { SessionListResponse as _palisade_v1_SessionListResponse, SessionListResponse__Output as _palisade_v1_SessionListResponse__Output } from './palisade/v1/SessionListResponse.js';
import type { StatusRequest as _palisade_v1_StatusRequest, StatusRequest__Output as _palisade_v1_StatusRequest__Output } from './palisade/v1/StatusRequest.js';
import type { StatusResponse as _palisade_v1_StatusResponse, StatusResponse__Output as _palisade_v1_StatusResponse__Output } from './palisade/v1/StatusResponse.js';
import type { SwitchoverRequest as _palisade_v1_SwitchoverRequest, SwitchoverRequest__Output as _palisade_v1_SwitchoverRequest__Output } from './palisade/v1/SwitchoverRequest.js';
import type { SwitchoverResponse as _palisade_v1_SwitchoverResponse, SwitchoverResponse__Output as _palisade_v1_SwitchoverResponse__Output } from './palisade/v1/SwitchoverResponse.js';
import type { TransferLeadershipRequest as _palisade_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _palisade_v1_TransferLeadershipRequest__Output } from './palisade/v1/TransferLeadershipRequest.js';
import type { TransferLeadershipResponse as _palisade_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _palisade_v1_TransferLeadershipResponse__Output } from './palisade/v1/TransferLeadershipResponse.js';
import type { Waiter as _palisade_v1_Waiter, Waiter__Output as _palisade_v1_Waiter__Output } from './palisade/v1/Waiter.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  palisade: {
    v1: {
      AcquireRequest: MessageTypeDefinition<_palisade_v1_AcquireRequest, _palisade_v1_AcquireRequest__Output>
      AcquireResponse: MessageTypeDefinition<_palisade_v1_AcquireResponse, _palisade_v1_AcquireResponse__Output>
      ActiveHolder: MessageTypeDefinition<_palisade_v1_ActiveHolder, _palisade_v1_ActiveHolder__Output>
      ClusterEvent: MessageTypeDefinition<_palisade_v1_ClusterEvent, _palisade_v1_ClusterEvent__Output>
      EventsRequest: MessageTypeDefinition<_palisade_v1_EventsRequest, _palisade_v1_EventsRequest__Output>
      EventsResponse: MessageTypeDefinition<_palisade_v1_EventsResponse, _palisade_v1_EventsResponse__Output>
      FencingGuard: MessageTypeDefinition<_palisade_v1_FencingGuard, _palisade_v1_FencingGuard__Output>
      HaStatus: MessageTypeDefinition<_palisade_v1_HaStatus, _palisade_v1_HaStatus__Output>
      Holder: MessageTypeDefinition<_palisade_v1_Holder, _palisade_v1_Holder__Output>
      KeyValue: MessageTypeDefinition<_palisade_v1_KeyValue, _palisade_v1_KeyValue__Output>
      KvCasRequest: MessageTypeDefinition<_palisade_v1_KvCasRequest, _palisade_v1_KvCasRequest__Output>
      KvCasResponse: MessageTypeDefinition<_palisade_v1_KvCasResponse, _palisade_v1_KvCasResponse__Output>
      KvDeleteRequest: MessageTypeDefinition<_palisade_v1_KvDeleteRequest, _palisade_v1_KvDeleteRequest__Output>
      KvDeleteResponse: MessageTypeDefinition<_palisade_v1_KvDeleteResponse, _palisade_v1_KvDeleteResponse__Output>
      KvGetRequest: MessageTypeDefinition<_palisade_v1_KvGetRequest, _palisade_v1_KvGetRequest__Output>
      KvGetResponse: MessageTypeDefinition<_palisade_v1_KvGetResponse, _palisade_v1_KvGetResponse__Output>
      KvListRequest: MessageTypeDefinition<_palisade_v1_KvListRequest, _palisade_v1_KvListRequest__Output>
      KvListResponse: MessageTypeDefinition<_palisade_v1_KvListResponse, _palisade_v1_KvListResponse__Output>
      KvPutRequest: MessageTypeDefinition<_palisade_v1_KvPutRequest, _palisade_v1_KvPutRequest__Output>
      KvPutResponse: MessageTypeDefinition<_palisade_v1_KvPutResponse, _palisade_v1_KvPutResponse__Output>
      KvWatchEvent: MessageTypeDefinition<_palisade_v1_KvWatchEvent, _palisade_v1_KvWatchEvent__Output>
      KvWatchRequest: MessageTypeDefinition<_palisade_v1_KvWatchRequest, _palisade_v1_KvWatchRequest__Output>
      KvWriteError: MessageTypeDefinition<_palisade_v1_KvWriteError, _palisade_v1_KvWriteError__Output>
      KvWriteRequest: MessageTypeDefinition<_palisade_v1_KvWriteRequest, _palisade_v1_KvWriteRequest__Output>
      KvWriteResponse: MessageTypeDefinition<_palisade_v1_KvWriteResponse, _palisade_v1_KvWriteResponse__Output>
      Member: MessageTypeDefinition<_palisade_v1_Member, _palisade_v1_Member__Output>
      MemberAddRequest: MessageTypeDefinition<_palisade_v1_MemberAddRequest, _palisade_v1_MemberAddRequest__Output>
      MemberChangeResponse: MessageTypeDefinition<_palisade_v1_MemberChangeResponse, _palisade_v1_MemberChangeResponse__Output>
      MemberListRequest: MessageTypeDefinition<_palisade_v1_MemberListRequest, _palisade_v1_MemberListRequest__Output>
      MemberListResponse: MessageTypeDefinition<_palisade_v1_MemberListResponse, _palisade_v1_MemberListResponse__Output>
      MemberPromoteRequest: MessageTypeDefinition<_palisade_v1_MemberPromoteRequest, _palisade_v1_MemberPromoteRequest__Output>
      MemberRemoveRequest: MessageTypeDefinition<_palisade_v1_MemberRemoveRequest, _palisade_v1_MemberRemoveRequest__Output>
      MemberStatus: MessageTypeDefinition<_palisade_v1_MemberStatus, _palisade_v1_MemberStatus__Output>
      ObserveEvent: MessageTypeDefinition<_palisade_v1_ObserveEvent, _palisade_v1_ObserveEvent__Output>
      ObserveRequest: MessageTypeDefinition<_palisade_v1_ObserveRequest, _palisade_v1_ObserveRequest__Output>
      Palisade: SubtypeConstructor<typeof grpc.Client, _palisade_v1_PalisadeClient> & { service: _palisade_v1_PalisadeDefinition }
      PauseRequest: MessageTypeDefinition<_palisade_v1_PauseRequest, _palisade_v1_PauseRequest__Output>
      PauseResponse: MessageTypeDefinition<_palisade_v1_PauseResponse, _palisade_v1_PauseResponse__Output>
      ProclaimRequest: MessageTypeDefinition<_palisade_v1_ProclaimRequest, _palisade_v1_ProclaimRequest__Output>
      ProclaimResponse: MessageTypeDefinition<_palisade_v1_ProclaimResponse, _palisade_v1_ProclaimResponse__Output>
      Queue: MessageTypeDefinition<_palisade_v1_Queue, _palisade_v1_Queue__Output>
      QueueListRequest: MessageTypeDefinition<_palisade_v1_QueueListRequest, _palisade_v1_QueueListRequest__Output>
      QueueListResponse: MessageTypeDefinition<_palisade_v1_QueueListResponse, _palisade_v1_QueueListResponse__Output>
      ReleaseRequest: MessageTypeDefinition<_palisade_v1_ReleaseRequest, _palisade_v1_ReleaseRequest__Output>
      ReleaseResponse: MessageTypeDefinition<_palisade_v1_ReleaseResponse, _palisade_v1_ReleaseResponse__Output>
      RequestId: MessageTypeDefinition<_palisade_v1_RequestId, _palisade_v1_RequestId__Output>
      ResumeRequest: MessageTypeDefinition<_palisade_v1_ResumeRequest, _palisade_v1_ResumeRequest__Output>
      SessionCloseRequest: MessageTypeDefinition<_palisade_v1_SessionCloseRequest, _palisade_v1_SessionCloseRequest__Output>
      SessionCloseResponse: MessageTypeDefinition<_palisade_v1_SessionCloseResponse, _palisade_v1_SessionCloseResponse__Output>
      SessionCreateRequest: MessageTypeDefinition<_palisade_v1_SessionCreateRequest, _palisade_v1_SessionCreateRequest__Output>
      SessionCreateResponse: MessageTypeDefinition<_palisade_v1_SessionCreateResponse, _palisade_v1_SessionCreateResponse__Output>
      SessionInfo: MessageTypeDefinition<_palisade_v1_SessionInfo, _palisade_v1_SessionInfo__Output>
      SessionKeepAliveRequest: MessageTypeDefinition<_palisade_v1_SessionKeepAliveRequest, _palisade_v1_SessionKeepAliveRequest__Output>
      SessionKeepAliveResponse: MessageTypeDefinition<_palisade_v1_SessionKeepAliveResponse, _palisade_v1_SessionKeepAliveResponse__Output>
      SessionListRequest: MessageTypeDefinition<_palisade_v1_SessionListRequest, _palisade_v1_SessionListRequest__Output>
      SessionListResponse: MessageTypeDefinition<_palisade_v1_SessionListResponse, _palisade_v1_SessionListResponse__Output>
      StatusRequest: MessageTypeDefinition<_palisade_v1_StatusRequest, _palisade_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_palisade_v1_StatusResponse, _palisade_v1_StatusResponse__Output>
      SwitchoverRequest: MessageTypeDefinition<_palisade_v1_SwitchoverRequest, _palisade_v1_SwitchoverRequest__Output>
      SwitchoverResponse: MessageTypeDefinition<_palisade_v1_SwitchoverResponse, _palisade_v1_SwitchoverResponse__Output>
      TransferLeadershipRequest: MessageTypeDefinition<_palisade_v1_TransferLeadershipRequest, _palisade_v1_TransferLeadershipRequest__Output>
      TransferLeadershipResponse: MessageTypeDefinition<_palisade_v1_TransferLeadershipResponse, _palisade_v1_TransferLeadershipResponse__Output>
      Waiter: MessageTypeDefinition<_palisade_v1_Waiter, _palisade_v1_Waiter__Output>
    }
  }
}

