/** Stable codes of the errors only the file log reports (the core's codes live in src/core/errors.ts). */
export type FileLogErrorCode = 'LOG_CORRUPT' | 'LOG_LOCKED';

/** Base class of the file log's start-up errors; `code` never changes once published. */
export abstract class FileLogError extends Error {
  abstract readonly code: FileLogErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The log file holds something other than intact records where intact records must be
 * (not a torn final record, which is dropped with a warning), or the log's files do not fit
 * together (no offset then). The service refuses to start rather than skip data: an operator
 * must look at the named file and byte offset.
 */
export class LogCorruptError extends FileLogError {
  readonly code = 'LOG_CORRUPT';

  constructor(
    readonly filename: string,
    readonly offset: number | undefined,
    readonly problem: string,
    readonly detail: string,
  ) {
    const where = offset === undefined ? '' : ` at byte ${offset}`;
    super(`file log: ${filename}: ${problem}${where} (${detail}); refusing to start`);
  }
}

/** Another live process (or another logger in this process) already has the log file open. */
export class LogLockedError extends FileLogError {
  readonly code = 'LOG_LOCKED';
}
