import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/** Span attribute holding a key, set only with KVS_TRACE_KEYS=true. Values are never recorded. */
export const KEY_ATTRIBUTE = 'kvs.key';

/**
 * The trace id of the current context, for request log lines; undefined outside a trace. Read
 * from the context rather than a live span: a gRPC call's server span has already ended when
 * its status goes out, but its context still names the trace.
 */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
