import type { ServerInterceptor } from '@grpc/grpc-js';
import type { RequestHandler } from 'express';
import type { TransactionLogger } from '../core';
import { ReadOnlyPolicy } from '../application/policies/read-only';
import type { Policy } from '../application/pipeline';
import { readFlagsConfig, RuntimeFlags } from '../platform/flags';
import { combineLogObservers, noLogObserver, type TransactionLogObserver } from '../driven/log-observer.port';
import type { Logger } from '../platform/logging/logger';
import {
  grpcRequestMetrics,
  KvsMetrics,
  logMetricsObserver,
  metricsEndpoint,
  restRequestMetrics,
} from '../observability/metrics';
import { grpcRequestLog, restRequestLog } from '../observability/request-log';
import {
  activeTraceId,
  readTracingConfig,
  restSpanRoute,
  TracedTransactionLogger,
  tracingLogObserver,
} from '../observability/tracing';
import type { EnvReader } from '../config/env-reader';

/** REST middleware and their gRPC interceptor twins, in the same order, outermost first. */
export interface Observers {
  readonly middleware: RequestHandler[];
  readonly interceptors: ServerInterceptor[];
}

// What operators see of the service: request logs, metrics, tracing, runtime flags, the admin listener.

/** The runtime flags and the file main starts them from. */
export interface FlagsSource {
  readonly flags: RuntimeFlags;
  readonly file: string | undefined;
}

/** Reads a `true` / `false` variable. */
function readSwitch(env: EnvReader, name: string, fallback: boolean): boolean {
  return env.oneOf(name, ['true', 'false'], fallback ? 'true' : 'false') === 'true';
}

/** The operator-facing concerns: request logs, metrics and the admin listener. */
export interface Observability {
  /** Before the policy pipeline, seeing every request: trace naming, request logs, request metrics. */
  readonly observers: Observers;
  /** After it: GET /metrics on the REST port. */
  readonly endpoints: RequestHandler[];
  /** The pipeline's last policies: read-only, when a flag file can switch it on. */
  readonly policies: Policy[];
  readonly logObserver: TransactionLogObserver;
  readonly metrics?: KvsMetrics;
  /** KVS_ADMIN_PORT's listener, when set: its port and its handlers besides the probes. */
  readonly admin?: { readonly port: number; readonly handlers: readonly RequestHandler[] };
  readonly flags: FlagsSource;
  /** Wraps the transaction log in its tracing decorator when tracing is on. */
  readonly traceLog: (log: TransactionLogger) => TransactionLogger;
}

/**
 * Reads KVS_REQUEST_LOG, KVS_METRICS, KVS_ADMIN_PORT, KVS_FLAGS_FILE and the tracing variables
 * and builds what they switch on. Each concern is installed only when on, so a concern switched
 * off costs nothing per request.
 */
export function readObservability(
  env: EnvReader,
  logger: Logger,
  scrape: ConstructorParameters<typeof KvsMetrics>[0],
): Observability {
  // Off by default: a line per request costs about a third of a GET's CPU (bench/README.md),
  // while the metrics answer rates, latencies and outcomes for next to nothing. Operators switch
  // them on with KVS_REQUEST_LOG=true, or at run time with the request-logging flag.
  const requestLog = readSwitch(env, 'KVS_REQUEST_LOG', false);
  const { file: flagsFile } = readFlagsConfig(env);
  const flags = new RuntimeFlags({ readOnly: false, requestLogging: requestLog }, logger.child({ component: 'flags' }));
  const metrics = readSwitch(env, 'KVS_METRICS', true) ? new KvsMetrics(scrape) : undefined;
  const adminPort = env.optional('KVS_ADMIN_PORT') === undefined ? undefined : env.port('KVS_ADMIN_PORT', 0);
  const metricsLogger = logger.child({ component: 'metrics' });
  // The SDK itself was started by observability/tracing/preload before anything else loaded.
  const tracing = readTracingConfig(env);

  const outer: Observers = { middleware: [], interceptors: [] };
  const endpoints: RequestHandler[] = [];
  const policies: Policy[] = [];
  if (tracing.enabled) outer.middleware.push(restSpanRoute(tracing.traceKeys));
  // With a flag file, request logs can be switched on and off at run time (request-logging).
  if (requestLog || flagsFile !== undefined) {
    const options = {
      logger: logger.child({ component: 'request' }),
      enabled: () => flags.requestLogging,
      traceIdOf: tracing.enabled ? activeTraceId : undefined,
    };
    outer.middleware.push(restRequestLog(options));
    outer.interceptors.push(grpcRequestLog(options));
  }
  if (metrics) {
    outer.middleware.push(restRequestMetrics(metrics));
    outer.interceptors.push(grpcRequestMetrics(metrics));
    endpoints.push(metricsEndpoint(metrics, metricsLogger));
  }
  // After the observers, so refused writes are still logged and counted.
  if (flagsFile !== undefined) policies.push(new ReadOnlyPolicy(flags));

  // The admin listener serves the probes (added by the container) and, when on, the metrics.
  const admin =
    adminPort === undefined
      ? undefined
      : { port: adminPort, handlers: metrics ? [metricsEndpoint(metrics, metricsLogger)] : [] };

  return {
    observers: outer,
    endpoints,
    policies,
    logObserver: combineLogObservers(
      metrics ? logMetricsObserver(metrics) : noLogObserver,
      tracing.enabled ? tracingLogObserver() : noLogObserver,
    ),
    metrics,
    admin,
    flags: { flags, file: flagsFile },
    traceLog: (log) => (tracing.enabled ? new TracedTransactionLogger(log, tracing.traceKeys) : log),
  };
}
