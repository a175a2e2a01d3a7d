import { Container } from 'inversify';
import type { RequestHandler } from 'express';
import type { ServerInterceptor } from '@grpc/grpc-js';
import { DEFAULT_LIMITS, KeyValueStore, type Limits, type TransactionLogger } from './core';
import type { Frontend } from './adapters/frontend';
import type { Logger } from './adapters/logger';
import { FileTransactionLogger, readFileLogConfig } from './adapters/file-log';
import { GrpcFrontend, readGrpcConfig } from './adapters/grpc';
import { probeRouter, Readiness } from './adapters/probes';
import { PostgresTransactionLogger, readPostgresLogConfig } from './adapters/postgres-log';
import { AdminServer } from './adapters/admin';
import { grpcReadOnlyGuard, readFlagsConfig, restReadOnlyGuard, RuntimeFlags } from './adapters/flags';
import { combineLogObservers, noLogObserver, type TransactionLogObserver } from './adapters/log-observer';
import {
  grpcRequestMetrics,
  KvsMetrics,
  logMetricsObserver,
  metricsEndpoint,
  restRequestMetrics,
} from './adapters/metrics';
import { grpcRequestLog, restRequestLog } from './adapters/request-log';
import { readRestConfig, RestFrontend } from './adapters/rest';
import {
  activeTraceId,
  readTracingConfig,
  restSpanRoute,
  TracedTransactionLogger,
  tracingLogObserver,
} from './adapters/tracing';
import type { EnvReader } from './config/env-reader';

/** Service identifiers of the container's bindings. */
export const TOKENS = {
  TransactionLogger: Symbol.for('kvs.TransactionLogger'),
  KeyValueStore: Symbol.for('kvs.KeyValueStore'),
  Frontend: Symbol.for('kvs.Frontend'),
  Readiness: Symbol.for('kvs.Readiness'),
  LogDescription: Symbol.for('kvs.LogDescription'),
  /** Bound only when metrics are on. */
  Metrics: Symbol.for('kvs.Metrics'),
  /** Bound only when KVS_ADMIN_PORT is set. */
  AdminServer: Symbol.for('kvs.AdminServer'),
  Flags: Symbol.for('kvs.Flags'),
} as const;

/** Which log the service writes to, for the start-up line: never a password. */
export type LogDescription = Readonly<Record<string, string | number>>;

/** What every transaction log is built with besides its own options. */
interface LoggerContext {
  readonly logger: Logger;
  readonly observer: TransactionLogObserver;
}

/** What every frontend is built with besides its own options. */
interface FrontendContext {
  readonly store: KeyValueStore;
  readonly host: string;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly middleware: readonly RequestHandler[];
  readonly interceptors: readonly ServerInterceptor[];
}

/**
 * Pairs an adapter's config reader with its constructor. The reader runs when the container is
 * built, so every config error surfaces before anything starts; the constructor runs on demand.
 */
function adapter<Config, Context, Built>(
  readConfig: (env: EnvReader) => Config,
  create: (config: Config, context: Context) => Built,
): (env: EnvReader) => (context: Context) => Built {
  return (env) => {
    const config = readConfig(env);
    return (context) => create(config, context);
  };
}

// The adapter registries. Adding a logger or a frontend means one folder under src/adapters
// and one line here; TLOG_TYPE and FRONTEND_TYPE accept exactly these names, and the first
// entries are the defaults.
export const TRANSACTION_LOGGERS = {
  file: adapter(
    readFileLogConfig,
    (config, { logger, observer }: LoggerContext): TransactionLogger =>
      new FileTransactionLogger({ ...config, observer }, logger),
  ),
  postgres: adapter(
    readPostgresLogConfig,
    (config, { logger, observer }: LoggerContext): TransactionLogger =>
      new PostgresTransactionLogger(config, { logger, observer }),
  ),
};
export const FRONTENDS = {
  rest: adapter(
    readRestConfig,
    (config, { store, host, logger, readiness, middleware }: FrontendContext): Frontend =>
      new RestFrontend(store, { host, ...config }, { logger, probes: probeRouter(readiness), middleware }),
  ),
  grpc: adapter(
    readGrpcConfig,
    (config, { store, host, logger, readiness, interceptors }: FrontendContext): Frontend =>
      new GrpcFrontend(store, { host, ...config }, { logger, readiness, interceptors }),
  ),
};

type LoggerName = keyof typeof TRANSACTION_LOGGERS;
type FrontendName = keyof typeof FRONTENDS;

/** The names a registry accepts, in registry order. */
function namesOf<Name extends string>(registry: Record<Name, unknown>): Name[] {
  return Object.keys(registry) as Name[];
}

/** The largest limits accepted: keys must fit in a URL, values in one gRPC message and one log record. */
const MAX_KEY_LIMIT_BYTES = 64 * 1024;
const MAX_VALUE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads KVS_MAX_KEY_BYTES and KVS_MAX_VALUE_BYTES. */
function readLimits(env: EnvReader): Limits {
  return {
    maxKeyBytes: env.integer('KVS_MAX_KEY_BYTES', DEFAULT_LIMITS.maxKeyBytes, 1, MAX_KEY_LIMIT_BYTES),
    maxValueBytes: env.integer('KVS_MAX_VALUE_BYTES', DEFAULT_LIMITS.maxValueBytes, 0, MAX_VALUE_LIMIT_BYTES),
  };
}

/** Reads and validates the whole configuration, then binds the chosen adapters around the core. */
export function buildContainer(env: EnvReader, logger: Logger): Container {
  const loggerName = env.oneOf('TLOG_TYPE', namesOf(TRANSACTION_LOGGERS), 'file');
  const frontendNames = env.listOf('FRONTEND_TYPE', namesOf(FRONTENDS), namesOf(FRONTENDS));
  const limits = readLimits(env);
  const host = env.string('KVS_HOST', '0.0.0.0');
  const createLogger = TRANSACTION_LOGGERS[loggerName](env);
  const frontendFactories = frontendNames.map((name: FrontendName) => ({ name, create: FRONTENDS[name](env) }));

  const container = new Container({ defaultScope: 'Singleton' });
  // Metrics read the store and the log when scraped, both built later by the container.
  const observability = readObservability(env, logger, {
    liveKeys: () => container.get<KeyValueStore>(TOKENS.KeyValueStore).size,
    logHealth: () => container.get<TransactionLogger>(TOKENS.TransactionLogger).health(),
  });
  const { middleware, interceptors, logObserver: observer, metrics, admin, flags, traceLog } = observability;
  container.bind<FlagsSource>(TOKENS.Flags).toConstantValue(flags);
  container.bind<LogDescription>(TOKENS.LogDescription).toConstantValue(describeLog(loggerName, env));
  if (metrics) container.bind<KvsMetrics>(TOKENS.Metrics).toConstantValue(metrics);
  if (admin) {
    container.bind<AdminServer>(TOKENS.AdminServer).toDynamicValue(
      (context) =>
        new AdminServer({
          host,
          port: admin.port,
          handlers: [probeRouter(context.get(TOKENS.Readiness)), ...admin.handlers],
        }),
    );
  }
  container
    .bind<TransactionLogger>(TOKENS.TransactionLogger)
    .toDynamicValue(() =>
      traceLog(
        createLogger({ logger: logger.child({ component: `${loggerName satisfies LoggerName}-log` }), observer }),
      ),
    );
  container
    .bind<KeyValueStore>(TOKENS.KeyValueStore)
    .toDynamicValue((context) => new KeyValueStore(context.get(TOKENS.TransactionLogger), limits));
  container
    .bind<Readiness>(TOKENS.Readiness)
    .toDynamicValue((context) => new Readiness(context.get(TOKENS.TransactionLogger)));
  for (const { name, create } of frontendFactories) {
    container.bind<Frontend>(TOKENS.Frontend).toDynamicValue((context) =>
      create({
        store: context.get(TOKENS.KeyValueStore),
        host,
        logger: logger.child({ component: name }),
        readiness: context.get(TOKENS.Readiness),
        middleware,
        interceptors,
      }),
    );
  }
  return container;
}

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
interface Observability {
  /** REST's cross-cutting chain; `interceptors` is its gRPC twin, in the same order. */
  readonly middleware: readonly RequestHandler[];
  readonly interceptors: readonly ServerInterceptor[];
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
function readObservability(
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
  // The SDK itself was started by adapters/tracing/preload before anything else loaded.
  const tracing = readTracingConfig(env);

  const middleware: RequestHandler[] = [];
  const interceptors: ServerInterceptor[] = [];
  // The scrape endpoint comes first, so scrapes are neither logged nor counted as requests.
  if (metrics) middleware.push(metricsEndpoint(metrics, metricsLogger));
  if (tracing.enabled) middleware.push(restSpanRoute(tracing.traceKeys));
  // With a flag file, request logs can be switched on and off at run time (request-logging).
  if (requestLog || flagsFile !== undefined) {
    const options = {
      logger: logger.child({ component: 'request' }),
      enabled: () => flags.requestLogging,
      traceIdOf: tracing.enabled ? activeTraceId : undefined,
    };
    middleware.push(restRequestLog(options));
    interceptors.push(grpcRequestLog(options));
  }
  if (metrics) {
    middleware.push(restRequestMetrics(metrics));
    interceptors.push(grpcRequestMetrics(metrics));
  }
  // Last, so refused writes are still logged and counted.
  if (flagsFile !== undefined) {
    middleware.push(restReadOnlyGuard(flags));
    interceptors.push(grpcReadOnlyGuard(flags));
  }

  // The admin listener serves the probes (added by the container) and, when on, the metrics.
  const admin =
    adminPort === undefined
      ? undefined
      : { port: adminPort, handlers: metrics ? [metricsEndpoint(metrics, metricsLogger)] : [] };

  return {
    middleware,
    interceptors,
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

/** What the start-up line says about the log, from the same variables the adapter read. */
function describeLog(name: LoggerName, env: EnvReader): LogDescription {
  if (name === 'file') {
    const { filename, sync } = readFileLogConfig(env);
    return { type: name, path: filename, sync };
  }
  const { host, port, database, table, user } = readPostgresLogConfig(env);
  return { type: name, host, port, database, table, user };
}
