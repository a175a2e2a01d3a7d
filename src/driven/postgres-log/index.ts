/** The PostgreSQL transaction log adapter: the logger and its configuration. */
export { readPostgresLogConfig, type PostgresLogConfig, type PostgresSslMode } from './postgres-log.config';
export { PostgresTransactionLog, type PostgresLoggerOptions } from './postgres-transaction-log';
export { SharedRateLimiter } from './postgres-rate-limiter';
