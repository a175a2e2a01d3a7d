import { randomBytes } from 'node:crypto';
import { KeyValueStore, type KeyEntry } from '../../../src/core';
import {
  logTableSql,
  migrationSql,
  SchemaMigrationNeededError,
} from '../../../src/driven/postgres-log/postgres-schema';
import { usePostgresLoggers } from '../../support/postgres-loggers';

const fixture = usePostgresLoggers();

/** Creates `table` with the first kvs schema (no revisions) and the history a first-release kvs wrote, sequence gaps included. */
async function firstSchemaTable(table: string): Promise<void> {
  await fixture.postgres.query(`CREATE TABLE "${table}" (
    sequence   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type text   NOT NULL CHECK (event_type IN ('put', 'delete')),
    key        bytea  NOT NULL,
    value      bytea  CHECK ((event_type = 'put') = (value IS NOT NULL)))`);
  await fixture.postgres.query(`CREATE INDEX "${table}_key_sequence" ON "${table}" (key, sequence)`);
  const rows: [string, string, string | null][] = [
    ['put', 'a', '1'],
    ['put', 'gap', 'rolled back'],
    ['put', 'a', '2'],
    ['put', 'b', 'x'],
    ['delete', 'b', null],
    ['put', 'b', 'y'],
  ];
  for (const [type, key, value] of rows) {
    await fixture.postgres.query(
      `INSERT INTO "${table}" (event_type, key, value) VALUES ($1, convert_to($2, 'UTF8'), convert_to($3, 'UTF8'))`,
      [type, key, value],
    );
  }
  // A rolled-back insert leaves a gap in the identity column: revisions must not have one.
  await fixture.postgres.query(`DELETE FROM "${table}" WHERE key = 'gap'`);
}

/** A store restored from the table; `close` ends its logger (one instance per table: it holds the table's lock). */
async function restore(env: Record<string, string>): Promise<KeyValueStore & { close(): Promise<void> }> {
  const log = fixture.open(env);
  const store = new KeyValueStore(log);
  await store.restore().catch(async (error: unknown) => {
    await log.close();
    throw error;
  });
  return Object.assign(store, { close: () => log.close() });
}

const MIGRATED: KeyEntry[] = [
  { key: 'a', value: '2', createRevision: 1, modRevision: 2, version: 2 },
  { key: 'b', value: 'y', createRevision: 5, modRevision: 5, version: 1 },
];

describe('PostgreSQL log schema migration', () => {
  it('migrates a table of the first schema that kvs owns, by itself: revisions in order, metadata from the history', async () => {
    const env = fixture.postgres.logEnv();
    await firstSchemaTable(env.TLOG_DB_TABLE);
    const store = await restore(env);
    expect(store.revision).toBe(5);
    expect(store.range({}).entries).toEqual(MIGRATED);
    await store.put('c', 'after');
    await store.compact();
    await store.close();

    const again = await restore(env);
    expect(again.revision).toBe(6);
    expect(again.range({}).entries).toEqual([
      ...MIGRATED,
      { key: 'c', value: 'after', createRevision: 6, modRevision: 6, version: 1 },
    ]);
  });

  it('adds the TTL and lease columns to a table with revisions but without them, keeping its rows', async () => {
    const env = fixture.postgres.logEnv();
    const table = env.TLOG_DB_TABLE;
    // The schema before TTLs: today's table without the two columns they added.
    await fixture.postgres.query(logTableSql(`"${table}"`));
    await fixture.postgres.query(`ALTER TABLE "${table}" DROP COLUMN expires_at, DROP COLUMN lease`);
    await fixture.postgres.query(
      `INSERT INTO "${table}" (revision, event_type, key, value, create_revision, version)
       VALUES (1, 'put', convert_to('a', 'UTF8'), convert_to('1', 'UTF8'), 1, 1)`,
    );
    const store = await restore(env);
    expect(store.range({}).entries).toEqual([{ key: 'a', value: '1', createRevision: 1, modRevision: 1, version: 1 }]);
    await store.put('t', 'v', undefined, { ttlMs: 3_600_000 });
    const deadline = store.getEntry('t').expiresAt;
    await store.close();
    const again = await restore(env);
    expect(again.getEntry('t').expiresAt).toBe(deadline);
    await again.close();
  });

  it('refuses to start on a first-schema table it does not own, printing the SQL that its owner can run', async () => {
    const env = fixture.postgres.logEnv();
    const table = env.TLOG_DB_TABLE;
    await firstSchemaTable(table);
    const role = `kvs_limited_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await fixture.postgres.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      await fixture.postgres.query(`GRANT SELECT, INSERT, DELETE ON "${table}" TO ${role}`);
      const limited = { ...env, TLOG_DB_USERNAME: role, TLOG_DB_PASSWORD: password };

      const refused = restore(limited);
      await expect(refused).rejects.toBeInstanceOf(SchemaMigrationNeededError);
      const message = await refused.then(
        () => '',
        (error: Error) => error.message,
      );
      expect(message).toContain(`table "${table}" has the first kvs schema`);
      const sql = message.slice(message.indexOf('BEGIN;'));
      expect(sql).toBe(
        ['BEGIN;', ...migrationSql(`"${table}"`).map((statement) => `${statement};`), 'COMMIT;'].join('\n'),
      );
      // Nothing changed on the refusal.
      const columns = await fixture.postgres.query(
        'SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = $1',
        [table],
      );
      expect(columns.rows[0]).toEqual({ n: 4 });

      // The owner runs exactly what was printed; then the limited role starts and writes.
      await fixture.postgres.query(sql);
      const store = await restore(limited);
      expect(store.range({}).entries).toEqual(MIGRATED);
      expect((await store.put('d', 'v')).revision).toBe(6);
    } finally {
      await fixture.postgres.query(`DROP TABLE IF EXISTS "${table}"`);
      await fixture.postgres.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});
