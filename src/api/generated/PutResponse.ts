// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Returned once the write is durable in the transaction log; repeating a plain Put is harmless.
 */
export interface PutResponse {
  /**
   * The write's revision: the key's new mod_revision and the store revision.
   */
  'revision'?: (number | string | Long);
}

/**
 * Returned once the write is durable in the transaction log; repeating a plain Put is harmless.
 */
export interface PutResponse__Output {
  /**
   * The write's revision: the key's new mod_revision and the store revision.
   */
  'revision': (string);
}
