import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/** Span attribute holding a key, set only with KVS_TRACE_KEYS=true. Values are never recorded. */
export const KEY_ATTRIBUTE = 'kvs.key';

/** A server span's `url.path` until its request is routed, and for ever when it never is. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** A server span's `url.query`: query parameters name keys and prefixes, so none is recorded. */
export const REDACTED_QUERY = '(redacted)';

/**
 * The trace id of the current context, for request log lines; undefined outside a trace. Read
 * from the context rather than a live span: a gRPC call's server span has already ended when
 * its status goes out, but its context still names the trace.
 */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
