import type * as InstrumentationGrpc from '@opentelemetry/instrumentation-grpc';
import type * as InstrumentationHttp from '@opentelemetry/instrumentation-http';
import type * as InstrumentationPg from '@opentelemetry/instrumentation-pg';
import type * as SdkNode from '@opentelemetry/sdk-node';
import { OPERATIONS } from '../../application/operations/operation-table';
import { REDACTED_QUERY, UNMATCHED_ROUTE } from './trace-attributes';

/** Tracing once started: flushes and stops the SDK. */
export interface RunningTracing {
  shutdown(): Promise<void>;
}

/** The REST paths of the untraced rows (probes and scrapes come every few seconds from machines). */
const UNTRACED_PATHS = new Set(OPERATIONS.flatMap((row) => (!row.traced && row.rest ? [row.rest.path] : [])));

/**
 * The gRPC method names to leave untraced. The instrumentation matches the method name only, not
 * its service, so a name is untraced only when every row carrying it is: a traced KeyValue/Watch
 * would trace grpc.health's Watch too, rather than go untraced itself.
 */
function untracedGrpcMethods(): string[] {
  const name = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const traced = new Set(OPERATIONS.flatMap((row) => (row.traced && row.grpc ? [name(row.grpc.path)] : [])));
  return [...new Set(OPERATIONS.flatMap((row) => (!row.traced && row.grpc ? [name(row.grpc.path)] : [])))].filter(
    (method) => !traced.has(method),
  );
}

/**
 * Starts the OpenTelemetry Node SDK, exporting as the standard OTEL_* variables say: server spans
 * for HTTP and gRPC requests (W3C traceparent propagation) and client spans for PostgreSQL.
 * It must run before http, grpc-js and pg are first loaded, since it instruments them by
 * patching their modules as they load.
 */
export function startTracing(): RunningTracing {
  // OpenTelemetry's defaults export metrics and logs over OTLP too; kvs serves metrics to
  // Prometheus and logs to stdout, so those stay off unless the operator asks for them.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_SERVICE_NAME ??= 'kvs';
  // Loaded here, not at the top: with tracing off (the default) the SDK is never loaded at all,
  // which keeps start-up and every request free of its cost.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof InstrumentationHttp;
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc') as typeof InstrumentationGrpc;
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof InstrumentationPg;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]),
        // The raw path and query hold keys and prefixes: the span starts without them, and the
        // span-route observer sets the route template once the request is routed. A request cut
        // off before it reaches a route keeps the placeholder.
        startIncomingSpanHook: (request) => ({
          'url.path': UNMATCHED_ROUTE,
          ...((request.url ?? '').includes('?') ? { 'url.query': REDACTED_QUERY } : {}),
        }),
        // The service makes no HTTP calls of its own; the OTLP exporter's must not be traced.
        ignoreOutgoingRequestHook: () => true,
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: untracedGrpcMethods() }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
