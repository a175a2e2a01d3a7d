import {
  Metadata,
  ResponderBuilder,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import {
  keyIfDebug,
  millisecondsSince,
  requestLogLevel,
  requestMessage,
  type RequestLogLine,
  type RequestLogOptions,
} from './request-log-line';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
import { OperationTable } from '../../application/operations';

/** gRPC statuses that mean the server failed, not the client (logged at warn). */
const SERVER_FAULTS: ReadonlySet<status> = new Set([
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
  status.UNAVAILABLE,
]);

/**
 * grpc-js server interceptor, the twin of `restRequestLog`: takes the caller's `x-request-id`
 * metadata (or makes one), returns it in the trailing metadata, and logs one
 * {@link RequestLogLine} when the call ends.
 */
export function grpcRequestLog(
  { logger, enabled = () => true, traceIdOf }: RequestLogOptions,
  table = new OperationTable(),
): ServerInterceptor {
  return (method, call) => {
    // Probes arrive every few seconds from orchestrators; like REST's they are not logged.
    if (table.byGrpcPath(method.path)?.kind === 'probe' || !enabled()) return new ServerInterceptingCall(call);
    const startedAt = performance.now();
    let requestId = '';
    let key: string | undefined;
    let done = false;
    const log = (code: status, traceId?: string): void => {
      if (done) return;
      done = true;
      const line: RequestLogLine = {
        event: 'request',
        frontend: 'grpc',
        requestId,
        method: method.path.slice(method.path.lastIndexOf('/') + 1),
        route: method.path,
        status: status[code] ?? String(code),
        durationMs: millisecondsSince(startedAt),
        traceId,
        key,
      };
      logger[requestLogLevel(SERVER_FAULTS.has(code))](line, requestMessage(line));
    };
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        requestId = requestIdFrom(metadata.get(REQUEST_ID_HEADER)[0]);
        next(metadata);
      })
      .withOnReceiveMessage((message: { key?: unknown }, next) => {
        key = keyIfDebug(logger, message?.key);
        next(message);
      })
      .withOnCancel(() => log(status.CANCELLED))
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((outcome, next) => {
        const metadata = outcome.metadata ?? new Metadata();
        metadata.set(REQUEST_ID_HEADER, requestId);
        // The handler's completion runs inside the request's trace context, so the span is current here.
        log(outcome.code, traceIdOf?.());
        next({ ...outcome, metadata });
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
