// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What a watch follows and from where. Name exactly one of key, prefix, or start/end.
 */
export interface WatchRequest {
  /**
   * One key.
   */
  'key'?: (string);
  /**
   * Every key starting with this; the empty prefix alone means all keys.
   */
  'prefix'?: (string);
  /**
   * The first revision to deliver; 0: the changes after the current revision. To resume,
   * pass the revision after the last one received (or after the last heartbeat's).
   */
  'start_revision'?: (number | string | Long);
  /**
   * Also send each key's entry as it was before the change (WatchEvent.prev_entry).
   */
  'prev_value'?: (boolean);
  /**
   * First key of a half-open range [start, end) in UTF-8 byte order ("": from the first key).
   */
  'start'?: (string);
  /**
   * End of the range (exclusive; "": no end).
   */
  'end'?: (string);
}

/**
 * What a watch follows and from where. Name exactly one of key, prefix, or start/end.
 */
export interface WatchRequest__Output {
  /**
   * One key.
   */
  'key': (string);
  /**
   * Every key starting with this; the empty prefix alone means all keys.
   */
  'prefix': (string);
  /**
   * The first revision to deliver; 0: the changes after the current revision. To resume,
   * pass the revision after the last one received (or after the last heartbeat's).
   */
  'start_revision': (string);
  /**
   * Also send each key's entry as it was before the change (WatchEvent.prev_entry).
   */
  'prev_value': (boolean);
  /**
   * First key of a half-open range [start, end) in UTF-8 byte order ("": from the first key).
   */
  'start': (string);
  /**
   * End of the range (exclusive; "": no end).
   */
  'end': (string);
}
