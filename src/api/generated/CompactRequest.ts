// Original file: proto/kvs_admin.proto


/**
 * Asks the server to compact its transaction log now.
 */
export interface CompactRequest {
}

/**
 * Asks the server to compact its transaction log now.
 */
export interface CompactRequest__Output {
}
