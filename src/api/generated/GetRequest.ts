// Original file: proto/keyvalue.proto


/**
 * Asks for the value stored under a key.
 */
export interface GetRequest {
  /**
   * The key to read: non-empty UTF-8, at most the key limit in bytes.
   */
  'key'?: (string);
}

/**
 * Asks for the value stored under a key.
 */
export interface GetRequest__Output {
  /**
   * The key to read: non-empty UTF-8, at most the key limit in bytes.
   */
  'key': (string);
}
