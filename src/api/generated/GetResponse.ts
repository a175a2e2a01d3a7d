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
   * TTL and leases: the key's deadline, Unix ms (0: none; a leased key: its lease's deadline).
   */
  'expires_at_ms'?: (number | string | Long);
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
   * TTL and leases: the key's deadline, Unix ms (0: none; a leased key: its lease's deadline).
   */
  'expires_at_ms': (string);
}
