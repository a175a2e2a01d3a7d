// Original file: proto/keyvalue.proto


/**
 * Returned once the write is durable in the transaction log; repeating a Put is harmless.
 */
export interface PutResponse {
}

/**
 * Returned once the write is durable in the transaction log; repeating a Put is harmless.
 */
export interface PutResponse__Output {
}
