// Original file: proto/palisade/v1/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PeerAck as _palisade_v1_PeerAck, PeerAck__Output as _palisade_v1_PeerAck__Output } from '../../palisade/v1/PeerAck.js';
import type { PeerBatch as _palisade_v1_PeerBatch, PeerBatch__Output as _palisade_v1_PeerBatch__Output } from '../../palisade/v1/PeerBatch.js';
import type { SnapshotAck as _palisade_v1_SnapshotAck, SnapshotAck__Output as _palisade_v1_SnapshotAck__Output } from '../../palisade/v1/SnapshotAck.js';
import type { SnapshotChunk as _palisade_v1_SnapshotChunk, SnapshotChunk__Output as _palisade_v1_SnapshotChunk__Output } from '../../palisade/v1/SnapshotChunk.js';

export interface RaftPeerClient extends grpc.Client {
  /**
   * One snapshot: the first chunk carries the header, the following chunks the data in order.
   */
  InstallSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  InstallSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  InstallSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  InstallSnapshot(callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  /**
   * One snapshot: the first chunk carries the header, the following chunks the data in order.
   */
  installSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  installSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  installSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  installSnapshot(callback: grpc.requestCallback<_palisade_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_palisade_v1_SnapshotChunk>;
  
  /**
   * A long-lived stream of batches from `from` to `to`. The server answers only when the stream
   * ends: OK when the sender closed it, or the status that made the receiver reject it.
   */
  Stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  Stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  Stream(options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  Stream(callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  /**
   * A long-lived stream of batches from `from` to `to`. The server answers only when the stream
   * ends: OK when the sender closed it, or the status that made the receiver reject it.
   */
  stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  stream(options: grpc.CallOptions, callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  stream(callback: grpc.requestCallback<_palisade_v1_PeerAck__Output>): grpc.ClientWritableStream<_palisade_v1_PeerBatch>;
  
}

export interface RaftPeerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One snapshot: the first chunk carries the header, the following chunks the data in order.
   */
  InstallSnapshot: grpc.handleClientStreamingCall<_palisade_v1_SnapshotChunk__Output, _palisade_v1_SnapshotAck>;
  
  /**
   * A long-lived stream of batches from `from` to `to`. The server answers only when the stream
   * ends: OK when the sender closed it, or the status that made the receiver reject it.
   */
  Stream: grpc.handleClientStreamingCall<_palisade_v1_PeerBatch__Output, _palisade_v1_PeerAck>;
  
}

export interface RaftPeerDefinition extends grpc.ServiceDefinition {
  InstallSnapshot: MethodDefinition<_palisade_v1_SnapshotChunk, _palisade_v1_SnapshotAck, _palisade_v1_SnapshotChunk__Output, _palisade_v1_SnapshotAck__Output>
  Stream: MethodDefinition<_palisade_v1_PeerBatch, _palisade_v1_PeerAck, _palisade_v1_PeerBatch__Output, _palisade_v1_PeerAck__Output>
}
