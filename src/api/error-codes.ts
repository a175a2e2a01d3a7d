/**
 * The error codes a kvs server reports to clients, in REST error bodies (`code`) and in gRPC
 * trailing metadata (`kvs-error-code`), each with its meaning (docs/errors.md is generated from
 * this table and the two transports' status tables; test/architecture/error-tables.test.ts checks
 * it, the proto comment and the core's codes). Part of the wire contract: codes are only ever added.
 * `only` marks a code one transport never sends.
 */
const ERROR_CODE_TABLE = {
  KEY_NOT_FOUND: { meaning: 'the key has no value (never written, or deleted)' },
  INVALID_KEY: { meaning: 'the key is empty, not valid UTF-8, or (REST) not one path segment' },
  KEY_TOO_LARGE: { meaning: "the key's UTF-8 encoding exceeds KVS_MAX_KEY_BYTES" },
  VALUE_TOO_LARGE: { meaning: "the value's UTF-8 encoding exceeds KVS_MAX_VALUE_BYTES" },
  INVALID_VALUE: { meaning: 'the value is not valid UTF-8' },
  INVALID_REQUEST: {
    meaning:
      'a range, delete-range, transaction or watch that cannot run as asked (selector, limit, compare, op count)',
  },
  LOG_UNAVAILABLE: { meaning: 'the transaction log cannot make writes durable; nothing changed' },
  LOG_OVERLOADED: { meaning: 'too many writes wait for the transaction log; nothing changed, retry later' },
  OUTCOME_UNKNOWN: {
    meaning: 'the log could not settle the write: it may or may not have been applied; read to find out',
  },
  QUOTA_EXCEEDED: { meaning: 'the write would take the live data past KVS_MAX_DATA_BYTES; nothing changed' },
  PRECONDITION_FAILED: { meaning: 'a conditional write or transaction compare did not hold; nothing changed' },
  REVISION_COMPACTED: { meaning: 'the start revision is older than the oldest one kept' },
  WATCH_TOO_SLOW: { meaning: 'the watcher fell too far behind and was dropped; resume from its last revision' },
  REPLICA_BEHIND: { meaning: 'this replica did not reach the revision the read asked for in time' },
  LEASE_NOT_FOUND: { meaning: 'the lease does not exist: never granted, revoked, or past its deadline' },
  INVALID_MESSAGE: { meaning: "the request's bytes are not a well-formed protobuf message", only: 'grpc' },
  SERVER_BUSY: { meaning: 'too many request bodies are being received at once; retry later', only: 'rest' },
  METHOD_NOT_ALLOWED: { meaning: 'the path exists but not with this method (see the Allow header)', only: 'rest' },
  NO_SUCH_ROUTE: { meaning: 'no operation has this path, whatever the credentials', only: 'rest' },
  INTERNAL: { meaning: 'an unexpected server fault; details are logged server-side only', only: 'rest' },
  MALFORMED_REQUEST: { meaning: 'the HTTP request itself could not be parsed (request line, headers)', only: 'rest' },
  HEADERS_TOO_LARGE: { meaning: "the request's headers exceed the server's limit", only: 'rest' },
  REQUEST_TIMEOUT: {
    meaning: 'the request did not arrive within KVS_HEADERS_TIMEOUT_MS / KVS_REQUEST_TIMEOUT_MS',
    only: 'rest',
  },
  UNAUTHENTICATED: { meaning: 'no bearer token, or one that is not valid' },
  PERMISSION_DENIED: { meaning: "the token lacks the operation's scope, or may not touch this key" },
  RATE_LIMITED: { meaning: "the caller's request rate limit is reached; retry after the given time" },
  OVERLOADED: { meaning: 'the server is shedding load; retry with backoff' },
  READ_ONLY: { meaning: 'writes are refused while the read-only runtime flag is on; reads work' },
} as const satisfies Record<string, { readonly meaning: string; readonly only?: 'rest' | 'grpc' }>;

/** One of the codes a server may report. */
export type KvsErrorCode = keyof typeof ERROR_CODE_TABLE;

/** The codes the REST frontend may send: all but the gRPC-only ones. */
export type RestErrorCode = {
  [C in KvsErrorCode]: (typeof ERROR_CODE_TABLE)[C] extends { only: 'grpc' } ? never : C;
}[KvsErrorCode];

/** The codes the gRPC frontend may send: all but the REST-only ones. */
export type GrpcErrorCode = {
  [C in KvsErrorCode]: (typeof ERROR_CODE_TABLE)[C] extends { only: 'rest' } ? never : C;
}[KvsErrorCode];

/** Every code, in table order. */
export const KVS_ERROR_CODES = Object.keys(ERROR_CODE_TABLE) as readonly KvsErrorCode[];

/** What a code means, for docs/errors.md. */
export function errorCodeMeaning(code: KvsErrorCode): string {
  return ERROR_CODE_TABLE[code].meaning;
}

/** Trailing metadata key with which the gRPC server reports the error code. */
export const KVS_ERROR_CODE_METADATA = 'kvs-error-code';

/** The reported code if it is one this client knows, else undefined. */
export function knownErrorCode(reported: unknown): KvsErrorCode | undefined {
  return KVS_ERROR_CODES.find((code) => code === reported);
}

/** The codes a REST client can see, in table order (the OpenAPI document's error code enum). */
export const REST_ERROR_CODES = KVS_ERROR_CODES.filter(
  (code) => (ERROR_CODE_TABLE[code] as { only?: string }).only !== 'grpc',
) as readonly RestErrorCode[];
