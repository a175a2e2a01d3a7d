import type { PostgresConnection } from '../../test/support/embedded-postgres-server';

/** The environment that points a benched service's PostgreSQL log at `table` of the embedded server. */
export function postgresLogEnv(connection: PostgresConnection, table: string): Record<string, string> {
  const { host, port, database, user, password } = connection;
  return {
    TLOG_TYPE: 'postgres',
    TLOG_DB_HOST: host,
    TLOG_DB_PORT: String(port),
    TLOG_DB_DATABASE: database,
    TLOG_DB_USERNAME: user,
    TLOG_DB_PASSWORD: password,
    TLOG_DB_TABLE: table,
  };
}
