// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks for a lease.
 */
export interface LeaseGrantRequest {
  /**
   * Its TTL in ms: each keepalive renews the lease for this long.
   */
  'ttl_ms'?: (number | string | Long);
}

/**
 * Asks for a lease.
 */
export interface LeaseGrantRequest__Output {
  /**
   * Its TTL in ms: each keepalive renews the lease for this long.
   */
  'ttl_ms': (string);
}
