// Original file: proto/keyvalue.proto


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
}
