// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * How a lease stands.
 */
export interface LeaseTimeToLiveResponse {
  /**
   * The lease id.
   */
  'id'?: (number | string | Long);
  /**
   * The TTL it was granted with.
   */
  'ttl_ms'?: (number | string | Long);
  /**
   * Ms left before it expires unless renewed.
   */
  'remaining_ms'?: (number | string | Long);
  /**
   * The keys attached to it.
   */
  'keys'?: (string)[];
}

/**
 * How a lease stands.
 */
export interface LeaseTimeToLiveResponse__Output {
  /**
   * The lease id.
   */
  'id': (string);
  /**
   * The TTL it was granted with.
   */
  'ttl_ms': (string);
  /**
   * Ms left before it expires unless renewed.
   */
  'remaining_ms': (string);
  /**
   * The keys attached to it.
   */
  'keys': (string)[];
}
