import type { ServerResponse } from 'node:http';
import type { RestErrorCode } from '../../api/error-codes';
import { KvsError } from '../../core';
import { clientMessage, hidesDetail, retryable } from '../../application/call/client-message';
import type { Refusal } from '../../application/call/refusal';
import type { Logger } from '../../platform/logging/logger';
import { ClientGoneError, ServerBusyError } from './body-budget';

/** The REST error table: the HTTP status of every code a REST client can see, refusals included. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<RestErrorCode, number>> = {
  KEY_NOT_FOUND: 404,
  INVALID_KEY: 400,
  KEY_TOO_LARGE: 400,
  VALUE_TOO_LARGE: 413,
  INVALID_VALUE: 400,
  INVALID_REQUEST: 400,
  LOG_UNAVAILABLE: 503,
  LOG_OVERLOADED: 503,
  OUTCOME_UNKNOWN: 504,
  QUOTA_EXCEEDED: 507,
  PRECONDITION_FAILED: 412,
  REVISION_COMPACTED: 410,
  WATCH_TOO_SLOW: 503,
  REPLICA_BEHIND: 503,
  LEASE_NOT_FOUND: 404,
  SERVER_BUSY: 503,
  METHOD_NOT_ALLOWED: 405,
  NO_SUCH_ROUTE: 404,
  INTERNAL: 500,
  MALFORMED_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  READ_ONLY: 503,
};

/** Seconds a client should wait before retrying a write the log could not take. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Sends the documented error body: `{"code": "...", "message": "..."}` with the code's status,
 * and `Retry-After` on a 503 unless a retry cannot succeed (a log that failed for good).
 */
export function sendError(res: ServerResponse, code: RestErrorCode, message: string, canRetry = true): void {
  const status = HTTP_STATUS_BY_CODE[code];
  if (status === 503 && canRetry) res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
  // The body of a refused upload is left unread: closing beats draining up to gigabytes.
  if (status === 413 || code === 'SERVER_BUSY') res.setHeader('Connection', 'close');
  writeBody(res, status, code, message);
}

/** Answers a request a policy refused, with the refusal's `WWW-Authenticate` and `Retry-After`. */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  if (refusal.challenge !== undefined) res.setHeader('WWW-Authenticate', refusal.challenge);
  if (refusal.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  writeBody(res, HTTP_STATUS_BY_CODE[refusal.code], refusal.code, refusal.message);
}

/** The documented error body of `code` (`{"code": "...", "message": "..."}`). */
export function errorBody(code: RestErrorCode, message: string): string {
  return JSON.stringify({ code, message });
}

function writeBody(res: ServerResponse, status: number, code: RestErrorCode, message: string): void {
  // res.end rather than res.json: json goes through send's charset and ETag handling,
  // which made a 404 cost about a fifth more CPU than a hit.
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(errorBody(code, message));
}

/**
 * Sends a core error as its mapped status with a message naming the condition only (the
 * detail of a log error goes to the server's log, at debug: the log adapter already reported
 * the condition once); anything else is logged and answered 500.
 */
export function sendFailure(res: ServerResponse, error: unknown, logger: Logger): void {
  if (error instanceof KvsError) {
    if (hidesDetail(error)) logger.debug({ event: 'request_refused', code: error.code, detail: error.message });
    sendError(res, error.code, clientMessage(error), retryable(error));
    return;
  }
  if (error instanceof ServerBusyError) {
    sendError(res, 'SERVER_BUSY', error.message);
    return;
  }
  if (error instanceof ClientGoneError) {
    // Nobody is left to answer, and any client can do this at will: not an error, no stack.
    logger.debug({ event: 'client_disconnected' }, error.message);
    return;
  }
  logger.error({ event: 'request_failed', err: error }, 'rest: unexpected error');
  sendError(res, 'INTERNAL', 'internal error');
}
