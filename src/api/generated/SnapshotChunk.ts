// Original file: proto/kvs_admin.proto


/**
 * One piece of the snapshot's bytes: the pieces of a stream, concatenated in order, are the
 * snapshot file, in the format of docs/snapshot-format.md (versioned, checksummed). A piece
 * holds at most 1 MiB; piece boundaries mean nothing.
 */
export interface SnapshotChunk {
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * One piece of the snapshot's bytes: the pieces of a stream, concatenated in order, are the
 * snapshot file, in the format of docs/snapshot-format.md (versioned, checksummed). A piece
 * holds at most 1 MiB; piece boundaries mean nothing.
 */
export interface SnapshotChunk__Output {
  'data': (Buffer);
}
