/**
 * The error codes a kvs server reports to clients: in REST error bodies (`code`) and in gRPC
 * trailing metadata (`kvs-error-code`). Part of the wire contract: codes are only ever added.
 * The core's own codes must all appear here (test/architecture/contract-codes.test.ts checks it).
 */
export const KVS_ERROR_CODES = [
  'KEY_NOT_FOUND',
  'INVALID_KEY',
  'KEY_TOO_LARGE',
  'VALUE_TOO_LARGE',
  'INVALID_VALUE',
  // A range, delete-range or transaction that cannot run as asked (selector, limit, compare, op count).
  'INVALID_REQUEST',
  'LOG_UNAVAILABLE',
  'LOG_OVERLOADED',
  // A write whose outcome the log could not settle: it may or may not have been applied.
  'OUTCOME_UNKNOWN',
  // A write refused because the live data would exceed KVS_MAX_DATA_BYTES.
  'QUOTA_EXCEEDED',
  // A conditional write or transaction compare that did not hold; nothing changed.
  'PRECONDITION_FAILED',
  // A start revision older than the oldest one kept (watch, reads at a revision).
  'REVISION_COMPACTED',
  // A watcher that fell too far behind and was dropped; it may resume from its last revision.
  'WATCH_TOO_SLOW',
  // A replica that could not reach the revision a read asked for in time.
  'REPLICA_BEHIND',
  // gRPC only: the request's bytes are not a well-formed protobuf message.
  'INVALID_MESSAGE',
  // REST only: too many request bodies are being received at once.
  'SERVER_BUSY',
  // Refusals before a request reaches the store (security layers, README "Security").
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'RATE_LIMITED',
  'OVERLOADED',
  // Writes refused while the `read-only` runtime flag is on (reads go on).
  'READ_ONLY',
] as const;

/** One of the codes a server may report. */
export type KvsErrorCode = (typeof KVS_ERROR_CODES)[number];

/** Trailing metadata key with which the gRPC server reports the error code. */
export const KVS_ERROR_CODE_METADATA = 'kvs-error-code';

/** The reported code if it is one this client knows, else undefined. */
export function knownErrorCode(reported: unknown): KvsErrorCode | undefined {
  return KVS_ERROR_CODES.find((code) => code === reported);
}
