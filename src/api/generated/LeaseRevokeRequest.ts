// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks to revoke a lease.
 */
export interface LeaseRevokeRequest {
  /**
   * The lease id.
   */
  'id'?: (number | string | Long);
}

/**
 * Asks to revoke a lease.
 */
export interface LeaseRevokeRequest__Output {
  /**
   * The lease id.
   */
  'id': (string);
}
