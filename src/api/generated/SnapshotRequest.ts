// Original file: proto/kvs_admin.proto


/**
 * Asks for a consistent snapshot of the store (a backup; docs/snapshots.md).
 */
export interface SnapshotRequest {
}

/**
 * Asks for a consistent snapshot of the store (a backup; docs/snapshots.md).
 */
export interface SnapshotRequest__Output {
}
