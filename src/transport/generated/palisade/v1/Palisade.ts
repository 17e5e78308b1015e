// Original file: proto/palisade/v1/client.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcquireRequest as _palisade_v1_AcquireRequest, AcquireRequest__Output as _palisade_v1_AcquireRequest__Output } from '../../palisade/v1/AcquireRequest.js';
import type { AcquireResponse as _palisade_v1_AcquireResponse, AcquireResponse__Output as _palisade_v1_AcquireResponse__Output } from '../../palisade/v1/AcquireResponse.js';
import type { EventsRequest as _palisade_v1_EventsRequest, EventsRequest__Output as _palisade_v1_EventsRequest__Output } from '../../palisade/v1/EventsRequest.js';
import type { EventsResponse as _palisade_v1_EventsResponse, EventsResponse__Output as _palisade_v1_EventsResponse__Output } from '../../palisade/v1/EventsResponse.js';
import type { KvCasRequest as _palisade_v1_KvCasRequest, KvCasRequest__Output as _palisade_v1_KvCasRequest__Output } from '../../palisade/v1/KvCasRequest.js';
import type { KvCasResponse as _palisade_v1_KvCasResponse, KvCasResponse__Output as _palisade_v1_KvCasResponse__Output } from '../../palisade/v1/KvCasResponse.js';
import type { KvDeleteRequest as _palisade_v1_KvDeleteRequest, KvDeleteRequest__Output as _palisade_v1_KvDeleteRequest__Output } from '../../palisade/v1/KvDeleteRequest.js';
import type { KvDeleteResponse as _palisade_v1_KvDeleteResponse, KvDeleteResponse__Output as _palisade_v1_KvDeleteResponse__Output } from '../../palisade/v1/KvDeleteResponse.js';
import type { KvGetRequest as _palisade_v1_KvGetRequest, KvGetRequest__Output as _palisade_v1_KvGetRequest__Output } from '../../palisade/v1/KvGetRequest.js';
import type { KvGetResponse as _palisade_v1_KvGetResponse, KvGetResponse__Output as _palisade_v1_KvGetResponse__Output } from '../../palisade/v1/KvGetResponse.js';
import type { KvListRequest as _palisade_v1_KvListRequest, KvListRequest__Output as _palisade_v1_KvListRequest__Output } from '../../palisade/v1/KvListRequest.js';
import type { KvListResponse as _palisade_v1_KvListResponse, KvListResponse__Output as _palisade_v1_KvListResponse__Output } from '../../palisade/v1/KvListResponse.js';
import type { KvPutRequest as _palisade_v1_KvPutRequest, KvPutRequest__Output as _palisade_v1_KvPutRequest__Output } from '../../palisade/v1/KvPutRequest.js';
import type { KvPutResponse as _palisade_v1_KvPutResponse, KvPutResponse__Output as _palisade_v1_KvPutResponse__Output } from '../../palisade/v1/KvPutResponse.js';
import type { KvWatchEvent as _palisade_v1_KvWatchEvent, KvWatchEvent__Output as _palisade_v1_KvWatchEvent__Output } from '../../palisade/v1/KvWatchEvent.js';
import type { KvWatchRequest as _palisade_v1_KvWatchRequest, KvWatchRequest__Output as _palisade_v1_KvWatchRequest__Output } from '../../palisade/v1/KvWatchRequest.js';
import type { KvWriteRequest as _palisade_v1_KvWriteRequest, KvWriteRequest__Output as _palisade_v1_KvWriteRequest__Output } from '../../palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse as _palisade_v1_KvWriteResponse, KvWriteResponse__Output as _palisade_v1_KvWriteResponse__Output } from '../../palisade/v1/KvWriteResponse.js';
import type { MemberAddRequest as _palisade_v1_MemberAddRequest, MemberAddRequest__Output as _palisade_v1_MemberAddRequest__Output } from '../../palisade/v1/MemberAddRequest.js';
import type { MemberChangeResponse as _palisade_v1_MemberChangeResponse, MemberChangeResponse__Output as _palisade_v1_MemberChangeResponse__Output } from '../../palisade/v1/MemberChangeResponse.js';
import type { MemberListRequest as _palisade_v1_MemberListRequest, MemberListRequest__Output as _palisade_v1_MemberListRequest__Output } from '../../palisade/v1/MemberListRequest.js';
import type { MemberListResponse as _palisade_v1_MemberListResponse, MemberListResponse__Output as _palisade_v1_MemberListResponse__Output } from '../../palisade/v1/MemberListResponse.js';
import type { MemberPromoteRequest as _palisade_v1_MemberPromoteRequest, MemberPromoteRequest__Output as _palisade_v1_MemberPromoteRequest__Output } from '../../palisade/v1/MemberPromoteRequest.js';
import type { MemberRemoveRequest as _palisade_v1_MemberRemoveRequest, MemberRemoveRequest__Output as _palisade_v1_MemberRemoveRequest__Output } from '../../palisade/v1/MemberRemoveRequest.js';
import type { ObserveEvent as _palisade_v1_ObserveEvent, ObserveEvent__Output as _palisade_v1_ObserveEvent__Output } from '../../palisade/v1/ObserveEvent.js';
import type { ObserveRequest as _palisade_v1_ObserveRequest, ObserveRequest__Output as _palisade_v1_ObserveRequest__Output } from '../../palisade/v1/ObserveRequest.js';
import type { PauseRequest as _palisade_v1_PauseRequest, PauseRequest__Output as _palisade_v1_PauseRequest__Output } from '../../palisade/v1/PauseRequest.js';
import type { PauseResponse as _palisade_v1_PauseResponse, PauseResponse__Output as _palisade_v1_PauseResponse__Output } from '../../palisade/v1/PauseResponse.js';
import type { ProclaimRequest as _palisade_v1_ProclaimRequest, ProclaimRequest__Output as _palisade_v1_ProclaimRequest__Output } from '../../palisade/v1/ProclaimRequest.js';
import type { ProclaimResponse as _palisade_v1_ProclaimResponse, ProclaimResponse__Output as _palisade_v1_ProclaimResponse__Output } from '../../palisade/v1/ProclaimResponse.js';
import type { QueueListRequest as _palisade_v1_QueueListRequest, QueueListRequest__Output as _palisade_v1_QueueListRequest__Output } from '../../palisade/v1/QueueListRequest.js';
import type { QueueListResponse as _palisade_v1_QueueListResponse, QueueListResponse__Output as _palisade_v1_QueueListResponse__Output } from '../../palisade/v1/QueueListResponse.js';
import type { ReleaseRequest as _palisade_v1_ReleaseRequest, ReleaseRequest__Output as _palisade_v1_ReleaseRequest__Output } from '../../palisade/v1/ReleaseRequest.js';
import type { ReleaseResponse as _palisade_v1_ReleaseResponse, ReleaseResponse__Output as _palisade_v1_ReleaseResponse__Output } from '../../palisade/v1/ReleaseResponse.js';
import type { ResumeRequest as _palisade_v1_ResumeRequest, ResumeRequest__Output as _palisade_v1_ResumeRequest__Output } from '../../palisade/v1/ResumeRequest.js';
import type { SessionCloseRequest as _palisade_v1_SessionCloseRequest, SessionCloseRequest__Output as _palisade_v1_SessionCloseRequest__Output } from '../../palisade/v1/SessionCloseRequest.js';
import type { SessionCloseResponse as _palisade_v1_SessionCloseResponse, SessionCloseResponse__Output as _palisade_v1_SessionCloseResponse__Output } from '../../palisade/v1/SessionCloseResponse.js';
import type { SessionCreateRequest as _palisade_v1_SessionCreateRequest, SessionCreateRequest__Output as _palisade_v1_SessionCreateRequest__Output } from '../../palisade/v1/SessionCreateRequest.js';
import type { SessionCreateResponse as _palisade_v1_SessionCreateResponse, SessionCreateResponse__Output as _palisade_v1_SessionCreateResponse__Output } from '../../palisade/v1/SessionCreateResponse.js';
import type { SessionKeepAliveRequest as _palisade_v1_SessionKeepAliveRequest, SessionKeepAliveRequest__Output as _palisade_v1_SessionKeepAliveRequest__Output } from '../../palisade/v1/SessionKeepAliveRequest.js';
import type { SessionKeepAliveResponse as _palisade_v1_SessionKeepAliveResponse, SessionKeepAliveResponse__Output as _palisade_v1_SessionKeepAliveResponse__Output } from '../../palisade/v1/SessionKeepAliveResponse.js';
import type { SessionListRequest as _palisade_v1_SessionListRequest, SessionListRequest__Output as _palisade_v1_SessionListRequest__Output } from '../../palisade/v1/SessionListRequest.js';
import type { SessionListResponse as _palisade_v1_SessionListResponse, SessionListResponse__Output as _palisade_v1_SessionListResponse__Output } from '../../palisade/v1/SessionListResponse.js';
import type { StatusRequest as _palisade_v1_StatusRequest, StatusRequest__Output as _palisade_v1_StatusRequest__Output } from '../../palisade/v1/StatusRequest.js';
import type { StatusResponse as _palisade_v1_StatusResponse, StatusResponse__Output as _palisade_v1_StatusResponse__Output } from '../../palisade/v1/StatusResponse.js';
import type { SwitchoverRequest as _palisade_v1_SwitchoverRequest, SwitchoverRequest__Output as _palisade_v1_SwitchoverRequest__Output } from '../../palisade/v1/SwitchoverRequest.js';
import type { SwitchoverResponse as _palisade_v1_SwitchoverResponse, SwitchoverResponse__Output as _palisade_v1_SwitchoverResponse__Output } from '../../palisade/v1/SwitchoverResponse.js';
import type { TransferLeadershipRequest as _palisade_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _palisade_v1_TransferLeadershipRequest__Output } from '../../palisade/v1/TransferLeadershipRequest.js';
import type { TransferLeadershipResponse as _palisade_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _palisade_v1_TransferLeadershipResponse__Output } from '../../palisade/v1/TransferLeadershipResponse.js';

export interface PalisadeClient extends grpc.Client {
  /**
   * Join the queue of `name` (idempotent per session and name). With `wait`, answered once the
   * session holds it (or FAILED_PRECONDITION SESSION_NOT_FOUND when the session ended first);
   * a client re-issues it after a deadline or failover. Only the granted session is woken.
   */
  Acquire(argument: _palisade_v1_AcquireRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _palisade_v1_AcquireRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _palisade_v1_AcquireRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _palisade_v1_AcquireRequest, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Join the queue of `name` (idempotent per session and name). With `wait`, answered once the
   * session holds it (or FAILED_PRECONDITION SESSION_NOT_FOUND when the session ended first);
   * a client re-issues it after a deadline or failover. Only the granted session is woken.
   */
  acquire(argument: _palisade_v1_AcquireRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _palisade_v1_AcquireRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _palisade_v1_AcquireRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _palisade_v1_AcquireRequest, callback: grpc.requestCallback<_palisade_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The replicated, bounded cluster event log (elections, promotions, demotions, fences, hook
   * results), from this node's applied state. Poll with after_seq = the last seq seen to follow.
   */
  Events(argument: _palisade_v1_EventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  Events(argument: _palisade_v1_EventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  Events(argument: _palisade_v1_EventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  Events(argument: _palisade_v1_EventsRequest, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The replicated, bounded cluster event log (elections, promotions, demotions, fences, hook
   * results), from this node's applied state. Poll with after_seq = the last seq seen to follow.
   */
  events(argument: _palisade_v1_EventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  events(argument: _palisade_v1_EventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  events(argument: _palisade_v1_EventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  events(argument: _palisade_v1_EventsRequest, callback: grpc.requestCallback<_palisade_v1_EventsResponse__Output>): grpc.ClientUnaryCall;
  
  KvCas(argument: _palisade_v1_KvCasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  KvCas(argument: _palisade_v1_KvCasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  KvCas(argument: _palisade_v1_KvCasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  KvCas(argument: _palisade_v1_KvCasRequest, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  kvCas(argument: _palisade_v1_KvCasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  kvCas(argument: _palisade_v1_KvCasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  kvCas(argument: _palisade_v1_KvCasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  kvCas(argument: _palisade_v1_KvCasRequest, callback: grpc.requestCallback<_palisade_v1_KvCasResponse__Output>): grpc.ClientUnaryCall;
  
  KvDelete(argument: _palisade_v1_KvDeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  KvDelete(argument: _palisade_v1_KvDeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  KvDelete(argument: _palisade_v1_KvDeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  KvDelete(argument: _palisade_v1_KvDeleteRequest, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  kvDelete(argument: _palisade_v1_KvDeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  kvDelete(argument: _palisade_v1_KvDeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  kvDelete(argument: _palisade_v1_KvDeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  kvDelete(argument: _palisade_v1_KvDeleteRequest, callback: grpc.requestCallback<_palisade_v1_KvDeleteResponse__Output>): grpc.ClientUnaryCall;
  
  KvGet(argument: _palisade_v1_KvGetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  KvGet(argument: _palisade_v1_KvGetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  KvGet(argument: _palisade_v1_KvGetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  KvGet(argument: _palisade_v1_KvGetRequest, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  kvGet(argument: _palisade_v1_KvGetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  kvGet(argument: _palisade_v1_KvGetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  kvGet(argument: _palisade_v1_KvGetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  kvGet(argument: _palisade_v1_KvGetRequest, callback: grpc.requestCallback<_palisade_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  
  KvList(argument: _palisade_v1_KvListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  KvList(argument: _palisade_v1_KvListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  KvList(argument: _palisade_v1_KvListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  KvList(argument: _palisade_v1_KvListRequest, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  kvList(argument: _palisade_v1_KvListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  kvList(argument: _palisade_v1_KvListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  kvList(argument: _palisade_v1_KvListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  kvList(argument: _palisade_v1_KvListRequest, callback: grpc.requestCallback<_palisade_v1_KvListResponse__Output>): grpc.ClientUnaryCall;
  
  KvPut(argument: _palisade_v1_KvPutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  KvPut(argument: _palisade_v1_KvPutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  KvPut(argument: _palisade_v1_KvPutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  KvPut(argument: _palisade_v1_KvPutRequest, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  kvPut(argument: _palisade_v1_KvPutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  kvPut(argument: _palisade_v1_KvPutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  kvPut(argument: _palisade_v1_KvPutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  kvPut(argument: _palisade_v1_KvPutRequest, callback: grpc.requestCallback<_palisade_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Events for keys under `prefix` from `from_revision` (0: only new ones), until cancelled.
   */
  KvWatch(argument: _palisade_v1_KvWatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_KvWatchEvent__Output>;
  KvWatch(argument: _palisade_v1_KvWatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_KvWatchEvent__Output>;
  /**
   * Events for keys under `prefix` from `from_revision` (0: only new ones), until cancelled.
   */
  kvWatch(argument: _palisade_v1_KvWatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_KvWatchEvent__Output>;
  kvWatch(argument: _palisade_v1_KvWatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_KvWatchEvent__Output>;
  
  /**
   * Writes pipelined on one stream: many in flight, each answered once applied (in any order),
   * matched by `seq`. Each item has exactly the semantics of KvPut / KvDelete / KvCas, and an
   * error answers that item only (KvWriteError carries the status the unary call would have
   * ended with). The typed client sends every write here and falls back to the unary calls,
   * with the same request id, on any error a retry could fix. Costs a fraction of a unary call.
   * Also carries Acquire and Release (the same semantics, same permission), for the same reason.
   */
  KvWrite(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_palisade_v1_KvWriteRequest, _palisade_v1_KvWriteResponse__Output>;
  KvWrite(options?: grpc.CallOptions): grpc.ClientDuplexStream<_palisade_v1_KvWriteRequest, _palisade_v1_KvWriteResponse__Output>;
  /**
   * Writes pipelined on one stream: many in flight, each answered once applied (in any order),
   * matched by `seq`. Each item has exactly the semantics of KvPut / KvDelete / KvCas, and an
   * error answers that item only (KvWriteError carries the status the unary call would have
   * ended with). The typed client sends every write here and falls back to the unary calls,
   * with the same request id, on any error a retry could fix. Costs a fraction of a unary call.
   * Also carries Acquire and Release (the same semantics, same permission), for the same reason.
   */
  kvWrite(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_palisade_v1_KvWriteRequest, _palisade_v1_KvWriteResponse__Output>;
  kvWrite(options?: grpc.CallOptions): grpc.ClientDuplexStream<_palisade_v1_KvWriteRequest, _palisade_v1_KvWriteResponse__Output>;
  
  MemberAdd(argument: _palisade_v1_MemberAddRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _palisade_v1_MemberAddRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _palisade_v1_MemberAddRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _palisade_v1_MemberAddRequest, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _palisade_v1_MemberAddRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _palisade_v1_MemberAddRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _palisade_v1_MemberAddRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _palisade_v1_MemberAddRequest, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  
  MemberList(argument: _palisade_v1_MemberListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _palisade_v1_MemberListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _palisade_v1_MemberListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _palisade_v1_MemberListRequest, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _palisade_v1_MemberListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _palisade_v1_MemberListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _palisade_v1_MemberListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _palisade_v1_MemberListRequest, callback: grpc.requestCallback<_palisade_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  
  MemberPromote(argument: _palisade_v1_MemberPromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _palisade_v1_MemberPromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _palisade_v1_MemberPromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _palisade_v1_MemberPromoteRequest, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _palisade_v1_MemberPromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _palisade_v1_MemberPromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _palisade_v1_MemberPromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _palisade_v1_MemberPromoteRequest, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  
  MemberRemove(argument: _palisade_v1_MemberRemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _palisade_v1_MemberRemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _palisade_v1_MemberRemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _palisade_v1_MemberRemoveRequest, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _palisade_v1_MemberRemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _palisade_v1_MemberRemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _palisade_v1_MemberRemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _palisade_v1_MemberRemoveRequest, callback: grpc.requestCallback<_palisade_v1_MemberChangeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The holders of `name`: the current ones first, then one event per change, until cancelled.
   */
  Observe(argument: _palisade_v1_ObserveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_ObserveEvent__Output>;
  Observe(argument: _palisade_v1_ObserveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_ObserveEvent__Output>;
  /**
   * The holders of `name`: the current ones first, then one event per change, until cancelled.
   */
  observe(argument: _palisade_v1_ObserveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_ObserveEvent__Output>;
  observe(argument: _palisade_v1_ObserveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_palisade_v1_ObserveEvent__Output>;
  
  /**
   * Maintenance: no automatic promotion or demotion until Resume (replicated; answered once applied here).
   */
  Pause(argument: _palisade_v1_PauseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  Pause(argument: _palisade_v1_PauseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  Pause(argument: _palisade_v1_PauseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  Pause(argument: _palisade_v1_PauseRequest, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Maintenance: no automatic promotion or demotion until Resume (replicated; answered once applied here).
   */
  pause(argument: _palisade_v1_PauseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _palisade_v1_PauseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _palisade_v1_PauseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _palisade_v1_PauseRequest, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * An election's leader changes its value (FAILED_PRECONDITION NOT_HOLDER unless it holds `token`).
   */
  Proclaim(argument: _palisade_v1_ProclaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  Proclaim(argument: _palisade_v1_ProclaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  Proclaim(argument: _palisade_v1_ProclaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  Proclaim(argument: _palisade_v1_ProclaimRequest, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  /**
   * An election's leader changes its value (FAILED_PRECONDITION NOT_HOLDER unless it holds `token`).
   */
  proclaim(argument: _palisade_v1_ProclaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  proclaim(argument: _palisade_v1_ProclaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  proclaim(argument: _palisade_v1_ProclaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  proclaim(argument: _palisade_v1_ProclaimRequest, callback: grpc.requestCallback<_palisade_v1_ProclaimResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Locks, elections and semaphores whose name starts with `prefix`: holders, waiters, tokens.
   */
  QueueList(argument: _palisade_v1_QueueListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  QueueList(argument: _palisade_v1_QueueListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  QueueList(argument: _palisade_v1_QueueListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  QueueList(argument: _palisade_v1_QueueListRequest, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Locks, elections and semaphores whose name starts with `prefix`: holders, waiters, tokens.
   */
  queueList(argument: _palisade_v1_QueueListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  queueList(argument: _palisade_v1_QueueListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  queueList(argument: _palisade_v1_QueueListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  queueList(argument: _palisade_v1_QueueListRequest, callback: grpc.requestCallback<_palisade_v1_QueueListResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Unlock / resign / leave the queue.
   */
  Release(argument: _palisade_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _palisade_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _palisade_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _palisade_v1_ReleaseRequest, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Unlock / resign / leave the queue.
   */
  release(argument: _palisade_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _palisade_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _palisade_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _palisade_v1_ReleaseRequest, callback: grpc.requestCallback<_palisade_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  
  Resume(argument: _palisade_v1_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _palisade_v1_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _palisade_v1_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _palisade_v1_ResumeRequest, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _palisade_v1_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _palisade_v1_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _palisade_v1_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _palisade_v1_ResumeRequest, callback: grpc.requestCallback<_palisade_v1_PauseResponse__Output>): grpc.ClientUnaryCall;
  
  SessionClose(argument: _palisade_v1_SessionCloseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  SessionClose(argument: _palisade_v1_SessionCloseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  SessionClose(argument: _palisade_v1_SessionCloseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  SessionClose(argument: _palisade_v1_SessionCloseRequest, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  sessionClose(argument: _palisade_v1_SessionCloseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  sessionClose(argument: _palisade_v1_SessionCloseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  sessionClose(argument: _palisade_v1_SessionCloseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  sessionClose(argument: _palisade_v1_SessionCloseRequest, callback: grpc.requestCallback<_palisade_v1_SessionCloseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Coordination (docs/coordination.md): sessions, named elections, locks and semaphores with
   * fencing tokens, replicated in the state machine.
   * A session is a lease the client keeps alive; it ends when closed or when the leader's clock
   * passes its TTL since the last keep-alive (then its holdings, waits and ephemeral keys go).
   */
  SessionCreate(argument: _palisade_v1_SessionCreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  SessionCreate(argument: _palisade_v1_SessionCreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  SessionCreate(argument: _palisade_v1_SessionCreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  SessionCreate(argument: _palisade_v1_SessionCreateRequest, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Coordination (docs/coordination.md): sessions, named elections, locks and semaphores with
   * fencing tokens, replicated in the state machine.
   * A session is a lease the client keeps alive; it ends when closed or when the leader's clock
   * passes its TTL since the last keep-alive (then its holdings, waits and ephemeral keys go).
   */
  sessionCreate(argument: _palisade_v1_SessionCreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  sessionCreate(argument: _palisade_v1_SessionCreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  sessionCreate(argument: _palisade_v1_SessionCreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  sessionCreate(argument: _palisade_v1_SessionCreateRequest, callback: grpc.requestCallback<_palisade_v1_SessionCreateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Served by the leader only (a follower answers UNAVAILABLE naming it). Answered after a
   * ReadIndex round that began after the request arrived, so the ack proves no newer leader
   * existed when it was sent. FAILED_PRECONDITION (reason SESSION_NOT_FOUND) once the session has ended.
   */
  SessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  SessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  SessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  SessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Served by the leader only (a follower answers UNAVAILABLE naming it). Answered after a
   * ReadIndex round that began after the request arrived, so the ack proves no newer leader
   * existed when it was sent. FAILED_PRECONDITION (reason SESSION_NOT_FOUND) once the session has ended.
   */
  sessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  sessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  sessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  sessionKeepAlive(argument: _palisade_v1_SessionKeepAliveRequest, callback: grpc.requestCallback<_palisade_v1_SessionKeepAliveResponse__Output>): grpc.ClientUnaryCall;
  
  SessionList(argument: _palisade_v1_SessionListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  SessionList(argument: _palisade_v1_SessionListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  SessionList(argument: _palisade_v1_SessionListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  SessionList(argument: _palisade_v1_SessionListRequest, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  sessionList(argument: _palisade_v1_SessionListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  sessionList(argument: _palisade_v1_SessionListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  sessionList(argument: _palisade_v1_SessionListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  sessionList(argument: _palisade_v1_SessionListRequest, callback: grpc.requestCallback<_palisade_v1_SessionListResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _palisade_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _palisade_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _palisade_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _palisade_v1_StatusRequest, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _palisade_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _palisade_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _palisade_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _palisade_v1_StatusRequest, callback: grpc.requestCallback<_palisade_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The active role. Switchover runs on the leader (a follower answers UNAVAILABLE naming it):
   * the active node demotes first, leadership moves, then the target promotes; the call returns
   * once the target's promotion is committed. FAILED_PRECONDITION when the target is not a
   * reachable, caught-up voter that may hold the role, or the cluster is paused.
   */
  Switchover(argument: _palisade_v1_SwitchoverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  Switchover(argument: _palisade_v1_SwitchoverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  Switchover(argument: _palisade_v1_SwitchoverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  Switchover(argument: _palisade_v1_SwitchoverRequest, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The active role. Switchover runs on the leader (a follower answers UNAVAILABLE naming it):
   * the active node demotes first, leadership moves, then the target promotes; the call returns
   * once the target's promotion is committed. FAILED_PRECONDITION when the target is not a
   * reachable, caught-up voter that may hold the role, or the cluster is paused.
   */
  switchover(argument: _palisade_v1_SwitchoverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  switchover(argument: _palisade_v1_SwitchoverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  switchover(argument: _palisade_v1_SwitchoverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  switchover(argument: _palisade_v1_SwitchoverRequest, callback: grpc.requestCallback<_palisade_v1_SwitchoverResponse__Output>): grpc.ClientUnaryCall;
  
  TransferLeadership(argument: _palisade_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _palisade_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _palisade_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _palisade_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _palisade_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _palisade_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _palisade_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _palisade_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_palisade_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface PalisadeHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Join the queue of `name` (idempotent per session and name). With `wait`, answered once the
   * session holds it (or FAILED_PRECONDITION SESSION_NOT_FOUND when the session ended first);
   * a client re-issues it after a deadline or failover. Only the granted session is woken.
   */
  Acquire: grpc.handleUnaryCall<_palisade_v1_AcquireRequest__Output, _palisade_v1_AcquireResponse>;
  
  /**
   * The replicated, bounded cluster event log (elections, promotions, demotions, fences, hook
   * results), from this node's applied state. Poll with after_seq = the last seq seen to follow.
   */
  Events: grpc.handleUnaryCall<_palisade_v1_EventsRequest__Output, _palisade_v1_EventsResponse>;
  
  KvCas: grpc.handleUnaryCall<_palisade_v1_KvCasRequest__Output, _palisade_v1_KvCasResponse>;
  
  KvDelete: grpc.handleUnaryCall<_palisade_v1_KvDeleteRequest__Output, _palisade_v1_KvDeleteResponse>;
  
  KvGet: grpc.handleUnaryCall<_palisade_v1_KvGetRequest__Output, _palisade_v1_KvGetResponse>;
  
  KvList: grpc.handleUnaryCall<_palisade_v1_KvListRequest__Output, _palisade_v1_KvListResponse>;
  
  KvPut: grpc.handleUnaryCall<_palisade_v1_KvPutRequest__Output, _palisade_v1_KvPutResponse>;
  
  /**
   * Events for keys under `prefix` from `from_revision` (0: only new ones), until cancelled.
   */
  KvWatch: grpc.handleServerStreamingCall<_palisade_v1_KvWatchRequest__Output, _palisade_v1_KvWatchEvent>;
  
  /**
   * Writes pipelined on one stream: many in flight, each answered once applied (in any order),
   * matched by `seq`. Each item has exactly the semantics of KvPut / KvDelete / KvCas, and an
   * error answers that item only (KvWriteError carries the status the unary call would have
   * ended with). The typed client sends every write here and falls back to the unary calls,
   * with the same request id, on any error a retry could fix. Costs a fraction of a unary call.
   * Also carries Acquire and Release (the same semantics, same permission), for the same reason.
   */
  KvWrite: grpc.handleBidiStreamingCall<_palisade_v1_KvWriteRequest__Output, _palisade_v1_KvWriteResponse>;
  
  MemberAdd: grpc.handleUnaryCall<_palisade_v1_MemberAddRequest__Output, _palisade_v1_MemberChangeResponse>;
  
  MemberList: grpc.handleUnaryCall<_palisade_v1_MemberListRequest__Output, _palisade_v1_MemberListResponse>;
  
  MemberPromote: grpc.handleUnaryCall<_palisade_v1_MemberPromoteRequest__Output, _palisade_v1_MemberChangeResponse>;
  
  MemberRemove: grpc.handleUnaryCall<_palisade_v1_MemberRemoveRequest__Output, _palisade_v1_MemberChangeResponse>;
  
  /**
   * The holders of `name`: the current ones first, then one event per change, until cancelled.
   */
  Observe: grpc.handleServerStreamingCall<_palisade_v1_ObserveRequest__Output, _palisade_v1_ObserveEvent>;
  
  /**
   * Maintenance: no automatic promotion or demotion until Resume (replicated; answered once applied here).
   */
  Pause: grpc.handleUnaryCall<_palisade_v1_PauseRequest__Output, _palisade_v1_PauseResponse>;
  
  /**
   * An election's leader changes its value (FAILED_PRECONDITION NOT_HOLDER unless it holds `token`).
   */
  Proclaim: grpc.handleUnaryCall<_palisade_v1_ProclaimRequest__Output, _palisade_v1_ProclaimResponse>;
  
  /**
   * Locks, elections and semaphores whose name starts with `prefix`: holders, waiters, tokens.
   */
  QueueList: grpc.handleUnaryCall<_palisade_v1_QueueListRequest__Output, _palisade_v1_QueueListResponse>;
  
  /**
   * Unlock / resign / leave the queue.
   */
  Release: grpc.handleUnaryCall<_palisade_v1_ReleaseRequest__Output, _palisade_v1_ReleaseResponse>;
  
  Resume: grpc.handleUnaryCall<_palisade_v1_ResumeRequest__Output, _palisade_v1_PauseResponse>;
  
  SessionClose: grpc.handleUnaryCall<_palisade_v1_SessionCloseRequest__Output, _palisade_v1_SessionCloseResponse>;
  
  /**
   * Coordination (docs/coordination.md): sessions, named elections, locks and semaphores with
   * fencing tokens, replicated in the state machine.
   * A session is a lease the client keeps alive; it ends when closed or when the leader's clock
   * passes its TTL since the last keep-alive (then its holdings, waits and ephemeral keys go).
   */
  SessionCreate: grpc.handleUnaryCall<_palisade_v1_SessionCreateRequest__Output, _palisade_v1_SessionCreateResponse>;
  
  /**
   * Served by the leader only (a follower answers UNAVAILABLE naming it). Answered after a
   * ReadIndex round that began after the request arrived, so the ack proves no newer leader
   * existed when it was sent. FAILED_PRECONDITION (reason SESSION_NOT_FOUND) once the session has ended.
   */
  SessionKeepAlive: grpc.handleUnaryCall<_palisade_v1_SessionKeepAliveRequest__Output, _palisade_v1_SessionKeepAliveResponse>;
  
  SessionList: grpc.handleUnaryCall<_palisade_v1_SessionListRequest__Output, _palisade_v1_SessionListResponse>;
  
  Status: grpc.handleUnaryCall<_palisade_v1_StatusRequest__Output, _palisade_v1_StatusResponse>;
  
  /**
   * The active role. Switchover runs on the leader (a follower answers UNAVAILABLE naming it):
   * the active node demotes first, leadership moves, then the target promotes; the call returns
   * once the target's promotion is committed. FAILED_PRECONDITION when the target is not a
   * reachable, caught-up voter that may hold the role, or the cluster is paused.
   */
  Switchover: grpc.handleUnaryCall<_palisade_v1_SwitchoverRequest__Output, _palisade_v1_SwitchoverResponse>;
  
  TransferLeadership: grpc.handleUnaryCall<_palisade_v1_TransferLeadershipRequest__Output, _palisade_v1_TransferLeadershipResponse>;
  
}

export interface PalisadeDefinition extends grpc.ServiceDefinition {
  Acquire: MethodDefinition<_palisade_v1_AcquireRequest, _palisade_v1_AcquireResponse, _palisade_v1_AcquireRequest__Output, _palisade_v1_AcquireResponse__Output>
  Events: MethodDefinition<_palisade_v1_EventsRequest, _palisade_v1_EventsResponse, _palisade_v1_EventsRequest__Output, _palisade_v1_EventsResponse__Output>
  KvCas: MethodDefinition<_palisade_v1_KvCasRequest, _palisade_v1_KvCasResponse, _palisade_v1_KvCasRequest__Output, _palisade_v1_KvCasResponse__Output>
  KvDelete: MethodDefinition<_palisade_v1_KvDeleteRequest, _palisade_v1_KvDeleteResponse, _palisade_v1_KvDeleteRequest__Output, _palisade_v1_KvDeleteResponse__Output>
  KvGet: MethodDefinition<_palisade_v1_KvGetRequest, _palisade_v1_KvGetResponse, _palisade_v1_KvGetRequest__Output, _palisade_v1_KvGetResponse__Output>
  KvList: MethodDefinition<_palisade_v1_KvListRequest, _palisade_v1_KvListResponse, _palisade_v1_KvListRequest__Output, _palisade_v1_KvListResponse__Output>
  KvPut: MethodDefinition<_palisade_v1_KvPutRequest, _palisade_v1_KvPutResponse, _palisade_v1_KvPutRequest__Output, _palisade_v1_KvPutResponse__Output>
  KvWatch: MethodDefinition<_palisade_v1_KvWatchRequest, _palisade_v1_KvWatchEvent, _palisade_v1_KvWatchRequest__Output, _palisade_v1_KvWatchEvent__Output>
  KvWrite: MethodDefinition<_palisade_v1_KvWriteRequest, _palisade_v1_KvWriteResponse, _palisade_v1_KvWriteRequest__Output, _palisade_v1_KvWriteResponse__Output>
  MemberAdd: MethodDefinition<_palisade_v1_MemberAddRequest, _palisade_v1_MemberChangeResponse, _palisade_v1_MemberAddRequest__Output, _palisade_v1_MemberChangeResponse__Output>
  MemberList: MethodDefinition<_palisade_v1_MemberListRequest, _palisade_v1_MemberListResponse, _palisade_v1_MemberListRequest__Output, _palisade_v1_MemberListResponse__Output>
  MemberPromote: MethodDefinition<_palisade_v1_MemberPromoteRequest, _palisade_v1_MemberChangeResponse, _palisade_v1_MemberPromoteRequest__Output, _palisade_v1_MemberChangeResponse__Output>
  MemberRemove: MethodDefinition<_palisade_v1_MemberRemoveRequest, _palisade_v1_MemberChangeResponse, _palisade_v1_MemberRemoveRequest__Output, _palisade_v1_MemberChangeResponse__Output>
  Observe: MethodDefinition<_palisade_v1_ObserveRequest, _palisade_v1_ObserveEvent, _palisade_v1_ObserveRequest__Output, _palisade_v1_ObserveEvent__Output>
  Pause: MethodDefinition<_palisade_v1_PauseRequest, _palisade_v1_PauseResponse, _palisade_v1_PauseRequest__Output, _palisade_v1_PauseResponse__Output>
  Proclaim: MethodDefinition<_palisade_v1_ProclaimRequest, _palisade_v1_ProclaimResponse, _palisade_v1_ProclaimRequest__Output, _palisade_v1_ProclaimResponse__Output>
  QueueList: MethodDefinition<_palisade_v1_QueueListRequest, _palisade_v1_QueueListResponse, _palisade_v1_QueueListRequest__Output, _palisade_v1_QueueListResponse__Output>
  Release: MethodDefinition<_palisade_v1_ReleaseRequest, _palisade_v1_ReleaseResponse, _palisade_v1_ReleaseRequest__Output, _palisade_v1_ReleaseResponse__Output>
  Resume: MethodDefinition<_palisade_v1_ResumeRequest, _palisade_v1_PauseResponse, _palisade_v1_ResumeRequest__Output, _palisade_v1_PauseResponse__Output>
  SessionClose: MethodDefinition<_palisade_v1_SessionCloseRequest, _palisade_v1_SessionCloseResponse, _palisade_v1_SessionCloseRequest__Output, _palisade_v1_SessionCloseResponse__Output>
  SessionCreate: MethodDefinition<_palisade_v1_SessionCreateRequest, _palisade_v1_SessionCreateResponse, _palisade_v1_SessionCreateRequest__Output, _palisade_v1_SessionCreateResponse__Output>
  SessionKeepAlive: MethodDefinition<_palisade_v1_SessionKeepAliveRequest, _palisade_v1_SessionKeepAliveResponse, _palisade_v1_SessionKeepAliveRequest__Output, _palisade_v1_SessionKeepAliveResponse__Output>
  SessionList: MethodDefinition<_palisade_v1_SessionListRequest, _palisade_v1_SessionListResponse, _palisade_v1_SessionListRequest__Output, _palisade_v1_SessionListResponse__Output>
  Status: MethodDefinition<_palisade_v1_StatusRequest, _palisade_v1_StatusResponse, _palisade_v1_StatusRequest__Output, _palisade_v1_StatusResponse__Output>
  Switchover: MethodDefinition<_palisade_v1_SwitchoverRequest, _palisade_v1_SwitchoverResponse, _palisade_v1_SwitchoverRequest__Output, _palisade_v1_SwitchoverResponse__Output>
  TransferLeadership: MethodDefinition<_palisade_v1_TransferLeadershipRequest, _palisade_v1_TransferLeadershipResponse, _palisade_v1_TransferLeadershipRequest__Output, _palisade_v1_TransferLeadershipResponse__Output>
}
