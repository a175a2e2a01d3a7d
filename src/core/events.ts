/** The kind of change one write makes to a key. */
export type EventType = 'put' | 'delete';

/** A put as the log records it: the value and the key's revisions after the write. */
export interface PutWrite {
  readonly type: 'put';
  readonly key: string;
  readonly value: string;
  /** Revision of the write that created the key's current generation (this one's, for a new key). */
  readonly createRevision: number;
  /** Writes since the key was created, this one included. */
  readonly version: number;
  /** The deadline (Unix ms) this generation carries, when it was written with a TTL. */
  readonly expiresAt?: number;
  /** The lease this generation is attached to, when it was written with one. */
  readonly lease?: number;
}

/** A delete as the log records it. */
export interface DeleteWrite {
  readonly type: 'delete';
  readonly key: string;
}

/** One key's change within a record. */
export type KeyWrite = PutWrite | DeleteWrite;

/**
 * A lease's change within a record: granted (with the TTL each keepalive renews), kept alive
 * to a new deadline, or revoked (in the same record as the deletes of every key attached to it).
 * Keepalives are records only in a log other writers share (KVS_REPLICAS=shared), so that every
 * replica renews the lease in log order; a log with one writer never gets one (they renew the
 * deadline in memory only) and refuses it.
 */
export type LeaseWrite =
  | { readonly type: 'grant'; readonly id: number; readonly ttlMs: number }
  | LeaseKeepAlive
  | { readonly type: 'revoke'; readonly id: number };

/**
 * A shared log's keepalive: the lease's new deadline (Unix ms, the shared storage's clock),
 * with its TTL, so a compaction that keeps only a lease's last row still holds the lease.
 */
export interface LeaseKeepAlive {
  readonly type: 'keepalive';
  readonly id: number;
  readonly ttlMs: number;
  readonly deadline: number;
}

/**
 * One record of the transaction log: every write of one store revision. A put, a delete, a
 * delete of a range and a transaction are each one record, so they are durable (and replayed)
 * all or nothing. The key's mod_revision is the record's revision.
 */
export interface LogRecord {
  readonly revision: number;
  readonly writes: readonly KeyWrite[];
  /** The lease changes of the revision, applied after its key writes; absent when none. */
  readonly leases?: readonly LeaseWrite[];
}

/**
 * A put as replay gives it back. Logs written before revisions existed (file log format 1,
 * the PostgreSQL table before its migration) do not hold createRevision and version: the
 * store derives them, as it would have when the write was made.
 */
export type ReplayedPut = Omit<PutWrite, 'createRevision' | 'version'> &
  Partial<Pick<PutWrite, 'createRevision' | 'version'>>;

/** A record as replay gives it back (see ReplayedPut). */
export interface ReplayedRecord {
  readonly revision: number;
  readonly writes: readonly (ReplayedPut | DeleteWrite)[];
  readonly leases?: readonly LeaseWrite[];
  /**
   * true for a record that restates compacted state rather than a change as it was made (a
   * base file's records, rows a compaction has thinned, a restored snapshot): replay applies
   * it, but it may lack writes its revision made, so it is never served as a change. Absent
   * for the incremental records appended since, which replay gives back whole.
   */
  readonly base?: true;
  /**
   * A hint a log may give (the file log does; the PostgreSQL log, which pages by revision,
   * does not): at most the bytes the watch history would count for the key writes of every
   * record the log holds after this one, each write as writeEventBytes of its key and value.
   * When that alone exceeds the history's budget, this record would be dropped from it again,
   * so replay builds no change events for it (ReplayObserver.keepsBytes). Overstating it
   * loses revisions a watch could have started from: a log that cannot bound it leaves it out.
   */
  readonly changeBytesAfter?: number;
}
