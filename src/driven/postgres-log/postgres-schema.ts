import type { Pool, PoolClient } from 'pg';

/**
 * Advisory lock key that serialises schema creation across every kvs instance on the database.
 * CREATE TABLE IF NOT EXISTS alone is not safe when two sessions run it at once: both can pass
 * the existence check, and the loser fails with a unique violation on the system catalog.
 */
const SCHEMA_LOCK_KEY = 0x6b7673; // "kvs"

/**
 * The log table. Keys and values are bytea holding UTF-8, because PostgreSQL text cannot hold
 * U+0000 and kvs keys and values may contain it. `revision` is the store's revision, given by
 * kvs itself: an identity column has gaps where a transaction rolled back, and the revision
 * must not. A transaction's writes are rows of one revision, inserted by one statement, in
 * `sequence` order. A put's row holds the key's create_revision and version after it, and the
 * generation's deadline (`expires_at`, Unix ms) or lease when it has one. A lease grant is a
 * 'put' row and its revoke a 'delete' row of the lease's own key, which no client key can be
 * (postgres-log-statements.ts), so compaction treats them as it treats keys.
 */
export function logTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  sequence        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  revision        bigint NOT NULL,
  event_type      text   NOT NULL CHECK (event_type IN ('put', 'delete')),
  key             bytea  NOT NULL,
  value           bytea  CHECK ((event_type = 'put') = (value IS NOT NULL)),
  create_revision bigint,
  version         bigint,
  expires_at      bigint,
  lease           bigint
)`;
}

/** Replay reads the table in revision order, a page at a time. */
export function revisionIndexSql(table: string): string {
  return `CREATE INDEX IF NOT EXISTS ${indexName(table, 'revision')} ON ${table} (revision, sequence)`;
}

/**
 * The index compaction needs to find, for a row, a later row of the same key with one probe.
 * Replay and appends never use it; it costs one index entry per row.
 */
export function keyIndexSql(table: string): string {
  return `CREATE INDEX IF NOT EXISTS ${indexName(table, 'key_revision')} ON ${table} (key, revision)`;
}

function indexName(table: string, suffix: string): string {
  return `"${table.replace(/"/g, '')}_${suffix}"`;
}

/** The statement that adds the columns TTLs and leases need to a table that has revisions. */
export function expiryMigrationSql(table: string): string[] {
  return [`ALTER TABLE ${table} ADD COLUMN expires_at bigint, ADD COLUMN lease bigint`];
}

/**
 * The statements that bring a table of the first schema (rows numbered by `sequence` alone,
 * no revisions) to the current one, in one transaction: every row gets a revision, in
 * sequence order (1, 2, 3, ...), and every put the create_revision and version its key's
 * history up to it gives; the old (key, sequence) index makes way for (key, revision).
 */
export function migrationSql(table: string): string[] {
  return [
    `ALTER TABLE ${table} ADD COLUMN revision bigint, ADD COLUMN create_revision bigint, ADD COLUMN version bigint`,
    `UPDATE ${table} AS t SET revision = numbered.revision, create_revision = numbered.create_revision, version = numbered.version
FROM (
  SELECT sequence, revision,
    CASE WHEN event_type = 'put' THEN min(revision) FILTER (WHERE event_type = 'put') OVER generation END AS create_revision,
    CASE WHEN event_type = 'put' THEN count(*) FILTER (WHERE event_type = 'put') OVER (generation ORDER BY sequence) END AS version
  FROM (
    SELECT sequence, event_type, key, row_number() OVER (ORDER BY sequence) AS revision,
      count(*) FILTER (WHERE event_type = 'delete') OVER (PARTITION BY key ORDER BY sequence) AS deletes
    FROM ${table}
  ) AS counted
  WINDOW generation AS (PARTITION BY key, deletes)
) AS numbered
WHERE t.sequence = numbered.sequence`,
    `ALTER TABLE ${table} ALTER COLUMN revision SET NOT NULL`,
    `DROP INDEX IF EXISTS ${indexName(table, 'key_sequence')}`,
    revisionIndexSql(table),
    keyIndexSql(table),
    ...expiryMigrationSql(table),
  ];
}

/** kvs cannot change a table of an older schema it does not own; the owner must run the SQL. */
export class SchemaMigrationNeededError extends Error {
  constructor(table: string, schema: string, statements: readonly string[]) {
    super(
      `postgres log: table ${table} has ${schema} and this role does not own it, ` +
        'so kvs cannot migrate it; have its owner run, in one transaction:\n' +
        ['BEGIN;', ...statements.map((statement) => `${statement};`), 'COMMIT;'].join('\n'),
    );
  }
}

/** The migration a table of this shape needs, with the name of its schema; undefined when current. */
function migrationOf(table: string, shape: TableShape): { schema: string; statements: string[] } | undefined {
  if (!shape.hasRevision)
    return { schema: 'the first kvs schema (no revision column)', statements: migrationSql(table) };
  if (!shape.hasExpiry) {
    return { schema: 'the schema before TTLs (no expires_at column)', statements: expiryMigrationSql(table) };
  }
  return undefined;
}

/**
 * Creates the log table and its indexes unless they exist, and migrates a table of the first
 * schema when this role owns it (SchemaMigrationNeededError when it does not), holding a
 * transaction-scoped advisory lock so concurrent start-ups take turns.
 */
export async function ensureLogTable(pool: Pool, table: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    // Only when missing: even IF NOT EXISTS needs CREATE on the schema, which a role that
    // only uses a table an administrator made does not have.
    if (!(await exists(client, table))) await client.query(logTableSql(table));
    const shape = await tableShape(client, table);
    const migration = migrationOf(table, shape);
    if (migration) {
      if (!shape.owned) throw new SchemaMigrationNeededError(table, migration.schema, migration.statements);
      for (const statement of migration.statements) await client.query(statement);
    }
    // Only when missing: CREATE INDEX needs the table's owner, and a table created beforehand
    // by an administrator (with the indexes) must work for a user with SELECT, INSERT, DELETE.
    for (const [name, sql] of [
      [indexName(table, 'revision'), revisionIndexSql(table)],
      [indexName(table, 'key_revision'), keyIndexSql(table)],
    ]) {
      if (!(await exists(client, name))) await client.query(sql);
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    // A connection in an unknown transaction state must not go back to the pool.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

async function exists(client: PoolClient, relation: string): Promise<boolean> {
  const result = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [relation]);
  return result.rows[0].found;
}

/** Which of the schema's later columns a table has, and whether this role owns it. */
interface TableShape {
  readonly hasRevision: boolean;
  readonly hasExpiry: boolean;
  readonly owned: boolean;
}

async function tableShape(client: PoolClient, table: string): Promise<TableShape> {
  const result = await client.query<{ has_revision: boolean; has_expiry: boolean; owned: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = c.oid AND attname = 'revision' AND NOT attisdropped) AS has_revision,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = c.oid AND attname = 'expires_at' AND NOT attisdropped) AS has_expiry,
            pg_has_role(current_user, c.relowner, 'USAGE') AS owned
     FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table],
  );
  const row = result.rows[0];
  return { hasRevision: row.has_revision, hasExpiry: row.has_expiry, owned: row.owned };
}
