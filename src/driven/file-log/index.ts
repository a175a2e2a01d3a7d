/** The file transaction log: a driven adapter implementing the core's TransactionLogger port. */
export { readFileLogConfig, type FileLogConfig } from './file-log.config';
export { FileLogError, LogCorruptError, LogLockedError, type FileLogErrorCode } from './file-log.errors';
export { FileTransactionLogger, type FileLogOptions } from './file-transaction-logger';
export type { SyncPolicy } from './group-commit-writer';
