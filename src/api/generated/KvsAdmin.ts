// Original file: proto/kvs_admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CompactRequest as _CompactRequest, CompactRequest__Output as _CompactRequest__Output } from './CompactRequest';
import type { CompactResponse as _CompactResponse, CompactResponse__Output as _CompactResponse__Output } from './CompactResponse';
import type { SnapshotChunk as _SnapshotChunk, SnapshotChunk__Output as _SnapshotChunk__Output } from './SnapshotChunk';
import type { SnapshotRequest as _SnapshotRequest, SnapshotRequest__Output as _SnapshotRequest__Output } from './SnapshotRequest';

/**
 * Operator RPCs.
 */
export interface KvsAdminClient extends grpc.Client {
  /**
   * Rewrites the transaction log's history to hold just the live data, while reads and writes
   * go on; if a compaction is already running, waits for it and reports that one. UNAVAILABLE
   * (kvs-error-code LOG_UNAVAILABLE) when it fails: the log is intact, retry later.
   */
  Compact(argument: _CompactRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  Compact(argument: _CompactRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  Compact(argument: _CompactRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  Compact(argument: _CompactRequest, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Rewrites the transaction log's history to hold just the live data, while reads and writes
   * go on; if a compaction is already running, waits for it and reports that one. UNAVAILABLE
   * (kvs-error-code LOG_UNAVAILABLE) when it fails: the log is intact, retry later.
   */
  compact(argument: _CompactRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  compact(argument: _CompactRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  compact(argument: _CompactRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  compact(argument: _CompactRequest, callback: grpc.requestCallback<_CompactResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams every live key with its value, revisions and deadline, as the store stood at one
   * revision, while reads and writes go on; the stream follows the reader's pace. The revision
   * is in the snapshot's header and in the initial metadata `kvs-revision`. A stream that ends
   * early (an error, a cancel) is not a snapshot: the format's end section proves completeness.
   */
  Snapshot(argument: _SnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_SnapshotChunk__Output>;
  Snapshot(argument: _SnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_SnapshotChunk__Output>;
  /**
   * Streams every live key with its value, revisions and deadline, as the store stood at one
   * revision, while reads and writes go on; the stream follows the reader's pace. The revision
   * is in the snapshot's header and in the initial metadata `kvs-revision`. A stream that ends
   * early (an error, a cancel) is not a snapshot: the format's end section proves completeness.
   */
  snapshot(argument: _SnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_SnapshotChunk__Output>;
  snapshot(argument: _SnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_SnapshotChunk__Output>;
  
}

/**
 * Operator RPCs.
 */
export interface KvsAdminHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Rewrites the transaction log's history to hold just the live data, while reads and writes
   * go on; if a compaction is already running, waits for it and reports that one. UNAVAILABLE
   * (kvs-error-code LOG_UNAVAILABLE) when it fails: the log is intact, retry later.
   */
  Compact: grpc.handleUnaryCall<_CompactRequest__Output, _CompactResponse>;
  
  /**
   * Streams every live key with its value, revisions and deadline, as the store stood at one
   * revision, while reads and writes go on; the stream follows the reader's pace. The revision
   * is in the snapshot's header and in the initial metadata `kvs-revision`. A stream that ends
   * early (an error, a cancel) is not a snapshot: the format's end section proves completeness.
   */
  Snapshot: grpc.handleServerStreamingCall<_SnapshotRequest__Output, _SnapshotChunk>;
  
}

export interface KvsAdminDefinition extends grpc.ServiceDefinition {
  Compact: MethodDefinition<_CompactRequest, _CompactResponse, _CompactRequest__Output, _CompactResponse__Output>
  Snapshot: MethodDefinition<_SnapshotRequest, _SnapshotChunk, _SnapshotRequest__Output, _SnapshotChunk__Output>
}
