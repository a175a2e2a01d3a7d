// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks to store a value under a key, replacing any previous value.
 */
export interface PutRequest {
  /**
   * The key to write: non-empty UTF-8, at most the key limit in bytes.
   */
  'key'?: (string);
  /**
   * The value to store: UTF-8 text (may be empty), at most the value limit in bytes.
   */
  'value'?: (string);
  /**
   * When set, write only if the key's current mod_revision is this; 0: only if the key is
   * absent (create). Otherwise FAILED_PRECONDITION and nothing changes. Not in a Txn's ops
   * (use a Compare there).
   */
  'expected_mod_revision'?: (number | string | Long);
  /**
   * Write only if the key is live (REST's If-Match: *); otherwise FAILED_PRECONDITION.
   */
  'require_exists'?: (boolean);
  '_expected_mod_revision'?: "expected_mod_revision";
}

/**
 * Asks to store a value under a key, replacing any previous value.
 */
export interface PutRequest__Output {
  /**
   * The key to write: non-empty UTF-8, at most the key limit in bytes.
   */
  'key': (string);
  /**
   * The value to store: UTF-8 text (may be empty), at most the value limit in bytes.
   */
  'value': (string);
  /**
   * When set, write only if the key's current mod_revision is this; 0: only if the key is
   * absent (create). Otherwise FAILED_PRECONDITION and nothing changes. Not in a Txn's ops
   * (use a Compare there).
   */
  'expected_mod_revision'?: (string);
  /**
   * Write only if the key is live (REST's If-Match: *); otherwise FAILED_PRECONDITION.
   */
  'require_exists': (boolean);
  '_expected_mod_revision'?: "expected_mod_revision";
}
