import type { EnvReader } from '../../config/env-reader';
import type { CompactionThresholds } from '../compaction/compaction-runner';
import { readCompactionThresholds } from '../compaction/compaction.config';

/**
 * How the connection to PostgreSQL is protected, with libpq's meanings:
 * - `disable`: plain TCP, no TLS (a database on the same host or a private network);
 * - `require`: TLS, but the server's certificate is not checked (encrypts, no protection
 *   against an active man in the middle);
 * - `verify-ca`: TLS, and the certificate must chain to a trusted CA (any host name);
 * - `verify-full`: TLS, trusted CA, and the certificate must name TLOG_DB_HOST.
 */
export type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

const SSL_MODES: readonly PostgresSslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

/** An unquoted PostgreSQL identifier: the table name is spliced into SQL, so only these are accepted. */
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Everything the Postgres transaction logger needs; built by readPostgresLogConfig. */
export interface PostgresLogConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** Undefined lets the server decide (trust or peer authentication). Never printed. */
  readonly password: string | undefined;
  readonly sslMode: PostgresSslMode;
  /** PEM file of the CA that signs the server's certificate, for verify-ca/verify-full. */
  readonly sslRootCertFile: string | undefined;
  /** The log table, created if missing. One table serves one running kvs instance. */
  readonly table: string;
  /** Start-up: attempts after the first before giving up (exponential backoff with jitter). */
  readonly connectRetries: number;
  /** How long one connection attempt may take, at start-up and whenever the pool reconnects. */
  readonly connectTimeoutMs: number;
  /** How long one replay or compaction statement may run before it fails (server and client side). */
  readonly statementTimeoutMs: number;
  /**
   * The write deadline: an append is answered within about this long, acknowledged, refused
   * (nothing changed) or, when its outcome cannot be settled in time, outcome unknown.
   */
  readonly writeTimeoutMs: number;
  /** How long the liveness ping behind readiness may take before the database counts as not answering. */
  readonly pingTimeoutMs: number;
  /** Appends queued or in flight beyond which new appends fail at once with LogOverloadedError. */
  readonly maxPendingWrites: number;
  /** When the log compacts by itself (KVS_COMPACT_MIN_BYTES, KVS_COMPACT_RATIO). */
  readonly compaction: CompactionThresholds;
  /** KVS_REPLICAS: `shared` lets many processes share the table as one store (docs/scale-out.md). */
  readonly replicas: 'single' | 'shared';
  /** KVS_PG_POLL_MS: how often a shared replica reads the table besides LISTEN/NOTIFY. */
  readonly pollMs: number;
}

/** Reads the TLOG_DB_* variables; a missing or invalid one is a one-line ConfigError. */
export function readPostgresLogConfig(env: EnvReader): PostgresLogConfig {
  const host = env.required('TLOG_DB_HOST', 'the PostgreSQL server host');
  const port = env.integer('TLOG_DB_PORT', 5432, 1, 65535);
  const database = env.required('TLOG_DB_DATABASE', 'the PostgreSQL database that holds the transaction log');
  const user = env.required('TLOG_DB_USERNAME', 'the PostgreSQL user to log in as');
  const table = env.string('TLOG_DB_TABLE', 'transactions');
  if (!TABLE_NAME.test(table)) {
    throw env.invalid(
      'TLOG_DB_TABLE',
      table,
      'a lower-case SQL identifier (a-z, 0-9, _; not starting with a digit; at most 63 characters)',
    );
  }
  return {
    host,
    port,
    database,
    user,
    password: env.optional('TLOG_DB_PASSWORD'),
    sslMode: env.oneOf('TLOG_DB_SSLMODE', SSL_MODES, 'disable'),
    sslRootCertFile: env.optional('TLOG_DB_SSLROOTCERT'),
    table,
    connectRetries: env.integer('TLOG_DB_CONNECT_RETRIES', 10, 0, 1000),
    connectTimeoutMs: env.integer('TLOG_DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    statementTimeoutMs: env.integer('TLOG_DB_STATEMENT_TIMEOUT_MS', 10_000, 100, 3_600_000),
    writeTimeoutMs: env.integer('TLOG_DB_WRITE_TIMEOUT_MS', 1000, 100, 600_000),
    pingTimeoutMs: env.integer('TLOG_DB_PING_TIMEOUT_MS', 500, 50, 60_000),
    maxPendingWrites: env.integer('TLOG_DB_MAX_PENDING_WRITES', 10_000, 1, 1_000_000),
    compaction: readCompactionThresholds(env),
    replicas: env.oneOf('KVS_REPLICAS', ['single', 'shared'], 'single'),
    pollMs: env.integer('KVS_PG_POLL_MS', 1000, 10, 600_000),
  };
}
