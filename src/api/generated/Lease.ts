// Original file: proto/keyvalue.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { LeaseGrantRequest as _LeaseGrantRequest, LeaseGrantRequest__Output as _LeaseGrantRequest__Output } from './LeaseGrantRequest';
import type { LeaseGrantResponse as _LeaseGrantResponse, LeaseGrantResponse__Output as _LeaseGrantResponse__Output } from './LeaseGrantResponse';
import type { LeaseKeepAliveRequest as _LeaseKeepAliveRequest, LeaseKeepAliveRequest__Output as _LeaseKeepAliveRequest__Output } from './LeaseKeepAliveRequest';
import type { LeaseKeepAliveResponse as _LeaseKeepAliveResponse, LeaseKeepAliveResponse__Output as _LeaseKeepAliveResponse__Output } from './LeaseKeepAliveResponse';
import type { LeaseRevokeRequest as _LeaseRevokeRequest, LeaseRevokeRequest__Output as _LeaseRevokeRequest__Output } from './LeaseRevokeRequest';
import type { LeaseRevokeResponse as _LeaseRevokeResponse, LeaseRevokeResponse__Output as _LeaseRevokeResponse__Output } from './LeaseRevokeResponse';
import type { LeaseTimeToLiveRequest as _LeaseTimeToLiveRequest, LeaseTimeToLiveRequest__Output as _LeaseTimeToLiveRequest__Output } from './LeaseTimeToLiveRequest';
import type { LeaseTimeToLiveResponse as _LeaseTimeToLiveResponse, LeaseTimeToLiveResponse__Output as _LeaseTimeToLiveResponse__Output } from './LeaseTimeToLiveResponse';

/**
 * ---- TTL and leases (etcd's model; docs/ttl-and-leases.md) ----------------------------------
 * Keys attached to a lease live exactly as long as it: Grant it, attach keys with
 * PutRequest.lease, keep it alive with KeepAlive, and when the keepalives stop (or on Revoke)
 * every key attached is deleted in one revision, which watchers see as delete events. Grant and
 * Revoke are logged. A keepalive is not a write on a single kvs (memory only), but with shared
 * replicas (KVS_REPLICAS=shared) it is one: a logged record of the lease's new deadline, so
 * every replica learns it, answered once durable (LOG_UNAVAILABLE, UNAVAILABLE, when it cannot
 * be logged; READ_ONLY, UNAVAILABLE, while the read-only flag is on). After a restart every lease
 * gets its full TTL again (etcd's rule). Scope kvs:write for every method; LEASE_NOT_FOUND
 * (NOT_FOUND) for a lease never granted, revoked or past its deadline.
 */
export interface LeaseClient extends grpc.Client {
  /**
   * Grants a lease of ttl_ms (1 .. KVS_MAX_TTL, else INVALID_ARGUMENT).
   */
  Grant(argument: _LeaseGrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  Grant(argument: _LeaseGrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  Grant(argument: _LeaseGrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  Grant(argument: _LeaseGrantRequest, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Grants a lease of ttl_ms (1 .. KVS_MAX_TTL, else INVALID_ARGUMENT).
   */
  grant(argument: _LeaseGrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  grant(argument: _LeaseGrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  grant(argument: _LeaseGrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  grant(argument: _LeaseGrantRequest, callback: grpc.requestCallback<_LeaseGrantResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Each request renews the lease to its full TTL and is answered by one response; the stream
   * ends with NOT_FOUND once the lease is gone (expired or revoked).
   */
  KeepAlive(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_LeaseKeepAliveRequest, _LeaseKeepAliveResponse__Output>;
  KeepAlive(options?: grpc.CallOptions): grpc.ClientDuplexStream<_LeaseKeepAliveRequest, _LeaseKeepAliveResponse__Output>;
  /**
   * Each request renews the lease to its full TTL and is answered by one response; the stream
   * ends with NOT_FOUND once the lease is gone (expired or revoked).
   */
  keepAlive(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_LeaseKeepAliveRequest, _LeaseKeepAliveResponse__Output>;
  keepAlive(options?: grpc.CallOptions): grpc.ClientDuplexStream<_LeaseKeepAliveRequest, _LeaseKeepAliveResponse__Output>;
  
  /**
   * Revokes the lease: one revision deletes every key attached to it.
   */
  Revoke(argument: _LeaseRevokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _LeaseRevokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _LeaseRevokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _LeaseRevokeRequest, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Revokes the lease: one revision deletes every key attached to it.
   */
  revoke(argument: _LeaseRevokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _LeaseRevokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _LeaseRevokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _LeaseRevokeRequest, callback: grpc.requestCallback<_LeaseRevokeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The lease's TTL, the time it has left and its keys.
   */
  TimeToLive(argument: _LeaseTimeToLiveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  TimeToLive(argument: _LeaseTimeToLiveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  TimeToLive(argument: _LeaseTimeToLiveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  TimeToLive(argument: _LeaseTimeToLiveRequest, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The lease's TTL, the time it has left and its keys.
   */
  timeToLive(argument: _LeaseTimeToLiveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _LeaseTimeToLiveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _LeaseTimeToLiveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _LeaseTimeToLiveRequest, callback: grpc.requestCallback<_LeaseTimeToLiveResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * ---- TTL and leases (etcd's model; docs/ttl-and-leases.md) ----------------------------------
 * Keys attached to a lease live exactly as long as it: Grant it, attach keys with
 * PutRequest.lease, keep it alive with KeepAlive, and when the keepalives stop (or on Revoke)
 * every key attached is deleted in one revision, which watchers see as delete events. Grant and
 * Revoke are logged. A keepalive is not a write on a single kvs (memory only), but with shared
 * replicas (KVS_REPLICAS=shared) it is one: a logged record of the lease's new deadline, so
 * every replica learns it, answered once durable (LOG_UNAVAILABLE, UNAVAILABLE, when it cannot
 * be logged; READ_ONLY, UNAVAILABLE, while the read-only flag is on). After a restart every lease
 * gets its full TTL again (etcd's rule). Scope kvs:write for every method; LEASE_NOT_FOUND
 * (NOT_FOUND) for a lease never granted, revoked or past its deadline.
 */
export interface LeaseHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Grants a lease of ttl_ms (1 .. KVS_MAX_TTL, else INVALID_ARGUMENT).
   */
  Grant: grpc.handleUnaryCall<_LeaseGrantRequest__Output, _LeaseGrantResponse>;
  
  /**
   * Each request renews the lease to its full TTL and is answered by one response; the stream
   * ends with NOT_FOUND once the lease is gone (expired or revoked).
   */
  KeepAlive: grpc.handleBidiStreamingCall<_LeaseKeepAliveRequest__Output, _LeaseKeepAliveResponse>;
  
  /**
   * Revokes the lease: one revision deletes every key attached to it.
   */
  Revoke: grpc.handleUnaryCall<_LeaseRevokeRequest__Output, _LeaseRevokeResponse>;
  
  /**
   * The lease's TTL, the time it has left and its keys.
   */
  TimeToLive: grpc.handleUnaryCall<_LeaseTimeToLiveRequest__Output, _LeaseTimeToLiveResponse>;
  
}

export interface LeaseDefinition extends grpc.ServiceDefinition {
  Grant: MethodDefinition<_LeaseGrantRequest, _LeaseGrantResponse, _LeaseGrantRequest__Output, _LeaseGrantResponse__Output>
  KeepAlive: MethodDefinition<_LeaseKeepAliveRequest, _LeaseKeepAliveResponse, _LeaseKeepAliveRequest__Output, _LeaseKeepAliveResponse__Output>
  Revoke: MethodDefinition<_LeaseRevokeRequest, _LeaseRevokeResponse, _LeaseRevokeRequest__Output, _LeaseRevokeResponse__Output>
  TimeToLive: MethodDefinition<_LeaseTimeToLiveRequest, _LeaseTimeToLiveResponse, _LeaseTimeToLiveRequest__Output, _LeaseTimeToLiveResponse__Output>
}
