export { readTracingConfig, type TracingConfig } from './tracing.config';
export { activeTraceId, KEY_ATTRIBUTE } from './trace-attributes';
export { SpanRouteObserver } from './span-route-observer';
export { TracedTransactionLog, TRACER_NAME } from './traced-transaction-log';
export { tracingLogObserver } from './tracing-log-observer';
