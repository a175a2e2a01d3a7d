export { readTracingConfig, type TracingConfig } from './tracing.config';
export { activeTraceId, KEY_ATTRIBUTE } from './trace-attributes';
export { SpanRouteObserver } from './span-route-observer';
export { TracedTransactionLogger, TRACER_NAME } from './traced-transaction-logger';
export { tracingLogObserver } from './tracing-log-observer';
