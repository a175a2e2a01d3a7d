// Original file: proto/keyvalue.proto

import type { PutRequest as _PutRequest, PutRequest__Output as _PutRequest__Output } from './PutRequest';
import type { DeleteRequest as _DeleteRequest, DeleteRequest__Output as _DeleteRequest__Output } from './DeleteRequest';
import type { GetRequest as _GetRequest, GetRequest__Output as _GetRequest__Output } from './GetRequest';

/**
 * One operation of a transaction branch: exactly one of put, delete or get.
 */
export interface RequestOp {
  /**
   * Store a value, with its ttl_ms or lease as a Put takes them (expected_mod_revision and
   * require_exists are refused here: use a Compare).
   */
  'put'?: (_PutRequest | null);
  /**
   * Remove a key (no expected_mod_revision or require_exists here either).
   */
  'delete'?: (_DeleteRequest | null);
  /**
   * Read a key, seeing the writes of the ops before it in the branch.
   */
  'get'?: (_GetRequest | null);
  /**
   * Which operation.
   */
  'op'?: "put"|"delete"|"get";
}

/**
 * One operation of a transaction branch: exactly one of put, delete or get.
 */
export interface RequestOp__Output {
  /**
   * Store a value, with its ttl_ms or lease as a Put takes them (expected_mod_revision and
   * require_exists are refused here: use a Compare).
   */
  'put'?: (_PutRequest__Output | null);
  /**
   * Remove a key (no expected_mod_revision or require_exists here either).
   */
  'delete'?: (_DeleteRequest__Output | null);
  /**
   * Read a key, seeing the writes of the ops before it in the branch.
   */
  'get'?: (_GetRequest__Output | null);
  /**
   * Which operation.
   */
  'op'?: "put"|"delete"|"get";
}
