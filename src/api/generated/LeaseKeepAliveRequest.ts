// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Renews a lease.
 */
export interface LeaseKeepAliveRequest {
  /**
   * The lease id.
   */
  'id'?: (number | string | Long);
}

/**
 * Renews a lease.
 */
export interface LeaseKeepAliveRequest__Output {
  /**
   * The lease id.
   */
  'id': (string);
}
