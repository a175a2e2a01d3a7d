import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Pool, type ClientConfig } from 'pg';
import { describeError, errorCode } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';
import type { PostgresLogConfig } from './postgres-log.config';

/** First retry delay at start-up; each later one doubles, up to MAX_RETRY_DELAY_MS. */
const FIRST_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 8000;

/**
 * SQLSTATE classes that retrying cannot fix: bad credentials (28) and a database that does not
 * exist (3D000). Everything else, such as a refused connection or "the database system is
 * starting up", may be the database still coming up.
 */
function isPermanent(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (code.startsWith('28') || code === '3D000');
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `postgres log: cannot read the CA certificate file TLOG_DB_SSLROOTCERT=${path}: ${describeError(error)}`,
    );
  }
}

/** Node TLS options for libpq's sslmode values (see PostgresSslMode). */
function tlsOptions(config: PostgresLogConfig): false | ConnectionOptions {
  if (config.sslMode === 'disable') return false;
  if (config.sslMode === 'require') return { rejectUnauthorized: false };
  const ca = config.sslRootCertFile === undefined ? undefined : readCaFile(config.sslRootCertFile);
  if (config.sslMode === 'verify-ca') return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ca, rejectUnauthorized: true };
}

/** What distinguishes the logger's pools: their job, size, statement bound and name in pg_stat_activity. */
export interface PoolRole {
  /** Connections at most. */
  readonly max: number;
  /** Server-side bound of one statement (and of a lock wait, and of an idle transaction). */
  readonly statementTimeoutMs: number;
  /** Client-side bound of one query's reply; undefined when the caller bounds it itself. */
  readonly queryTimeoutMs: number | undefined;
  /** application_name, as pg_stat_activity shows it (at most 63 bytes). */
  readonly applicationName: string;
}

/** The settings every connection to the log's database shares: server, credentials, TLS, connect bound. */
export function connectionSettings(config: PostgresLogConfig): ClientConfig {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl: tlsOptions(config),
    connectionTimeoutMillis: config.connectTimeoutMs,
    keepAlive: true,
  };
}

/**
 * A pool behind the logger. Every wait is bounded, so requests fail fast when the database is
 * gone instead of hanging: connecting by connectTimeoutMs, each statement by the role's bound. A
 * broken connection is dropped and the next query opens a new one, so the logger recovers by
 * itself once the database is back.
 */
export function createPool(config: PostgresLogConfig, logger: Logger, role: PoolRole): Pool {
  const pool = new Pool({
    ...connectionSettings(config),
    max: role.max,
    statement_timeout: role.statementTimeoutMs,
    query_timeout: role.queryTimeoutMs,
    lock_timeout: role.statementTimeoutMs,
    idle_in_transaction_session_timeout: role.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: role.applicationName,
  });
  // An idle connection the server drops (restart, failover) emits 'error'; unhandled, it would kill the process.
  pool.on('error', (error) =>
    logger.warn({ event: 'postgres_connection_lost' }, `postgres log: idle connection lost: ${describeError(error)}`),
  );
  return pool;
}

/** The wait before retry `attempt` (1-based): exponential, with "equal jitter" so retries of many instances spread out. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Opens one connection to prove the database is reachable, retrying with backoff up to
 * config.connectRetries times, one log line per failed attempt; then fails with a message that
 * names the server, the database and the user (never the password).
 */
export async function waitForDatabase(pool: Pool, config: PostgresLogConfig, logger: Logger): Promise<void> {
  const where = `${config.host}:${config.port} (database ${config.database}, user ${config.user})`;
  const attempts = config.connectRetries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const client = await pool.connect();
      client.release();
      return;
    } catch (error) {
      const reason = describeError(error);
      if (attempt >= attempts || isPermanent(error)) {
        throw new Error(`postgres log: cannot connect to ${where} after ${attempt} attempt(s): ${reason}`);
      }
      const delay = retryDelayMs(attempt);
      logger.warn(
        { event: 'postgres_connect_retry', attempt, attempts, delayMs: delay },
        `postgres log: attempt ${attempt}/${attempts} to connect to ${where} failed: ${reason}; retrying in ${delay} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
