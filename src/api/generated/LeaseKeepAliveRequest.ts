// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Renews a lease.
 */
export interface LeaseKeepAliveRequest {
  'id'?: (number | string | Long);
}

/**
 * Renews a lease.
 */
export interface LeaseKeepAliveRequest__Output {
  'id': (string);
}
