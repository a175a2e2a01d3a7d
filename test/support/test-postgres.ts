import { randomBytes } from 'node:crypto';
import { Pool, type QueryResult } from 'pg';
import { EmbeddedPostgresServer, type PostgresConnection } from './embedded-postgres-server';

/**
 * The PostgreSQL a test file uses: the one named by TLOG_DB_HOST, TLOG_DB_PORT, TLOG_DB_DATABASE,
 * TLOG_DB_USERNAME and TLOG_DB_PASSWORD when TLOG_DB_HOST is set, else a throwaway embedded
 * server. Each log lives in a table of its own with a random name, dropped by close(), so test
 * files never see each other's rows, even on a shared external database.
 */
export class TestPostgres {
  private readonly tables = new Set<string>();

  private constructor(
    readonly connection: PostgresConnection,
    /** The embedded server, when this run started one (it can be stopped and restarted); undefined for an external database. */
    readonly server: EmbeddedPostgresServer | undefined,
    private readonly admin: Pool,
  ) {}

  /** Connects to the external database, or creates and starts an embedded one. */
  static async start(): Promise<TestPostgres> {
    const external = externalConnection();
    const server = external ? undefined : await EmbeddedPostgresServer.create();
    const connection = external ?? server!.connection;
    const admin = new Pool({ ...connection, max: 2 });
    admin.on('error', () => undefined); // idle connections break when a test stops the server
    return new TestPostgres(connection, server, admin);
  }

  /** A fresh, unused table name; close() drops it. */
  newTable(): string {
    const table = `kvs_test_${randomBytes(6).toString('hex')}`;
    this.tables.add(table);
    return table;
  }

  /**
   * The environment that points the service (or readPostgresLogConfig) at a fresh table here:
   * TLOG_TYPE=postgres plus every TLOG_DB_* variable. Use it for spawned kvs processes.
   */
  logEnv(table = this.newTable()): Record<string, string> {
    return {
      TLOG_TYPE: 'postgres',
      TLOG_DB_HOST: this.connection.host,
      TLOG_DB_PORT: String(this.connection.port),
      TLOG_DB_DATABASE: this.connection.database,
      TLOG_DB_USERNAME: this.connection.user,
      TLOG_DB_PASSWORD: this.connection.password,
      TLOG_DB_TABLE: table,
    };
  }

  /** Runs SQL as the test's own (administrative) user. */
  query<Row extends object = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<QueryResult<Row>> {
    return this.admin.query<Row>(sql, params);
  }

  /** Whether the table exists (such as the `<table>_rate_limits` a replica creates as it starts). */
  async tableExists(table: string): Promise<boolean> {
    const { rows } = await this.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
    return rows[0].found;
  }

  /** Drops every table handed out, then stops and deletes the embedded server if there is one. */
  async close(): Promise<void> {
    try {
      for (const table of this.tables) await this.admin.query(`DROP TABLE IF EXISTS "${table}"`);
    } finally {
      await this.admin.end();
      await this.server?.destroy();
    }
  }
}

function externalConnection(): PostgresConnection | undefined {
  const env = process.env;
  if (!env.TLOG_DB_HOST) return undefined;
  const missing = ['TLOG_DB_DATABASE', 'TLOG_DB_USERNAME'].filter((name) => !env[name]);
  if (missing.length > 0)
    throw new Error(`TLOG_DB_HOST is set, so the tests use that database, but ${missing.join(' and ')} is not set`);
  return {
    host: env.TLOG_DB_HOST,
    port: Number(env.TLOG_DB_PORT ?? 5432),
    database: env.TLOG_DB_DATABASE!,
    user: env.TLOG_DB_USERNAME!,
    password: env.TLOG_DB_PASSWORD ?? '',
  };
}
