import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { KvsError, type KvsErrorCode } from '../../core';
import { KVS_ERROR_CODE_METADATA, type KvsErrorCode as ApiErrorCode } from '../../api/error-codes';
import { clientMessage, hidesDetail } from '../../application/call/client-message';
import type { Logger } from '../../platform/logging/logger';
import { MalformedRequestError } from './request-wire-check';

/**
 * The one table from core error codes to gRPC statuses. An oversized value is
 * RESOURCE_EXHAUSTED, the status grpc-js itself gives a request over the message size limit,
 * so a value just over the limit and one far over it fail alike.
 */
export const GRPC_STATUS_BY_CODE: Readonly<Record<KvsErrorCode, status>> = {
  KEY_NOT_FOUND: status.NOT_FOUND,
  INVALID_KEY: status.INVALID_ARGUMENT,
  KEY_TOO_LARGE: status.INVALID_ARGUMENT,
  VALUE_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  INVALID_VALUE: status.INVALID_ARGUMENT,
  INVALID_REQUEST: status.INVALID_ARGUMENT,
  LOG_UNAVAILABLE: status.UNAVAILABLE,
  LOG_OVERLOADED: status.UNAVAILABLE,
  OUTCOME_UNKNOWN: status.UNKNOWN,
  QUOTA_EXCEEDED: status.RESOURCE_EXHAUSTED,
  PRECONDITION_FAILED: status.FAILED_PRECONDITION,
  REVISION_COMPACTED: status.OUT_OF_RANGE,
  WATCH_TOO_SLOW: status.RESOURCE_EXHAUSTED,
  REPLICA_BEHIND: status.UNAVAILABLE,
};

/** What a handler passes to its callback on failure. */
export type GrpcFailure = Pick<StatusObject, 'code' | 'details'> & Partial<Pick<StatusObject, 'metadata'>>;

/**
 * Turns an error thrown by the core into the status the client sees, its details naming the
 * condition only (a log error's detail is logged at debug). Anything that is not a
 * KvsError is a server fault: logged in full here, reported as INTERNAL without details.
 */
export function toGrpcFailure(error: unknown, logger: Logger): GrpcFailure {
  if (error instanceof KvsError) {
    if (hidesDetail(error)) logger.debug({ event: 'request_refused', code: error.code, detail: error.message });
    return withCode(error.code, GRPC_STATUS_BY_CODE[error.code], clientMessage(error));
  }
  if (error instanceof MalformedRequestError) return withCode(error.code, status.INVALID_ARGUMENT, error.message);
  logger.error({ event: 'request_failed', err: error }, 'grpc: unexpected error');
  return { code: status.INTERNAL, details: 'internal error' };
}

function withCode(kvsCode: ApiErrorCode, code: status, details: string): GrpcFailure {
  const metadata = new Metadata();
  metadata.set(KVS_ERROR_CODE_METADATA, kvsCode);
  return { code, details, metadata };
}
