import { TcpProxy } from './tcp-proxy';
import type { TestPostgres } from './test-postgres';

/** Takes the database away from kvs and brings it back. */
export interface PostgresOutage {
  /** The log environment for `table` (default: a fresh one), routed so that cut() reaches it. */
  env(table?: string): Record<string, string>;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Ends what the outage holds open (the proxy, for an external database). */
  close(): Promise<void>;
}

/**
 * An outage of the test's PostgreSQL: the embedded server really crashed (stopped without a
 * shutdown checkpoint) and started again on the same port; an external database, which a
 * test cannot stop, cut off behind a TCP proxy instead.
 */
export async function postgresOutage(postgres: TestPostgres): Promise<PostgresOutage> {
  const server = postgres.server;
  if (server) {
    return {
      env: (table) => postgres.logEnv(table),
      cut: () => server.stop('immediate'),
      restore: () => server.start(),
      close: () => Promise.resolve(),
    };
  }
  const tcp = await TcpProxy.start(postgres.connection.host, postgres.connection.port);
  return {
    env: (table) => ({ ...postgres.logEnv(table), TLOG_DB_HOST: '127.0.0.1', TLOG_DB_PORT: String(tcp.port) }),
    cut: () => tcp.cut(),
    restore: () => tcp.restore(),
    close: () => tcp.cut(),
  };
}
