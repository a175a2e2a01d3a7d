import { extrasOf, type KeyEntry, type LogRecord, type StoreView } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import type { PostgresLogConfig } from './postgres-log.config';
import { PostgresLogStatements } from './postgres-log-statements';
import { createPool, waitForDatabase } from './postgres-pool';
import { ensureLogTable } from './postgres-schema';
import { PostgresTableLock } from './postgres-table-lock';

/** Rows per INSERT, as the logger's own batches. */
const BATCH_ROWS = 1000;

/** The restore found a table that holds rows and was not told to replace them. */
export class PostgresTableNotEmptyError extends Error {
  constructor(table: string) {
    super(`postgres log: table ${table} already holds data; restore replaces it only with --force`);
    this.name = 'PostgresTableNotEmptyError';
  }
}

/**
 * Writes `view` as the whole log table, in the shape a compaction leaves it
 * (postgres-compaction.ts): one put row per live key at its mod_revision with its
 * create_revision and version, and, when no key was last written at the view's revision, one
 * delete row of the empty key (which no write can name) at that revision, so that replay ends
 * there and new writes continue above it, and a compaction marker at that revision. It all happens in one transaction, holding the
 * table's lock as a running instance does (so a running service makes it fail first): a crash
 * or failure leaves the table as it was; with `force`, the old rows go in that same transaction.
 */
export async function restorePostgresLog(
  config: PostgresLogConfig,
  view: StoreView,
  { force, logger }: { readonly force: boolean; readonly logger: Logger },
): Promise<{ rows: number }> {
  const table = `"${config.table}"`;
  const pool = createPool(config, logger, {
    max: 1,
    statementTimeoutMs: config.statementTimeoutMs,
    queryTimeoutMs: config.statementTimeoutMs + 1000,
    applicationName: 'kvs restore',
  });
  const lock = new PostgresTableLock(config, logger);
  try {
    await waitForDatabase(pool, config, logger);
    await lock.acquire();
    await ensureLogTable(pool, table);
    const client = await pool.connect();
    let healthy = false;
    try {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
      // A marker at revision 0 alone is a table kvs found empty (postgres-log-statements.ts).
      const found = await client.query<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${table} WHERE revision > 0) AS found`,
      );
      if (found.rows[0].found) {
        if (!force) throw new PostgresTableNotEmptyError(config.table);
        await client.query(`DELETE FROM ${table}`);
      }
      const statements = new PostgresLogStatements(pool, table);
      // Every row goes in unguarded: the table lock and this transaction keep everyone else out.
      const unguarded = Number.MAX_SAFE_INTEGER;
      let rows = 0;
      let last = 0;
      // The leases first, each a grant row at its grant's revision, as a compaction leaves them.
      let batch: LogRecord[] = [...view.leases()].map(({ id, ttlMs, revision }) => ({
        revision,
        writes: [],
        leases: [{ type: 'grant', id, ttlMs }],
      }));
      for (const entry of view.entries()) {
        batch.push(putRecordOf(entry));
        last = Math.max(last, entry.modRevision);
        if (batch.length < BATCH_ROWS) continue;
        await statements.insert(client, batch, unguarded);
        rows += batch.length;
        batch = [];
      }
      if (last < view.revision) batch.push({ revision: view.revision, writes: [{ type: 'delete', key: '' }] });
      if (batch.length > 0) await statements.insert(client, batch, unguarded);
      rows += batch.length;
      // Every row restates the snapshot's state: replay marks them base.
      await statements.markCompacted(client, view.revision);
      await client.query('COMMIT');
      healthy = true;
      return { rows };
    } finally {
      if (!healthy) await client.query('ROLLBACK').catch(() => undefined);
      client.release(!healthy);
    }
  } finally {
    await lock.release();
    await pool.end();
  }
}

/** The row of a live key: a put at its mod_revision carrying its create_revision, version, and deadline or lease. */
function putRecordOf({ key, value, createRevision, modRevision, version, expiresAt, lease }: KeyEntry): LogRecord {
  const extras = extrasOf(expiresAt, lease);
  return { revision: modRevision, writes: [{ type: 'put', key, value, createRevision, version, ...extras }] };
}
