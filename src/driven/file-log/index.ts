/** The file transaction log: a driven adapter implementing the core's TransactionLog port. */
export { readFileLogConfig, type FileLogConfig } from './file-log.config';
export { FileLogError, LogCorruptError, LogLockedError, type FileLogErrorCode } from './file-log.errors';
export { FileTransactionLog, type FileLogOptions } from './file-transaction-log';
export type { SyncPolicy } from './group-commit-writer';
