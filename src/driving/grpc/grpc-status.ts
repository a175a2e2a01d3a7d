import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { KVS_ERROR_CODE_METADATA, type GrpcErrorCode } from '../../api/error-codes';
import { KvsError, PreconditionFailedError } from '../../core';
import { clientMessage, hidesDetail } from '../../application/call/client-message';
import type { Refusal } from '../../application/call/refusal';
import type { Logger } from '../../platform/logging/logger';
import { MalformedRequestError } from './request-wire-check';

/**
 * The gRPC error table: the status of every code a gRPC client can see (in `kvs-error-code`),
 * refusals included. An oversized value is RESOURCE_EXHAUSTED, the status grpc-js itself gives a
 * request over the message size limit, so a value just over the limit and one far over it fail alike.
 */
export const GRPC_STATUS_BY_CODE: Readonly<Record<GrpcErrorCode, status>> = {
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
  LEASE_NOT_FOUND: status.NOT_FOUND,
  INVALID_MESSAGE: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
  OVERLOADED: status.UNAVAILABLE,
  READ_ONLY: status.UNAVAILABLE,
};

/** Trailing metadata of a PRECONDITION_FAILED failure: the key's current mod_revision (0: absent). */
export const MOD_REVISION_METADATA = 'kvs-mod-revision';

/** A refusal a handler decided itself (an operation naming many keys, authorized key by key). */
export class HandlerRefusal extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
    this.name = 'HandlerRefusal';
  }
}

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
    const failure = withCode(error.code, clientMessage(error));
    if (error instanceof PreconditionFailedError) {
      failure.metadata?.set(MOD_REVISION_METADATA, String(error.currentModRevision));
    }
    return failure;
  }
  if (error instanceof HandlerRefusal) return grpcRefusal(error.refusal);
  if (error instanceof MalformedRequestError) return withCode(error.code, error.message);
  logger.error({ event: 'request_failed', err: error }, 'grpc: unexpected error');
  return { code: status.INTERNAL, details: 'internal error' };
}

/** The status for a call a policy refused, carrying its code in the `kvs-error-code` trailing metadata. */
export function grpcRefusal(refusal: Refusal): Pick<StatusObject, 'code' | 'details' | 'metadata'> {
  return withCode(refusal.code, refusal.message) as Pick<StatusObject, 'code' | 'details' | 'metadata'>;
}

function withCode(kvsCode: GrpcErrorCode, details: string): GrpcFailure {
  const metadata = new Metadata();
  metadata.set(KVS_ERROR_CODE_METADATA, kvsCode);
  return { code: GRPC_STATUS_BY_CODE[kvsCode], details, metadata };
}

/** gRPC statuses that mean the server failed, not the client (request lines at warn). */
const SERVER_FAULTS: ReadonlySet<status> = new Set([
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
  status.UNAVAILABLE,
]);

/** Whether a call answered with `code` failed on the server's side. */
export function isServerFault(code: status): boolean {
  return SERVER_FAULTS.has(code);
}
