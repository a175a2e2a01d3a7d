// Original file: proto/keyvalue.proto


/**
 * Which keys to delete. Name a prefix, a start/end range, or all, exactly one of them.
 */
export interface DeleteRangeRequest {
  /**
   * Every key starting with this (non-empty; every key is all = true).
   */
  'prefix'?: (string);
  /**
   * First key of a half-open range [start, end) ("": from the first key).
   */
  'start'?: (string);
  /**
   * End of the range (exclusive; "": no end).
   */
  'end'?: (string);
  /**
   * Delete every key: required for the empty selector, so that a forgotten prefix deletes nothing.
   */
  'all'?: (boolean);
}

/**
 * Which keys to delete. Name a prefix, a start/end range, or all, exactly one of them.
 */
export interface DeleteRangeRequest__Output {
  /**
   * Every key starting with this (non-empty; every key is all = true).
   */
  'prefix': (string);
  /**
   * First key of a half-open range [start, end) ("": from the first key).
   */
  'start': (string);
  /**
   * End of the range (exclusive; "": no end).
   */
  'end': (string);
  /**
   * Delete every key: required for the empty selector, so that a forgotten prefix deletes nothing.
   */
  'all': (boolean);
}
