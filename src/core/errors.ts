/** Stable, machine-readable codes for every error the core reports (a subset of the wire contract's KvsErrorCode, src/api/error-codes.ts); frontends map them to statuses. */
export type CoreErrorCode =
  | 'KEY_NOT_FOUND'
  | 'INVALID_KEY'
  | 'KEY_TOO_LARGE'
  | 'VALUE_TOO_LARGE'
  | 'INVALID_VALUE'
  | 'INVALID_REQUEST'
  | 'LOG_UNAVAILABLE'
  | 'LOG_OVERLOADED'
  | 'OUTCOME_UNKNOWN'
  | 'QUOTA_EXCEEDED'
  | 'PRECONDITION_FAILED'
  | 'REVISION_COMPACTED'
  | 'WATCH_TOO_SLOW'
  | 'REPLICA_BEHIND'
  | 'LEASE_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'READ_ONLY';

/** Base class of the errors the core and its ports report; `code` never changes once published. */
export abstract class KvsError extends Error {
  abstract readonly code: CoreErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The store is frozen (the read-only runtime flag) and the call would write to the log: a
 * keepalive of a shared log's lease, the one such call the request policies let through
 * (elsewhere a keepalive is not a write). Nothing changed; retry once the freeze ends.
 */
export class ReadOnlyError extends KvsError {
  readonly code = 'READ_ONLY';

  constructor() {
    super('the service is read-only for maintenance: a keepalive of a shared lease is a write, refused until it ends');
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

/** A range, delete-range or transaction the store cannot run as asked (a bad selector, limit or compare, too many ops). */
export class InvalidRequestError extends KvsError {
  readonly code = 'INVALID_REQUEST';
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

/**
 * The log could not say whether a write committed (a database statement stalled past the write
 * deadline and could not be settled): the write may or may not appear later. Unlike
 * LogUnavailableError this never means "nothing changed"; the client must read to find out.
 */
export class OutcomeUnknownError extends KvsError {
  readonly code = 'OUTCOME_UNKNOWN';

  constructor(
    message: string,
    /**
     * Settles once the log knows: true if the record committed after all, false if it never
     * will. The log settles it before it takes any later write, so the store can apply a late
     * commit in log order. Never rejects.
     */
    readonly outcome?: Promise<boolean>,
  ) {
    super(message);
  }
}

/** The lease does not exist: never granted, revoked, or past its deadline. */
export class LeaseNotFoundError extends KvsError {
  readonly code = 'LEASE_NOT_FOUND';

  constructor(readonly id: number) {
    super(`lease ${id} not found (never granted, revoked or expired)`);
  }
}

/**
 * The caller may not touch a key the operation would: a revoke of a lease holding keys outside
 * the caller's prefixes (the keys are not named: they may be another client's).
 */
export class KeyAccessDeniedError extends KvsError {
  readonly code = 'PERMISSION_DENIED';
}

/** The write would take the live data past the configured quota; deletes are always allowed. */
export class QuotaExceededError extends KvsError {
  readonly code = 'QUOTA_EXCEEDED';
}

/** A conditional write's expectation did not hold; nothing changed. */
export class PreconditionFailedError extends KvsError {
  readonly code = 'PRECONDITION_FAILED';

  constructor(
    readonly key: string,
    /** The key's current mod_revision, 0 when it is absent. */
    readonly currentModRevision: number,
  ) {
    super('precondition failed');
  }
}

/** A revision older than the oldest one still kept was asked for. */
export class RevisionCompactedError extends KvsError {
  readonly code = 'REVISION_COMPACTED';

  constructor(
    /** The oldest revision that can still be asked for. */
    readonly compactRevision: number,
  ) {
    super(`revision compacted; the oldest available revision is ${compactRevision}`);
  }
}

/** A watcher fell further behind than its buffer allows and was dropped; it may resume. */
export class WatchTooSlowError extends KvsError {
  readonly code = 'WATCH_TOO_SLOW';
}

/** This replica has not caught up with the revision a read asked for within its deadline. */
export class ReplicaBehindError extends KvsError {
  readonly code = 'REPLICA_BEHIND';
}

/**
 * A log shared by several writers (KVS_REPLICAS=shared) took another writer's record at the
 * revision this write was decided for: nothing was written. The log has handed the store the
 * records up to `head` first, so the store decides the write again against them; a client only
 * sees it (as LOG_UNAVAILABLE) when a write lost that race too many times in a row.
 */
export class HistoryMovedError extends LogUnavailableError {
  constructor(
    /** The newest revision of the shared history the log saw. */
    readonly head: number,
  ) {
    super(`the shared history moved on to revision ${head} under this write; nothing was written`);
  }
}
