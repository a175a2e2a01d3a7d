// Original file: proto/keyvalue.proto


/**
 * The value stored under the requested key.
 */
export interface GetResponse {
  /**
   * The value exactly as it was written (may be empty). A missing key is NOT_FOUND, never "".
   */
  'value'?: (string);
}

/**
 * The value stored under the requested key.
 */
export interface GetResponse__Output {
  /**
   * The value exactly as it was written (may be empty). A missing key is NOT_FOUND, never "".
   */
  'value': (string);
}
