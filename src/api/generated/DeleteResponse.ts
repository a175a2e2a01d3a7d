// Original file: proto/keyvalue.proto


/**
 * Returned once the deletion is durable; deleting an absent key also succeeds.
 */
export interface DeleteResponse {
}

/**
 * Returned once the deletion is durable; deleting an absent key also succeeds.
 */
export interface DeleteResponse__Output {
}
