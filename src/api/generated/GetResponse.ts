// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The value stored under the requested key.
 */
export interface GetResponse {
  /**
   * The value exactly as it was written (may be empty). A missing key is NOT_FOUND, never "".
   */
  'value'?: (string);
  /**
   * Revision of the write that created the key's current generation.
   */
  'create_revision'?: (number | string | Long);
  /**
   * Revision of the key's last write: what a conditional write's expected_mod_revision names.
   * In a transaction's results, 0 means the key was absent.
   */
  'mod_revision'?: (number | string | Long);
  /**
   * Writes since the key was created: 1 after its first put.
   */
  'version'?: (number | string | Long);
  /**
   * The store revision the value was read at.
   */
  'revision'?: (number | string | Long);
  /**
   * TTL and leases: the key's deadline, Unix ms (0: none; a leased key: its lease's deadline).
   */
  'expires_at_ms'?: (number | string | Long);
  /**
   * TTL and leases: the lease the key is attached to (PutRequest.lease; 0: none, also for a
   * key with a TTL of its own). Lease/TimeToLive tells the lease's TTL and keys.
   */
  'lease'?: (number | string | Long);
}

/**
 * The value stored under the requested key.
 */
export interface GetResponse__Output {
  /**
   * The value exactly as it was written (may be empty). A missing key is NOT_FOUND, never "".
   */
  'value': (string);
  /**
   * Revision of the write that created the key's current generation.
   */
  'create_revision': (string);
  /**
   * Revision of the key's last write: what a conditional write's expected_mod_revision names.
   * In a transaction's results, 0 means the key was absent.
   */
  'mod_revision': (string);
  /**
   * Writes since the key was created: 1 after its first put.
   */
  'version': (string);
  /**
   * The store revision the value was read at.
   */
  'revision': (string);
  /**
   * TTL and leases: the key's deadline, Unix ms (0: none; a leased key: its lease's deadline).
   */
  'expires_at_ms': (string);
  /**
   * TTL and leases: the lease the key is attached to (PutRequest.lease; 0: none, also for a
   * key with a TTL of its own). Lease/TimeToLive tells the lease's TTL and keys.
   */
  'lease': (string);
}
