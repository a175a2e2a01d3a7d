// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The renewed lease.
 */
export interface LeaseKeepAliveResponse {
  /**
   * The lease id.
   */
  'id'?: (number | string | Long);
  /**
   * Its TTL: the lease now lives this long from the renewal.
   */
  'ttl_ms'?: (number | string | Long);
}

/**
 * The renewed lease.
 */
export interface LeaseKeepAliveResponse__Output {
  /**
   * The lease id.
   */
  'id': (string);
  /**
   * Its TTL: the lease now lives this long from the renewal.
   */
  'ttl_ms': (string);
}
