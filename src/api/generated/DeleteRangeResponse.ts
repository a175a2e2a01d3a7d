// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What a delete of a range did.
 */
export interface DeleteRangeResponse {
  /**
   * The deletion's revision; the unchanged store revision when nothing matched.
   */
  'revision'?: (number | string | Long);
  /**
   * How many keys were deleted.
   */
  'deleted'?: (number | string | Long);
}

/**
 * What a delete of a range did.
 */
export interface DeleteRangeResponse__Output {
  /**
   * The deletion's revision; the unchanged store revision when nothing matched.
   */
  'revision': (string);
  /**
   * How many keys were deleted.
   */
  'deleted': (string);
}
