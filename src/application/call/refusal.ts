import { Metadata, type StatusObject, type status } from '@grpc/grpc-js';
import type { Response } from 'express';
import { KVS_ERROR_CODE_METADATA, type KvsErrorCode } from '../../api/error-codes';

/**
 * A request turned away before it reaches the routes or handlers (by authentication,
 * authorization, rate limiting or load shedding), described once for both frontends so that
 * REST and gRPC clients get the same outcome.
 */
export interface Refusal {
  readonly code: KvsErrorCode;
  /** Safe to show the client: never a token, a path or a stack. */
  readonly message: string;
  readonly httpStatus: number;
  readonly grpcStatus: status;
  /** Extra HTTP response headers, e.g. WWW-Authenticate or Retry-After. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers a REST request with the refusal, in the documented `{"code","message"}` body. */
export function sendRefusal(res: Response, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  res.statusCode = refusal.httpStatus;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ code: refusal.code, message: refusal.message }));
}

/** The gRPC status for the refusal, carrying its code in the `kvs-error-code` trailing metadata. */
export function grpcRefusal(refusal: Refusal): Pick<StatusObject, 'code' | 'details' | 'metadata'> {
  const metadata = new Metadata();
  metadata.set(KVS_ERROR_CODE_METADATA, refusal.code);
  return { code: refusal.grpcStatus, details: refusal.message, metadata };
}
