/** The PostgreSQL transaction log adapter: the logger, its configuration and its table's schema. */
export { readPostgresLogConfig, type PostgresLogConfig, type PostgresSslMode } from './postgres-log.config';
export { PostgresTransactionLogger, type PostgresLoggerOptions } from './postgres-transaction-logger';
export { logTableSql } from './postgres-schema';
export type { LogLine } from './postgres-pool';
