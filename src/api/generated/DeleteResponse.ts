// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Returned once the deletion is durable; deleting an absent key also succeeds.
 */
export interface DeleteResponse {
  /**
   * The deletion's revision; the unchanged store revision when the key was absent.
   */
  'revision'?: (number | string | Long);
  /**
   * Whether the key was live (and is now deleted).
   */
  'deleted'?: (boolean);
}

/**
 * Returned once the deletion is durable; deleting an absent key also succeeds.
 */
export interface DeleteResponse__Output {
  /**
   * The deletion's revision; the unchanged store revision when the key was absent.
   */
  'revision': (string);
  /**
   * Whether the key was live (and is now deleted).
   */
  'deleted': (boolean);
}
