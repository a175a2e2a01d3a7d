// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks to remove a key.
 */
export interface DeleteRequest {
  /**
   * The key to remove: non-empty UTF-8, at most the key limit in bytes.
   */
  'key'?: (string);
  /**
   * When set, delete only if the key's current mod_revision is this (0: only if it is absent,
   * which deletes nothing); otherwise FAILED_PRECONDITION. Not in a Txn's ops.
   */
  'expected_mod_revision'?: (number | string | Long);
  /**
   * Delete only if the key is live; otherwise FAILED_PRECONDITION.
   */
  'require_exists'?: (boolean);
  '_expected_mod_revision'?: "expected_mod_revision";
}

/**
 * Asks to remove a key.
 */
export interface DeleteRequest__Output {
  /**
   * The key to remove: non-empty UTF-8, at most the key limit in bytes.
   */
  'key': (string);
  /**
   * When set, delete only if the key's current mod_revision is this (0: only if it is absent,
   * which deletes nothing); otherwise FAILED_PRECONDITION. Not in a Txn's ops.
   */
  'expected_mod_revision'?: (string);
  /**
   * Delete only if the key is live; otherwise FAILED_PRECONDITION.
   */
  'require_exists': (boolean);
  '_expected_mod_revision'?: "expected_mod_revision";
}
