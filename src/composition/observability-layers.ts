import type { RequestHandler } from 'express';
import type { TransactionLog } from '../core';
import { ReadOnlyPolicy } from '../application/policies/read-only';
import type { Observer, Policy } from '../application/pipeline';
import { readFlagsConfig, RuntimeFlags } from '../platform/flags';
import { combineLogObservers, noLogObserver, type TransactionLogObserver } from '../driven/log-observer.port';
import type { Logger } from '../platform/logging/logger';
import { KvsMetrics, logMetricsObserver, metricsEndpoint, RequestMetricsObserver } from '../observability/metrics';
import { RequestLogObserver } from '../observability/request-log';
import {
  activeTraceId,
  readTracingConfig,
  SpanRouteObserver,
  TracedTransactionLog,
  tracingLogObserver,
} from '../observability/tracing';
import type { EnvReader } from '../config/env-reader';

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
  /** The pipeline's observers, seeing every call before the policies: span naming, request logs, request metrics. */
  readonly observers: Observer[];
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
  readonly traceLog: (log: TransactionLog) => TransactionLog;
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
  /** What /metrics serves, given this process's metrics (KVS_WORKERS > 1: the whole service's); default: this process's. */
  exposition?: (metrics: KvsMetrics) => () => Promise<string>,
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
  const served = metrics && exposition?.(metrics);
  // The SDK itself was started by observability/tracing/preload before anything else loaded.
  const tracing = readTracingConfig(env);

  const observers: Observer[] = [];
  const endpoints: RequestHandler[] = [];
  const policies: Policy[] = [];
  if (tracing.enabled) observers.push(new SpanRouteObserver(tracing.traceKeys));
  // With a flag file, request logs can be switched on and off at run time (request-logging).
  if (requestLog || flagsFile !== undefined) {
    observers.push(
      new RequestLogObserver({
        logger: logger.child({ component: 'request' }),
        enabled: () => flags.requestLogging,
        traceIdOf: tracing.enabled ? activeTraceId : undefined,
      }),
    );
  }
  if (metrics) {
    observers.push(new RequestMetricsObserver(metrics));
    endpoints.push(metricsEndpoint(metrics, metricsLogger, served));
  }
  // After the observers, so refused writes are still logged and counted.
  if (flagsFile !== undefined) policies.push(new ReadOnlyPolicy(flags));

  // The admin listener serves the probes (added by the container) and, when on, the metrics.
  const admin =
    adminPort === undefined
      ? undefined
      : { port: adminPort, handlers: metrics ? [metricsEndpoint(metrics, metricsLogger, served)] : [] };

  return {
    observers,
    endpoints,
    policies,
    logObserver: combineLogObservers(
      metrics ? logMetricsObserver(metrics) : noLogObserver,
      tracing.enabled ? tracingLogObserver() : noLogObserver,
    ),
    metrics,
    admin,
    flags: { flags, file: flagsFile },
    traceLog: (log) => (tracing.enabled ? new TracedTransactionLog(log, tracing.traceKeys) : log),
  };
}
