// Original file: proto/kvs_admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CompactRequest as _CompactRequest, CompactRequest__Output as _CompactRequest__Output } from './CompactRequest';
import type { CompactResponse as _CompactResponse, CompactResponse__Output as _CompactResponse__Output } from './CompactResponse';

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
  
}

export interface KvsAdminDefinition extends grpc.ServiceDefinition {
  Compact: MethodDefinition<_CompactRequest, _CompactResponse, _CompactRequest__Output, _CompactResponse__Output>
}
