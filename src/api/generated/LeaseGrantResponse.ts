// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A granted lease.
 */
export interface LeaseGrantResponse {
  /**
   * The lease id (random, below 2^53): name it in PutRequest.lease.
   */
  'id'?: (number | string | Long);
  /**
   * Its TTL in ms.
   */
  'ttl_ms'?: (number | string | Long);
  /**
   * The revision of the grant's log record.
   */
  'revision'?: (number | string | Long);
}

/**
 * A granted lease.
 */
export interface LeaseGrantResponse__Output {
  /**
   * The lease id (random, below 2^53): name it in PutRequest.lease.
   */
  'id': (string);
  /**
   * Its TTL in ms.
   */
  'ttl_ms': (string);
  /**
   * The revision of the grant's log record.
   */
  'revision': (string);
}
