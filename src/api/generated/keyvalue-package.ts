import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CompactRequest as _CompactRequest, CompactRequest__Output as _CompactRequest__Output } from './CompactRequest';
import type { CompactResponse as _CompactResponse, CompactResponse__Output as _CompactResponse__Output } from './CompactResponse';
import type { Compare as _Compare, Compare__Output as _Compare__Output } from './Compare';
import type { DeleteRangeRequest as _DeleteRangeRequest, DeleteRangeRequest__Output as _DeleteRangeRequest__Output } from './DeleteRangeRequest';
import type { DeleteRangeResponse as _DeleteRangeResponse, DeleteRangeResponse__Output as _DeleteRangeResponse__Output } from './DeleteRangeResponse';
import type { DeleteRequest as _DeleteRequest, DeleteRequest__Output as _DeleteRequest__Output } from './DeleteRequest';
import type { DeleteResponse as _DeleteResponse, DeleteResponse__Output as _DeleteResponse__Output } from './DeleteResponse';
import type { Entry as _Entry, Entry__Output as _Entry__Output } from './Entry';
import type { GetRequest as _GetRequest, GetRequest__Output as _GetRequest__Output } from './GetRequest';
import type { GetResponse as _GetResponse, GetResponse__Output as _GetResponse__Output } from './GetResponse';
import type { KeyValueClient as _KeyValueClient, KeyValueDefinition as _KeyValueDefinition } from './KeyValue';
import type { KvsAdminClient as _KvsAdminClient, KvsAdminDefinition as _KvsAdminDefinition } from './KvsAdmin';
import type { LeaseClient as _LeaseClient, LeaseDefinition as _LeaseDefinition } from './Lease';
import type { LeaseGrantRequest as _LeaseGrantRequest, LeaseGrantRequest__Output as _LeaseGrantRequest__Output } from './LeaseGrantRequest';
import type { LeaseGrantResponse as _LeaseGrantResponse, LeaseGrantResponse__Output as _LeaseGrantResponse__Output } from './LeaseGrantResponse';
import type { LeaseKeepAliveRequest as _LeaseKeepAliveRequest, LeaseKeepAliveRequest__Output as _LeaseKeepAliveRequest__Output } from './LeaseKeepAliveRequest';
import type { LeaseKeepAliveResponse as _LeaseKeepAliveResponse, LeaseKeepAliveResponse__Output as _LeaseKeepAliveResponse__Output } from './LeaseKeepAliveResponse';
import type { LeaseRevokeRequest as _LeaseRevokeRequest, LeaseRevokeRequest__Output as _LeaseRevokeRequest__Output } from './LeaseRevokeRequest';
import type { LeaseRevokeResponse as _LeaseRevokeResponse, LeaseRevokeResponse__Output as _LeaseRevokeResponse__Output } from './LeaseRevokeResponse';
import type { LeaseTimeToLiveRequest as _LeaseTimeToLiveRequest, LeaseTimeToLiveRequest__Output as _LeaseTimeToLiveRequest__Output } from './LeaseTimeToLiveRequest';
import type { LeaseTimeToLiveResponse as _LeaseTimeToLiveResponse, LeaseTimeToLiveResponse__Output as _LeaseTimeToLiveResponse__Output } from './LeaseTimeToLiveResponse';
import type { PutRequest as _PutRequest, PutRequest__Output as _PutRequest__Output } from './PutRequest';
import type { PutResponse as _PutResponse, PutResponse__Output as _PutResponse__Output } from './PutResponse';
import type { RangeRequest as _RangeRequest, RangeRequest__Output as _RangeRequest__Output } from './RangeRequest';
import type { RangeResponse as _RangeResponse, RangeResponse__Output as _RangeResponse__Output } from './RangeResponse';
import type { RequestOp as _RequestOp, RequestOp__Output as _RequestOp__Output } from './RequestOp';
import type { ResponseOp as _ResponseOp, ResponseOp__Output as _ResponseOp__Output } from './ResponseOp';
import type { SnapshotChunk as _SnapshotChunk, SnapshotChunk__Output as _SnapshotChunk__Output } from './SnapshotChunk';
import type { SnapshotRequest as _SnapshotRequest, SnapshotRequest__Output as _SnapshotRequest__Output } from './SnapshotRequest';
import type { TxnRequest as _TxnRequest, TxnRequest__Output as _TxnRequest__Output } from './TxnRequest';
import type { TxnResponse as _TxnResponse, TxnResponse__Output as _TxnResponse__Output } from './TxnResponse';
import type { WatchEvent as _WatchEvent, WatchEvent__Output as _WatchEvent__Output } from './WatchEvent';
import type { WatchRequest as _WatchRequest, WatchRequest__Output as _WatchRequest__Output } from './WatchRequest';
import type { WatchResponse as _WatchResponse, WatchResponse__Output as _WatchResponse__Output } from './WatchResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  CompactRequest: MessageTypeDefinition<_CompactRequest, _CompactRequest__Output>
  CompactResponse: MessageTypeDefinition<_CompactResponse, _CompactResponse__Output>
  Compare: MessageTypeDefinition<_Compare, _Compare__Output>
  CompareOp: EnumTypeDefinition
  CompareTarget: EnumTypeDefinition
  DeleteRangeRequest: MessageTypeDefinition<_DeleteRangeRequest, _DeleteRangeRequest__Output>
  DeleteRangeResponse: MessageTypeDefinition<_DeleteRangeResponse, _DeleteRangeResponse__Output>
  DeleteRequest: MessageTypeDefinition<_DeleteRequest, _DeleteRequest__Output>
  DeleteResponse: MessageTypeDefinition<_DeleteResponse, _DeleteResponse__Output>
  Entry: MessageTypeDefinition<_Entry, _Entry__Output>
  EventType: EnumTypeDefinition
  GetRequest: MessageTypeDefinition<_GetRequest, _GetRequest__Output>
  GetResponse: MessageTypeDefinition<_GetResponse, _GetResponse__Output>
  /**
   * A durable key-value store. Every write is in the transaction log before it is acknowledged.
   */
  KeyValue: SubtypeConstructor<typeof grpc.Client, _KeyValueClient> & { service: _KeyValueDefinition }
  /**
   * Operator RPCs.
   */
  KvsAdmin: SubtypeConstructor<typeof grpc.Client, _KvsAdminClient> & { service: _KvsAdminDefinition }
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
  Lease: SubtypeConstructor<typeof grpc.Client, _LeaseClient> & { service: _LeaseDefinition }
  LeaseGrantRequest: MessageTypeDefinition<_LeaseGrantRequest, _LeaseGrantRequest__Output>
  LeaseGrantResponse: MessageTypeDefinition<_LeaseGrantResponse, _LeaseGrantResponse__Output>
  LeaseKeepAliveRequest: MessageTypeDefinition<_LeaseKeepAliveRequest, _LeaseKeepAliveRequest__Output>
  LeaseKeepAliveResponse: MessageTypeDefinition<_LeaseKeepAliveResponse, _LeaseKeepAliveResponse__Output>
  LeaseRevokeRequest: MessageTypeDefinition<_LeaseRevokeRequest, _LeaseRevokeRequest__Output>
  LeaseRevokeResponse: MessageTypeDefinition<_LeaseRevokeResponse, _LeaseRevokeResponse__Output>
  LeaseTimeToLiveRequest: MessageTypeDefinition<_LeaseTimeToLiveRequest, _LeaseTimeToLiveRequest__Output>
  LeaseTimeToLiveResponse: MessageTypeDefinition<_LeaseTimeToLiveResponse, _LeaseTimeToLiveResponse__Output>
  PutRequest: MessageTypeDefinition<_PutRequest, _PutRequest__Output>
  PutResponse: MessageTypeDefinition<_PutResponse, _PutResponse__Output>
  RangeRequest: MessageTypeDefinition<_RangeRequest, _RangeRequest__Output>
  RangeResponse: MessageTypeDefinition<_RangeResponse, _RangeResponse__Output>
  RequestOp: MessageTypeDefinition<_RequestOp, _RequestOp__Output>
  ResponseOp: MessageTypeDefinition<_ResponseOp, _ResponseOp__Output>
  SnapshotChunk: MessageTypeDefinition<_SnapshotChunk, _SnapshotChunk__Output>
  SnapshotRequest: MessageTypeDefinition<_SnapshotRequest, _SnapshotRequest__Output>
  TxnRequest: MessageTypeDefinition<_TxnRequest, _TxnRequest__Output>
  TxnResponse: MessageTypeDefinition<_TxnResponse, _TxnResponse__Output>
  WatchEvent: MessageTypeDefinition<_WatchEvent, _WatchEvent__Output>
  WatchRequest: MessageTypeDefinition<_WatchRequest, _WatchRequest__Output>
  WatchResponse: MessageTypeDefinition<_WatchResponse, _WatchResponse__Output>
}

