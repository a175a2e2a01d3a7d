import type { Response } from 'express';
import { KvsError, type KvsErrorCode } from '../../core';
import { clientMessage, hidesDetail, retryable } from '../../application/call/client-message';
import type { Logger } from '../../platform/logging/logger';
import { ClientGoneError, ServerBusyError } from './body-budget';

/** Error codes only the REST adapter produces (the core never sees HTTP routing). */
export type RestErrorCode = 'METHOD_NOT_ALLOWED' | 'NO_SUCH_ROUTE' | 'SERVER_BUSY' | 'INTERNAL';

/** The one table from core error codes to HTTP statuses. */
const STATUS_BY_CODE: Record<KvsErrorCode | RestErrorCode, number> = {
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
  METHOD_NOT_ALLOWED: 405,
  NO_SUCH_ROUTE: 404,
  SERVER_BUSY: 503,
  INTERNAL: 500,
};

/** Seconds a client should wait before retrying a write the log could not take. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Sends the documented error body: `{"code": "...", "message": "..."}` with the code's status,
 * and `Retry-After` on a 503 unless a retry cannot succeed (a log that failed for good).
 */
export function sendError(res: Response, code: KvsErrorCode | RestErrorCode, message: string, canRetry = true): void {
  const status = STATUS_BY_CODE[code];
  if (status === 503 && canRetry) res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
  // The body of a refused upload is left unread: closing beats draining up to gigabytes.
  if (status === 413 || code === 'SERVER_BUSY') res.setHeader('Connection', 'close');
  // res.end rather than res.json: json goes through send's charset and ETag handling,
  // which made a 404 cost about a fifth more CPU than a hit.
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ code, message }));
}

/**
 * Sends a core error as its mapped status with a message naming the condition only (the
 * detail of a log error goes to the server's log, at debug: the log adapter already reported
 * the condition once); anything else is logged and answered 500.
 */
export function sendFailure(res: Response, error: unknown, logger: Logger): void {
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
