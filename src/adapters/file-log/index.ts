/** The file transaction log: a driven adapter implementing the core's TransactionLogger port. */
export { readFileLogConfig } from './file-log.config';
export { FileLogError, LogCorruptError, LogLockedError, type FileLogErrorCode } from './file-log.errors';
export { FileTransactionLogger, type FileLogOptions } from './file-transaction-logger';
export type { SyncPolicy } from './group-commit-writer';
