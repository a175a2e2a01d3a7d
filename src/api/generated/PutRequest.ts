// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks to store a value under a key, replacing any previous value.
 */
export interface PutRequest {
  /**
   * The key to write: non-empty UTF-8, at most the key limit in bytes.
   */
  'key'?: (string);
  /**
   * The value to store: UTF-8 text (may be empty), at most the value limit in bytes.
   */
  'value'?: (string);
  /**
   * When set, write only if the key's current mod_revision is this; 0: only if the key is
   * absent (create). Otherwise FAILED_PRECONDITION and nothing changes. Not in a Txn's ops
   * (use a Compare there).
   */
  'expected_mod_revision'?: (number | string | Long);
  /**
   * TTL and leases: the new generation expires this many ms from now (0: never; at most
   * KVS_MAX_TTL, else INVALID_ARGUMENT). A put without it clears any TTL.
   */
  'ttl_ms'?: (number | string | Long);
  /**
   * Write only if the key is live (REST's If-Match: *); otherwise FAILED_PRECONDITION.
   */
  'require_exists'?: (boolean);
  /**
   * TTL and leases: attach the key to this lease (Lease/Grant); it is deleted when the lease
   * ends. NOT_FOUND (LEASE_NOT_FOUND) unless the lease is alive; not together with ttl_ms.
   */
  'lease'?: (number | string | Long);
  '_expected_mod_revision'?: "expected_mod_revision";
}

/**
 * Asks to store a value under a key, replacing any previous value.
 */
export interface PutRequest__Output {
  /**
   * The key to write: non-empty UTF-8, at most the key limit in bytes.
   */
  'key': (string);
  /**
   * The value to store: UTF-8 text (may be empty), at most the value limit in bytes.
   */
  'value': (string);
  /**
   * When set, write only if the key's current mod_revision is this; 0: only if the key is
   * absent (create). Otherwise FAILED_PRECONDITION and nothing changes. Not in a Txn's ops
   * (use a Compare there).
   */
  'expected_mod_revision'?: (string);
  /**
   * TTL and leases: the new generation expires this many ms from now (0: never; at most
   * KVS_MAX_TTL, else INVALID_ARGUMENT). A put without it clears any TTL.
   */
  'ttl_ms': (string);
  /**
   * Write only if the key is live (REST's If-Match: *); otherwise FAILED_PRECONDITION.
   */
  'require_exists': (boolean);
  /**
   * TTL and leases: attach the key to this lease (Lease/Grant); it is deleted when the lease
   * ends. NOT_FOUND (LEASE_NOT_FOUND) unless the lease is alive; not together with ttl_ms.
   */
  'lease': (string);
  '_expected_mod_revision'?: "expected_mod_revision";
}
