// Original file: proto/keyvalue.proto


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
}
