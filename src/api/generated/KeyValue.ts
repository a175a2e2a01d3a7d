// Original file: proto/keyvalue.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeleteRequest as _DeleteRequest, DeleteRequest__Output as _DeleteRequest__Output } from './DeleteRequest';
import type { DeleteResponse as _DeleteResponse, DeleteResponse__Output as _DeleteResponse__Output } from './DeleteResponse';
import type { GetRequest as _GetRequest, GetRequest__Output as _GetRequest__Output } from './GetRequest';
import type { GetResponse as _GetResponse, GetResponse__Output as _GetResponse__Output } from './GetResponse';
import type { PutRequest as _PutRequest, PutRequest__Output as _PutRequest__Output } from './PutRequest';
import type { PutResponse as _PutResponse, PutResponse__Output as _PutResponse__Output } from './PutResponse';
import type { WatchRequest as _WatchRequest, WatchRequest__Output as _WatchRequest__Output } from './WatchRequest';
import type { WatchResponse as _WatchResponse, WatchResponse__Output as _WatchResponse__Output } from './WatchResponse';

/**
 * A durable key-value store. Every write is in the transaction log before it is acknowledged.
 */
export interface KeyValueClient extends grpc.Client {
  /**
   * Removes the key, durably; idempotent. Errors: INVALID_ARGUMENT (bad key),
   * UNAVAILABLE (log cannot take writes; nothing changed).
   */
  Delete(argument: _DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _DeleteRequest, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Removes the key, durably; idempotent. Errors: INVALID_ARGUMENT (bad key),
   * UNAVAILABLE (log cannot take writes; nothing changed).
   */
  delete(argument: _DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _DeleteRequest, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Returns the key's value. Errors: NOT_FOUND (no value), INVALID_ARGUMENT (bad key).
   */
  Get(argument: _GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _GetRequest, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Returns the key's value. Errors: NOT_FOUND (no value), INVALID_ARGUMENT (bad key).
   */
  get(argument: _GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _GetRequest, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stores the value under the key, durably. Errors: INVALID_ARGUMENT (bad key or value),
   * RESOURCE_EXHAUSTED (value too large), UNAVAILABLE (log cannot take writes; nothing changed).
   */
  Put(argument: _PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _PutRequest, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stores the value under the key, durably. Errors: INVALID_ARGUMENT (bad key or value),
   * RESOURCE_EXHAUSTED (value too large), UNAVAILABLE (log cannot take writes; nothing changed).
   */
  put(argument: _PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _PutRequest, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the changes of a key, a prefix or a range from a revision (etcd's Watch): one
   * WatchResponse per revision, in revision order, with no gap and no duplicate, and progress
   * heartbeats while idle. Scope kvs:read; a token's kvs_prefixes clip a prefix or range (only
   * permitted keys are delivered) and refuse a single key outside them. The stream fails with
   * OUT_OF_RANGE (kvs-error-code REVISION_COMPACTED, trailing metadata kvs-compact-revision: the
   * oldest revision to resume at) when start_revision is older than the history;
   * RESOURCE_EXHAUSTED (WATCH_TOO_SLOW) when the client fell too far behind (resume from the
   * revision after the last one received); UNAUTHENTICATED when the token expires;
   * UNAVAILABLE when the server stops (reconnect, elsewhere if need be); INVALID_ARGUMENT for a
   * bad selector (INVALID_REQUEST) or key.
   */
  Watch(argument: _WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_WatchResponse__Output>;
  Watch(argument: _WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_WatchResponse__Output>;
  /**
   * Streams the changes of a key, a prefix or a range from a revision (etcd's Watch): one
   * WatchResponse per revision, in revision order, with no gap and no duplicate, and progress
   * heartbeats while idle. Scope kvs:read; a token's kvs_prefixes clip a prefix or range (only
   * permitted keys are delivered) and refuse a single key outside them. The stream fails with
   * OUT_OF_RANGE (kvs-error-code REVISION_COMPACTED, trailing metadata kvs-compact-revision: the
   * oldest revision to resume at) when start_revision is older than the history;
   * RESOURCE_EXHAUSTED (WATCH_TOO_SLOW) when the client fell too far behind (resume from the
   * revision after the last one received); UNAUTHENTICATED when the token expires;
   * UNAVAILABLE when the server stops (reconnect, elsewhere if need be); INVALID_ARGUMENT for a
   * bad selector (INVALID_REQUEST) or key.
   */
  watch(argument: _WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_WatchResponse__Output>;
  watch(argument: _WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_WatchResponse__Output>;
  
}

/**
 * A durable key-value store. Every write is in the transaction log before it is acknowledged.
 */
export interface KeyValueHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Removes the key, durably; idempotent. Errors: INVALID_ARGUMENT (bad key),
   * UNAVAILABLE (log cannot take writes; nothing changed).
   */
  Delete: grpc.handleUnaryCall<_DeleteRequest__Output, _DeleteResponse>;
  
  /**
   * Returns the key's value. Errors: NOT_FOUND (no value), INVALID_ARGUMENT (bad key).
   */
  Get: grpc.handleUnaryCall<_GetRequest__Output, _GetResponse>;
  
  /**
   * Stores the value under the key, durably. Errors: INVALID_ARGUMENT (bad key or value),
   * RESOURCE_EXHAUSTED (value too large), UNAVAILABLE (log cannot take writes; nothing changed).
   */
  Put: grpc.handleUnaryCall<_PutRequest__Output, _PutResponse>;
  
  /**
   * Streams the changes of a key, a prefix or a range from a revision (etcd's Watch): one
   * WatchResponse per revision, in revision order, with no gap and no duplicate, and progress
   * heartbeats while idle. Scope kvs:read; a token's kvs_prefixes clip a prefix or range (only
   * permitted keys are delivered) and refuse a single key outside them. The stream fails with
   * OUT_OF_RANGE (kvs-error-code REVISION_COMPACTED, trailing metadata kvs-compact-revision: the
   * oldest revision to resume at) when start_revision is older than the history;
   * RESOURCE_EXHAUSTED (WATCH_TOO_SLOW) when the client fell too far behind (resume from the
   * revision after the last one received); UNAUTHENTICATED when the token expires;
   * UNAVAILABLE when the server stops (reconnect, elsewhere if need be); INVALID_ARGUMENT for a
   * bad selector (INVALID_REQUEST) or key.
   */
  Watch: grpc.handleServerStreamingCall<_WatchRequest__Output, _WatchResponse>;
  
}

export interface KeyValueDefinition extends grpc.ServiceDefinition {
  Delete: MethodDefinition<_DeleteRequest, _DeleteResponse, _DeleteRequest__Output, _DeleteResponse__Output>
  Get: MethodDefinition<_GetRequest, _GetResponse, _GetRequest__Output, _GetResponse__Output>
  Put: MethodDefinition<_PutRequest, _PutResponse, _PutRequest__Output, _PutResponse__Output>
  Watch: MethodDefinition<_WatchRequest, _WatchResponse, _WatchRequest__Output, _WatchResponse__Output>
}
