import type { Pool, PoolClient } from 'pg';
import type { CompactionSizes } from '../compaction/compaction-runner';
import type { Logger } from '../../platform/logging/logger';
import { PostgresLogStatements } from './postgres-log-statements';

/** Rows one DELETE statement looks at (and at most removes): short statements, short locks, small WAL bursts. */
export const DEFAULT_COMPACTION_BATCH_ROWS = 5000;

/**
 * Session advisory lock key class for compaction (the second key is the table's hash): one
 * compaction per table at a time across every kvs process on the database.
 */
const COMPACTION_LOCK_CLASS = 0x6b7663; // "kvc"

/**
 * Keeps every compaction of `table`, from any process, from running until the returned
 * function is called: holds the compaction lock shared on a session of its own (waiting for a
 * running compaction to end; one that would start meanwhile finds the lock taken and skips).
 * A whole read of a shared table (a replica's replay, or its rebase once its position was
 * compacted away) needs it: a compaction deletes a key's rows one statement at a time, and a
 * read between two of them could see a put and miss the delete that superseded it.
 */
export async function pauseCompaction(pool: Pool, table: string): Promise<() => Promise<void>> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock_shared($1, hashtext($2))`, [COMPACTION_LOCK_CLASS, table]);
  } catch (error) {
    client.release(true);
    throw error;
  }
  return async () => {
    try {
      await client.query(`SELECT pg_advisory_unlock_shared($1, hashtext($2))`, [COMPACTION_LOCK_CLASS, table]);
      client.release();
    } catch {
      // A session that may still hold the lock must not go back to the pool: ending it releases the lock.
      client.release(true);
    }
  };
}

/** Where a compaction may work and how it reports. */
export interface PostgresCompactionJob {
  readonly pool: Pool;
  /** Quoted table name, as spliced into SQL (the config admits plain identifiers only). */
  readonly table: string;
  /**
   * The highest acknowledged revision when the compaction starts. Rows above it are left alone
   * and never count as superseding: a batch whose outcome is not settled yet (see the logger's
   * settle-or-unknown rule) is not acknowledged, so only acknowledged rows may make older rows obsolete.
   */
  readonly upTo: number;
  readonly batchRows: number;
  /** Bytes of keys and values in the table before. */
  readonly bytesBefore: number;
  readonly logger: Logger;
}

/**
 * Marks the rows up to `upTo` as compacted (replay tells them from the whole records after
 * them), then deletes superseded rows: every row (up to `upTo`) whose key has a later row (up to `upTo`),
 * and every delete row (below `upTo`: the rows at `upTo` hold the revision the table stands at,
 * so a restart continues above it) once no older row of its key remains. A put row keeps its
 * key's create_revision and version, so replay restores them. It walks the table in revision
 * order, `batchRows` rows per statement, each its own short transaction, so it never holds a
 * lock for long or builds a huge transaction, and appends go on meanwhile. A session advisory
 * lock keeps concurrent compactions of one table (several processes) from overlapping; when
 * another holds it, this one does nothing.
 */
export async function compactPostgresLog(
  job: PostgresCompactionJob,
): Promise<CompactionSizes & { removedRows: number }> {
  const client = await job.pool.connect();
  let healthy = true;
  try {
    const locked = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [
      COMPACTION_LOCK_CLASS,
      job.table,
    ]);
    if (!locked.rows[0].locked) {
      job.logger.info(
        { event: 'compaction_skipped' },
        `postgres log: another process is compacting or reading the whole of table ${job.table}; compaction skipped`,
      );
      return { bytesBefore: job.bytesBefore, bytesAfter: job.bytesBefore, liveBytes: job.bytesBefore, removedRows: 0 };
    }
    try {
      // Marked first: a compaction cut short has thinned records up to the marker at most.
      await new PostgresLogStatements(job.pool, job.table).markCompacted(client, job.upTo);
      return await deleteSuperseded(client, job);
    } finally {
      await client.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [COMPACTION_LOCK_CLASS, job.table]);
    }
  } catch (error) {
    healthy = false;
    throw error;
  } finally {
    // A session whose state is unknown (it may still hold the lock) must not go back to the pool.
    client.release(!healthy);
  }
}

async function deleteSuperseded(
  client: PoolClient,
  job: PostgresCompactionJob,
): Promise<CompactionSizes & { removedRows: number }> {
  const t = job.table;
  let after = 0;
  let removedRows = 0;
  let removedBytes = 0;
  while (after < job.upTo) {
    // One statement per window of batchRows rows: its upper bound by an index-only walk of the
    // (revision, sequence) index, then the window's superseded rows found by probes of the
    // (key, revision) index. Windows hold whole revisions.
    // A delete row goes once no older row of its key remains: the older rows of earlier windows
    // are gone already (each is superseded by the delete), those of this window go with it in
    // this statement's transaction, so the guard only looks before the window.
    const result = await client.query<{ upper: string; rows: string; bytes: string }>(
      `WITH bound AS (
         SELECT coalesce(
           (SELECT revision FROM ${t} WHERE revision > $1 AND revision <= $2 ORDER BY revision, sequence OFFSET $3 - 1 LIMIT 1),
           $2) AS upper
       ), doomed AS (
         SELECT a.sequence FROM ${t} a, bound
         WHERE a.revision > $1 AND a.revision <= bound.upper
           AND (EXISTS (SELECT 1 FROM ${t} b WHERE b.key = a.key AND b.revision > a.revision AND b.revision <= $2)
                OR (a.event_type = 'delete' AND a.revision < $2
                    AND NOT EXISTS (SELECT 1 FROM ${t} c WHERE c.key = a.key AND c.revision <= $1)))
       ), gone AS (
         DELETE FROM ${t} WHERE sequence IN (SELECT sequence FROM doomed)
         RETURNING octet_length(key) + coalesce(octet_length(value), 0) AS bytes
       )
       SELECT (SELECT upper FROM bound) AS upper, count(*) AS rows, coalesce(sum(bytes), 0) AS bytes FROM gone`,
      [after, job.upTo, job.batchRows],
    );
    const { upper, rows, bytes } = result.rows[0];
    after = Number(upper);
    removedRows += Number(rows);
    removedBytes += Number(bytes);
  }
  const bytesAfter = job.bytesBefore - removedBytes;
  return { bytesBefore: job.bytesBefore, bytesAfter, liveBytes: bytesAfter, removedRows };
}
