// Original file: proto/keyvalue.proto


/**
 * Asks to remove a key.
 */
export interface DeleteRequest {
  /**
   * The key to remove: non-empty UTF-8, at most the key limit in bytes.
   */
  'key'?: (string);
}

/**
 * Asks to remove a key.
 */
export interface DeleteRequest__Output {
  /**
   * The key to remove: non-empty UTF-8, at most the key limit in bytes.
   */
  'key': (string);
}
