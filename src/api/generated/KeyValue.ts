// Original file: proto/keyvalue.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeleteRangeRequest as _DeleteRangeRequest, DeleteRangeRequest__Output as _DeleteRangeRequest__Output } from './DeleteRangeRequest';
import type { DeleteRangeResponse as _DeleteRangeResponse, DeleteRangeResponse__Output as _DeleteRangeResponse__Output } from './DeleteRangeResponse';
import type { DeleteRequest as _DeleteRequest, DeleteRequest__Output as _DeleteRequest__Output } from './DeleteRequest';
import type { DeleteResponse as _DeleteResponse, DeleteResponse__Output as _DeleteResponse__Output } from './DeleteResponse';
import type { GetRequest as _GetRequest, GetRequest__Output as _GetRequest__Output } from './GetRequest';
import type { GetResponse as _GetResponse, GetResponse__Output as _GetResponse__Output } from './GetResponse';
import type { PutRequest as _PutRequest, PutRequest__Output as _PutRequest__Output } from './PutRequest';
import type { PutResponse as _PutResponse, PutResponse__Output as _PutResponse__Output } from './PutResponse';
import type { RangeRequest as _RangeRequest, RangeRequest__Output as _RangeRequest__Output } from './RangeRequest';
import type { RangeResponse as _RangeResponse, RangeResponse__Output as _RangeResponse__Output } from './RangeResponse';
import type { TxnRequest as _TxnRequest, TxnRequest__Output as _TxnRequest__Output } from './TxnRequest';
import type { TxnResponse as _TxnResponse, TxnResponse__Output as _TxnResponse__Output } from './TxnResponse';
import type { WatchRequest as _WatchRequest, WatchRequest__Output as _WatchRequest__Output } from './WatchRequest';
import type { WatchResponse as _WatchResponse, WatchResponse__Output as _WatchResponse__Output } from './WatchResponse';

/**
 * A durable key-value store. Every write is in the transaction log before it is acknowledged.
 */
export interface KeyValueClient extends grpc.Client {
  /**
   * Removes the key, durably; idempotent unless conditional. Errors: INVALID_ARGUMENT (bad
   * key), UNAVAILABLE (log cannot take writes; nothing changed), FAILED_PRECONDITION as Put.
   */
  Delete(argument: _DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _DeleteRequest, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Removes the key, durably; idempotent unless conditional. Errors: INVALID_ARGUMENT (bad
   * key), UNAVAILABLE (log cannot take writes; nothing changed), FAILED_PRECONDITION as Put.
   */
  delete(argument: _DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _DeleteRequest, callback: grpc.requestCallback<_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Deletes every key a prefix or a start/end range names in one revision (one log record).
   * Scope kvs:write; with kvs_prefixes, allowed only when the whole range lies inside them
   * (PERMISSION_DENIED otherwise). Errors: INVALID_ARGUMENT (INVALID_REQUEST: no selector and
   * not all, or a selector with all), UNAVAILABLE as Put.
   */
  DeleteRange(argument: _DeleteRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  DeleteRange(argument: _DeleteRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  DeleteRange(argument: _DeleteRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  DeleteRange(argument: _DeleteRangeRequest, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Deletes every key a prefix or a start/end range names in one revision (one log record).
   * Scope kvs:write; with kvs_prefixes, allowed only when the whole range lies inside them
   * (PERMISSION_DENIED otherwise). Errors: INVALID_ARGUMENT (INVALID_REQUEST: no selector and
   * not all, or a selector with all), UNAVAILABLE as Put.
   */
  deleteRange(argument: _DeleteRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _DeleteRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _DeleteRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _DeleteRangeRequest, callback: grpc.requestCallback<_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Returns the key's value and revisions. Errors: NOT_FOUND (no value), INVALID_ARGUMENT (bad key),
   * UNAVAILABLE (REPLICA_BEHIND: min_revision or linearizable not reached in time).
   */
  Get(argument: _GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _GetRequest, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Returns the key's value and revisions. Errors: NOT_FOUND (no value), INVALID_ARGUMENT (bad key),
   * UNAVAILABLE (REPLICA_BEHIND: min_revision or linearizable not reached in time).
   */
  get(argument: _GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _GetRequest, callback: grpc.requestCallback<_GetResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stores the value under the key, durably, and answers the write's revision. Errors:
   * INVALID_ARGUMENT (bad key or value), RESOURCE_EXHAUSTED (value too large), UNAVAILABLE (log
   * cannot take writes; nothing changed), FAILED_PRECONDITION (kvs-error-code
   * PRECONDITION_FAILED, trailing metadata kvs-mod-revision: the key's current mod_revision, 0
   * when absent) when expected_mod_revision or require_exists did not hold; nothing changed.
   */
  Put(argument: _PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _PutRequest, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stores the value under the key, durably, and answers the write's revision. Errors:
   * INVALID_ARGUMENT (bad key or value), RESOURCE_EXHAUSTED (value too large), UNAVAILABLE (log
   * cannot take writes; nothing changed), FAILED_PRECONDITION (kvs-error-code
   * PRECONDITION_FAILED, trailing metadata kvs-mod-revision: the key's current mod_revision, 0
   * when absent) when expected_mod_revision or require_exists did not hold; nothing changed.
   */
  put(argument: _PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _PutRequest, callback: grpc.requestCallback<_PutResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A page of the keys a prefix or a start/end range names, in UTF-8 byte order, with their
   * revisions; page on with start_after = next_start_after while more is true. Scope kvs:read;
   * a token's kvs_prefixes clip the range (keys outside them are never returned). Errors:
   * INVALID_ARGUMENT (INVALID_REQUEST: a prefix and a range both named, limit outside 1..1000;
   * INVALID_KEY, KEY_TOO_LARGE: a bad bound).
   */
  Range(argument: _RangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  Range(argument: _RangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  Range(argument: _RangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  Range(argument: _RangeRequest, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A page of the keys a prefix or a start/end range names, in UTF-8 byte order, with their
   * revisions; page on with start_after = next_start_after while more is true. Scope kvs:read;
   * a token's kvs_prefixes clip the range (keys outside them are never returned). Errors:
   * INVALID_ARGUMENT (INVALID_REQUEST: a prefix and a range both named, limit outside 1..1000;
   * INVALID_KEY, KEY_TOO_LARGE: a bad bound).
   */
  range(argument: _RangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _RangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _RangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _RangeRequest, callback: grpc.requestCallback<_RangeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * An atomic transaction (etcd's Txn): if every compare holds, the success ops run, else the
   * failure ops; all its writes get one revision and are one log record, all or nothing.
   * Scope kvs:write, and kvs:read too when it has compares or gets; with kvs_prefixes every
   * key it names, compares included, must lie inside them (PERMISSION_DENIED otherwise).
   * Errors: INVALID_ARGUMENT (INVALID_REQUEST: over 128 compares or ops per branch, a branch
   * writing one key twice, an unspecified target or op, an operand of the wrong kind, a
   * conditional Put or Delete as an op), UNAVAILABLE as Put.
   */
  Txn(argument: _TxnRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _TxnRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _TxnRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _TxnRequest, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  /**
   * An atomic transaction (etcd's Txn): if every compare holds, the success ops run, else the
   * failure ops; all its writes get one revision and are one log record, all or nothing.
   * Scope kvs:write, and kvs:read too when it has compares or gets; with kvs_prefixes every
   * key it names, compares included, must lie inside them (PERMISSION_DENIED otherwise).
   * Errors: INVALID_ARGUMENT (INVALID_REQUEST: over 128 compares or ops per branch, a branch
   * writing one key twice, an unspecified target or op, an operand of the wrong kind, a
   * conditional Put or Delete as an op), UNAVAILABLE as Put.
   */
  txn(argument: _TxnRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _TxnRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _TxnRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _TxnRequest, callback: grpc.requestCallback<_TxnResponse__Output>): grpc.ClientUnaryCall;
  
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
   * Removes the key, durably; idempotent unless conditional. Errors: INVALID_ARGUMENT (bad
   * key), UNAVAILABLE (log cannot take writes; nothing changed), FAILED_PRECONDITION as Put.
   */
  Delete: grpc.handleUnaryCall<_DeleteRequest__Output, _DeleteResponse>;
  
  /**
   * Deletes every key a prefix or a start/end range names in one revision (one log record).
   * Scope kvs:write; with kvs_prefixes, allowed only when the whole range lies inside them
   * (PERMISSION_DENIED otherwise). Errors: INVALID_ARGUMENT (INVALID_REQUEST: no selector and
   * not all, or a selector with all), UNAVAILABLE as Put.
   */
  DeleteRange: grpc.handleUnaryCall<_DeleteRangeRequest__Output, _DeleteRangeResponse>;
  
  /**
   * Returns the key's value and revisions. Errors: NOT_FOUND (no value), INVALID_ARGUMENT (bad key),
   * UNAVAILABLE (REPLICA_BEHIND: min_revision or linearizable not reached in time).
   */
  Get: grpc.handleUnaryCall<_GetRequest__Output, _GetResponse>;
  
  /**
   * Stores the value under the key, durably, and answers the write's revision. Errors:
   * INVALID_ARGUMENT (bad key or value), RESOURCE_EXHAUSTED (value too large), UNAVAILABLE (log
   * cannot take writes; nothing changed), FAILED_PRECONDITION (kvs-error-code
   * PRECONDITION_FAILED, trailing metadata kvs-mod-revision: the key's current mod_revision, 0
   * when absent) when expected_mod_revision or require_exists did not hold; nothing changed.
   */
  Put: grpc.handleUnaryCall<_PutRequest__Output, _PutResponse>;
  
  /**
   * A page of the keys a prefix or a start/end range names, in UTF-8 byte order, with their
   * revisions; page on with start_after = next_start_after while more is true. Scope kvs:read;
   * a token's kvs_prefixes clip the range (keys outside them are never returned). Errors:
   * INVALID_ARGUMENT (INVALID_REQUEST: a prefix and a range both named, limit outside 1..1000;
   * INVALID_KEY, KEY_TOO_LARGE: a bad bound).
   */
  Range: grpc.handleUnaryCall<_RangeRequest__Output, _RangeResponse>;
  
  /**
   * An atomic transaction (etcd's Txn): if every compare holds, the success ops run, else the
   * failure ops; all its writes get one revision and are one log record, all or nothing.
   * Scope kvs:write, and kvs:read too when it has compares or gets; with kvs_prefixes every
   * key it names, compares included, must lie inside them (PERMISSION_DENIED otherwise).
   * Errors: INVALID_ARGUMENT (INVALID_REQUEST: over 128 compares or ops per branch, a branch
   * writing one key twice, an unspecified target or op, an operand of the wrong kind, a
   * conditional Put or Delete as an op), UNAVAILABLE as Put.
   */
  Txn: grpc.handleUnaryCall<_TxnRequest__Output, _TxnResponse>;
  
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
  DeleteRange: MethodDefinition<_DeleteRangeRequest, _DeleteRangeResponse, _DeleteRangeRequest__Output, _DeleteRangeResponse__Output>
  Get: MethodDefinition<_GetRequest, _GetResponse, _GetRequest__Output, _GetResponse__Output>
  Put: MethodDefinition<_PutRequest, _PutResponse, _PutRequest__Output, _PutResponse__Output>
  Range: MethodDefinition<_RangeRequest, _RangeResponse, _RangeRequest__Output, _RangeResponse__Output>
  Txn: MethodDefinition<_TxnRequest, _TxnResponse, _TxnRequest__Output, _TxnResponse__Output>
  Watch: MethodDefinition<_WatchRequest, _WatchResponse, _WatchRequest__Output, _WatchResponse__Output>
}
