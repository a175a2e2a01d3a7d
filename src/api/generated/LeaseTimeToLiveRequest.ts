// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks how a lease stands.
 */
export interface LeaseTimeToLiveRequest {
  /**
   * The lease id.
   */
  'id'?: (number | string | Long);
}

/**
 * Asks how a lease stands.
 */
export interface LeaseTimeToLiveRequest__Output {
  /**
   * The lease id.
   */
  'id': (string);
}
