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
   * TTL and leases: the new generation expires this many ms from now (0: never; at most
   * KVS_MAX_TTL, else INVALID_ARGUMENT). A put without it clears any TTL.
   */
  'ttl_ms'?: (number | string | Long);
  /**
   * TTL and leases: attach the key to this lease (Lease/Grant); it is deleted when the lease
   * ends. NOT_FOUND (LEASE_NOT_FOUND) unless the lease is alive; not together with ttl_ms.
   */
  'lease'?: (number | string | Long);
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
   * TTL and leases: the new generation expires this many ms from now (0: never; at most
   * KVS_MAX_TTL, else INVALID_ARGUMENT). A put without it clears any TTL.
   */
  'ttl_ms': (string);
  /**
   * TTL and leases: attach the key to this lease (Lease/Grant); it is deleted when the lease
   * ends. NOT_FOUND (LEASE_NOT_FOUND) unless the lease is alive; not together with ttl_ms.
   */
  'lease': (string);
}
