import type { Pool } from 'pg';

/**
 * Advisory lock key that serialises schema creation across every kvs instance on the database.
 * CREATE TABLE IF NOT EXISTS alone is not safe when two sessions run it at once: both can pass
 * the existence check, and the loser fails with a unique violation on the system catalog.
 */
const SCHEMA_LOCK_KEY = 0x6b7673; // "kvs"

/**
 * The log table. Keys and values are bytea holding UTF-8, because PostgreSQL text cannot hold
 * U+0000 and kvs keys and values may contain it. `sequence` comes from the database; values
 * only ever increase, with gaps where a transaction rolled back.
 */
export function logTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  sequence   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type text   NOT NULL CHECK (event_type IN ('put', 'delete')),
  key        bytea  NOT NULL,
  value      bytea  CHECK ((event_type = 'put') = (value IS NOT NULL))
)`;
}

/**
 * The index compaction needs to find, for a row, a later row of the same key with one probe.
 * Replay and appends never use it; it costs one index entry per row.
 */
export function keyIndexSql(table: string): string {
  return `CREATE INDEX IF NOT EXISTS ${keyIndexName(table)} ON ${table} (key, sequence)`;
}

function keyIndexName(table: string): string {
  return `"${table.replace(/"/g, '')}_key_sequence"`;
}

/** Creates the log table and its key index unless they exist, holding a transaction-scoped advisory lock so concurrent start-ups take turns. */
export async function ensureLogTable(pool: Pool, table: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query(logTableSql(table));
    // Only when missing: CREATE INDEX needs the table's owner, and a table created beforehand
    // by an administrator (with the index) must work for a user with SELECT, INSERT, DELETE.
    const index = await client.query<{ missing: boolean }>('SELECT to_regclass($1) IS NULL AS missing', [
      keyIndexName(table),
    ]);
    if (index.rows[0].missing) await client.query(keyIndexSql(table));
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    // A connection in an unknown transaction state must not go back to the pool.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}
