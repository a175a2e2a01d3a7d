import type { EnvReader } from '../../config/env-reader';

/** What OTEL_TRACES_EXPORTER may name: the OpenTelemetry SDK's own exporters. */
const TRACE_EXPORTERS = ['none', 'otlp', 'console'] as const;
/** OTLP transports the SDK speaks (OTEL_EXPORTER_OTLP_PROTOCOL and its _TRACES_ variant). */
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

/** Tracing settings. The exporter itself is configured by the SDK from the standard OTEL_* variables. */
export interface TracingConfig {
  /** False when OTEL_TRACES_EXPORTER is none (the default): the SDK is then never loaded. */
  readonly enabled: boolean;
  /** KVS_TRACE_KEYS: keys as span attributes (values never). */
  readonly traceKeys: boolean;
}

/**
 * Reads OTEL_TRACES_EXPORTER (otlp, console or none; default none), checks the OTLP protocol
 * variables the SDK will read, and KVS_TRACE_KEYS (default false).
 */
export function readTracingConfig(env: EnvReader): TracingConfig {
  const exporter = env.oneOf('OTEL_TRACES_EXPORTER', TRACE_EXPORTERS, 'none');
  env.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf');
  env.oneOf('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf');
  const traceKeys = env.oneOf('KVS_TRACE_KEYS', ['true', 'false'], 'false') === 'true';
  return { enabled: exporter !== 'none', traceKeys };
}
