import { Metadata, ServerInterceptingCall, ServerListenerBuilder, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { RequestHandler } from 'express';
import { KVS_ERROR_CODE_METADATA } from '../../../api/error-codes';
import type { RuntimeFlags } from '../../../platform/flags/runtime-flags';

const READ_ONLY_MESSAGE = 'the service is read-only for maintenance; writes are refused, reads work';
/** Seconds a client should wait before retrying a refused write. */
const RETRY_AFTER_SECONDS = '5';
const WRITE_METHODS = new Set(['PUT', 'DELETE']);
const WRITE_RPCS = new Set(['/KeyValue/Put', '/KeyValue/Delete']);

/** Express middleware refusing writes with 503 READ_ONLY while the `read-only` flag is on. */
export function restReadOnlyGuard(flags: RuntimeFlags): RequestHandler {
  return (req, res, next) => {
    if (!flags.readOnly || !WRITE_METHODS.has(req.method)) {
      next();
      return;
    }
    // The documented error body, as the REST adapter writes it.
    res.statusCode = 503;
    res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ code: 'READ_ONLY', message: READ_ONLY_MESSAGE }));
  };
}

/** grpc-js interceptor refusing Put and Delete with UNAVAILABLE (kvs-error-code READ_ONLY) while the flag is on. */
export function grpcReadOnlyGuard(flags: RuntimeFlags): ServerInterceptor {
  return (method, call) => {
    if (!WRITE_RPCS.has(method.path) || !flags.readOnly) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      // Answered as soon as the call's metadata arrives: the handler never sees the call.
      .withOnReceiveMetadata(() => {
        const metadata = new Metadata();
        metadata.set(KVS_ERROR_CODE_METADATA, 'READ_ONLY');
        call.sendStatus({ code: status.UNAVAILABLE, details: READ_ONLY_MESSAGE, metadata });
      })
      .build();
    return new ServerInterceptingCall(call, { start: (next) => next(listener) });
  };
}
