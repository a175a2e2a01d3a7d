// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What a revoke did.
 */
export interface LeaseRevokeResponse {
  /**
   * The revision that deleted the lease's keys.
   */
  'revision'?: (number | string | Long);
  /**
   * How many keys it deleted.
   */
  'deleted'?: (number | string | Long);
}

/**
 * What a revoke did.
 */
export interface LeaseRevokeResponse__Output {
  /**
   * The revision that deleted the lease's keys.
   */
  'revision': (string);
  /**
   * How many keys it deleted.
   */
  'deleted': (string);
}
