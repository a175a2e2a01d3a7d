// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Which keys to read, and how much of them. Name a prefix, or a start/end range, not both.
 */
export interface RangeRequest {
  /**
   * Every key starting with this; "" (with no start/end): every key.
   */
  'prefix'?: (string);
  /**
   * Resume after this key: the previous page's next_start_after ("": from the beginning).
   */
  'start_after'?: (string);
  /**
   * Entries per page, 1..1000; 0: 100.
   */
  'limit'?: (number);
  /**
   * Leave the values out (entries carry "" as value).
   */
  'keys_only'?: (boolean);
  /**
   * First key of a half-open range [start, end) in UTF-8 byte order ("": from the first key).
   */
  'start'?: (string);
  /**
   * End of the range (exclusive; "": no end).
   */
  'end'?: (string);
  /**
   * ---- Read consistency (scale-out, issue 21; docs/scale-out.md) ----
   * Answer from a state at least this recent (as GetRequest.min_revision); 0: whatever this replica has.
   */
  'min_revision'?: (number | string | Long);
  /**
   * Answer once this replica has applied the head revision it confirmed (as GetRequest.linearizable).
   */
  'linearizable'?: (boolean);
}

/**
 * Which keys to read, and how much of them. Name a prefix, or a start/end range, not both.
 */
export interface RangeRequest__Output {
  /**
   * Every key starting with this; "" (with no start/end): every key.
   */
  'prefix': (string);
  /**
   * Resume after this key: the previous page's next_start_after ("": from the beginning).
   */
  'start_after': (string);
  /**
   * Entries per page, 1..1000; 0: 100.
   */
  'limit': (number);
  /**
   * Leave the values out (entries carry "" as value).
   */
  'keys_only': (boolean);
  /**
   * First key of a half-open range [start, end) in UTF-8 byte order ("": from the first key).
   */
  'start': (string);
  /**
   * End of the range (exclusive; "": no end).
   */
  'end': (string);
  /**
   * ---- Read consistency (scale-out, issue 21; docs/scale-out.md) ----
   * Answer from a state at least this recent (as GetRequest.min_revision); 0: whatever this replica has.
   */
  'min_revision': (string);
  /**
   * Answer once this replica has applied the head revision it confirmed (as GetRequest.linearizable).
   */
  'linearizable': (boolean);
}
