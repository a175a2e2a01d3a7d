/** Stable, machine-readable codes for every error the core reports; frontends map them to statuses. */
export type KvsErrorCode =
  | 'KEY_NOT_FOUND'
  | 'INVALID_KEY'
  | 'KEY_TOO_LARGE'
  | 'VALUE_TOO_LARGE'
  | 'INVALID_VALUE'
  | 'LOG_UNAVAILABLE'
  | 'LOG_OVERLOADED';

/** Base class of the errors the core and its ports report; `code` never changes once published. */
export abstract class KvsError extends Error {
  abstract readonly code: KvsErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The key has no value (it was never written, or it was deleted). */
export class NoSuchKeyError extends KvsError {
  readonly code = 'KEY_NOT_FOUND';

  constructor(readonly key: string) {
    super('key not found');
  }
}

/** The key is not acceptable, for example empty. */
export class InvalidKeyError extends KvsError {
  readonly code = 'INVALID_KEY';
}

/** The key's UTF-8 encoding is longer than the configured limit. */
export class KeyTooLargeError extends KvsError {
  readonly code = 'KEY_TOO_LARGE';

  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`key is ${sizeBytes} bytes; the limit is ${limitBytes} bytes`);
  }
}

/** The value's UTF-8 encoding is longer than the configured limit. */
export class ValueTooLargeError extends KvsError {
  readonly code = 'VALUE_TOO_LARGE';

  constructor(
    readonly sizeBytes: number | undefined,
    readonly limitBytes: number,
  ) {
    super(
      sizeBytes === undefined
        ? `value exceeds the limit of ${limitBytes} bytes`
        : `value is ${sizeBytes} bytes; the limit is ${limitBytes} bytes`,
    );
  }
}

/** The value cannot be stored as text, for example bytes that are not valid UTF-8. */
export class InvalidValueError extends KvsError {
  readonly code = 'INVALID_VALUE';
}

/**
 * The transaction log cannot make writes durable (disk full, database down, failed fsync).
 * Nothing was applied. `retryable` says whether a later retry can succeed without a restart;
 * the message holds the server-side detail, never shown to clients.
 */
export class LogUnavailableError extends KvsError {
  readonly code = 'LOG_UNAVAILABLE';

  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
  }
}

/** The transaction log has too many writes in flight; the client should back off and retry. */
export class LogOverloadedError extends KvsError {
  readonly code = 'LOG_OVERLOADED';
}
