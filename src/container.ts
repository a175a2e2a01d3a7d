import type { ServerInterceptor } from '@grpc/grpc-js';
import type { RequestHandler } from 'express';
import { Container } from 'inversify';
import { DEFAULT_LIMITS, KeyValueStore, type Limits, type TransactionLogger } from './core';
import { AccessPolicy, authInterceptor, authMiddleware, readAuthConfig } from './adapters/auth';
import type { Frontend } from './adapters/frontend';
import type { Logger } from './adapters/logger';
import {
  LoadShedder,
  loadSheddingInterceptor,
  loadSheddingMiddleware,
  readLoadSheddingConfig,
} from './adapters/load-shedding';
import {
  CallerRateLimiter,
  rateLimitInterceptor,
  rateLimitMiddleware,
  readRateLimitConfig,
} from './adapters/rate-limit';
import { ReloadingTls, readTlsConfig, TlsMaterialError } from './adapters/tls';
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
import { ConfigError, type EnvReader } from './config/env-reader';

/** Service identifiers of the container's bindings. */
export const TOKENS = {
  TransactionLogger: Symbol.for('kvs.TransactionLogger'),
  KeyValueStore: Symbol.for('kvs.KeyValueStore'),
  Frontend: Symbol.for('kvs.Frontend'),
  Readiness: Symbol.for('kvs.Readiness'),
  /** Bound only when TLS is on: main reloads it on SIGHUP. */
  ReloadingTls: Symbol.for('kvs.ReloadingTls'),
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
  readonly layers: SecurityLayers;
}

/** REST middleware and their gRPC interceptor twins, in the same order, outermost first. */
interface Chain {
  readonly middleware: RequestHandler[];
  readonly interceptors: ServerInterceptor[];
}

/** The cross-cutting layers both frontends apply, REST middleware and gRPC interceptors in the same order. */
interface SecurityLayers extends Chain {
  readonly tls?: ReloadingTls;
}

/** What buildSecurityLayers adds for the start-up checks and the admin listener. */
interface BuiltSecurityLayers extends SecurityLayers {
  readonly auth: boolean;
  /** With KVS_AUTH_PROTECT_METRICS=true: the token check that also guards the admin listener's /metrics. */
  readonly metricsGuard?: RequestHandler;
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
    (config, { store, host, logger, readiness, layers }: FrontendContext): Frontend =>
      new RestFrontend(
        store,
        { host, ...config },
        { logger, probes: probeRouter(readiness), middleware: layers.middleware, tls: layers.tls },
      ),
  ),
  grpc: adapter(
    readGrpcConfig,
    (config, { store, host, logger, readiness, layers }: FrontendContext): Frontend =>
      new GrpcFrontend(
        store,
        { host, ...config },
        { logger, readiness, interceptors: layers.interceptors, tls: layers.tls },
      ),
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

/**
 * Builds the security layers from KVS_TLS_*, JWT_KEY / KVS_JWT_*, KVS_RATE_* and the shedding
 * bounds. Order matters: shedding first (the cheapest refusal, and it must hold even when token
 * checks are what overloads us), then authentication (so limits are charged to the token's
 * subject), then the per-caller rate limit.
 */
function buildSecurityLayers(env: EnvReader, logger: Logger): BuiltSecurityLayers {
  const middleware: RequestHandler[] = [];
  const interceptors: ServerInterceptor[] = [];
  const shedding = readLoadSheddingConfig(env);
  if (shedding) {
    const shedder = new LoadShedder(shedding, logger.child({ component: 'load-shedding' }));
    middleware.push(loadSheddingMiddleware(shedder));
    interceptors.push(loadSheddingInterceptor(shedder));
  }
  const auth = readAuthConfig(env);
  let metricsGuard: RequestHandler | undefined;
  if (auth) {
    const policy = new AccessPolicy(auth, logger.child({ component: 'auth' }));
    const check = authMiddleware(policy, auth.protectMetrics);
    middleware.push(check);
    interceptors.push(authInterceptor(policy));
    if (auth.protectMetrics) metricsGuard = check;
  }
  const rateLimit = readRateLimitConfig(env);
  if (rateLimit) {
    const limiter = new CallerRateLimiter(rateLimit, logger.child({ component: 'rate-limit' }));
    middleware.push(rateLimitMiddleware(limiter));
    interceptors.push(rateLimitInterceptor(limiter));
  }
  const tlsFiles = readTlsConfig(env);
  let tls: ReloadingTls | undefined;
  try {
    tls = tlsFiles && new ReloadingTls(tlsFiles, logger.child({ component: 'tls' }));
  } catch (error) {
    if (error instanceof TlsMaterialError) throw new ConfigError(`config: ${error.message}`);
    throw error;
  }
  return { middleware, interceptors, tls, auth: auth !== undefined, metricsGuard };
}

/** Whether `host` accepts connections from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Reads and validates the whole configuration, then binds the chosen adapters around the core. */
export function buildContainer(env: EnvReader, logger: Logger): Container {
  const loggerName = env.oneOf('TLOG_TYPE', namesOf(TRANSACTION_LOGGERS), 'file');
  const frontendNames = env.listOf('FRONTEND_TYPE', namesOf(FRONTENDS), namesOf(FRONTENDS));
  const limits = readLimits(env);
  // Loopback unless asked otherwise, as etcd and Redis's protected mode do: a fresh install is
  // not reachable from the network before TLS and tokens are set up.
  const host = env.string('KVS_HOST', '127.0.0.1');
  const layers = buildSecurityLayers(env, logger);
  if (!isLoopback(host) && (layers.tls === undefined || !layers.auth)) {
    const missing = [layers.tls === undefined && 'TLS', !layers.auth && 'authentication'].filter(Boolean).join(' and ');
    logger.warn(
      { event: 'insecure_listen', host, tls: layers.tls !== undefined, auth: layers.auth },
      `listening on ${host}, beyond loopback, without ${missing}; see README "Security"`,
    );
  }
  const createLogger = TRANSACTION_LOGGERS[loggerName](env);
  const frontendFactories = frontendNames.map((name: FrontendName) => ({ name, create: FRONTENDS[name](env) }));

  const container = new Container({ defaultScope: 'Singleton' });
  if (layers.tls) container.bind<ReloadingTls>(TOKENS.ReloadingTls).toConstantValue(layers.tls);
  // Metrics read the store and the log when scraped, both built later by the container.
  const observability = readObservability(env, logger, {
    liveKeys: () => container.get<KeyValueStore>(TOKENS.KeyValueStore).size,
    logHealth: () => container.get<TransactionLogger>(TOKENS.TransactionLogger).health(),
  });
  const { outer, inner, logObserver: observer, metrics, admin, flags, traceLog } = observability;
  // Request logs and metrics outside the security layers, so refusals (401, 429, shed load) are
  // logged and counted; /metrics and the read-only guard inside, so auth can protect /metrics.
  const chain: SecurityLayers = {
    middleware: [...outer.middleware, ...layers.middleware, ...inner.middleware],
    interceptors: [...outer.interceptors, ...layers.interceptors, ...inner.interceptors],
    tls: layers.tls,
  };
  container.bind<FlagsSource>(TOKENS.Flags).toConstantValue(flags);
  container.bind<LogDescription>(TOKENS.LogDescription).toConstantValue(describeLog(loggerName, env));
  if (metrics) container.bind<KvsMetrics>(TOKENS.Metrics).toConstantValue(metrics);
  if (admin) {
    container.bind<AdminServer>(TOKENS.AdminServer).toDynamicValue(
      (context) =>
        new AdminServer({
          host,
          port: admin.port,
          // Probes first: they stay open even when the metrics after them need a token.
          handlers: [
            probeRouter(context.get(TOKENS.Readiness)),
            ...(layers.metricsGuard ? [layers.metricsGuard] : []),
            ...admin.handlers,
          ],
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
        layers: chain,
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
  /** Outside the security layers: trace naming, request logs, request metrics. */
  readonly outer: Chain;
  /** Inside them: GET /metrics and the read-only guard. */
  readonly inner: Chain;
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

  const outer: Chain = { middleware: [], interceptors: [] };
  const inner: Chain = { middleware: [], interceptors: [] };
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
    inner.middleware.push(metricsEndpoint(metrics, metricsLogger));
  }
  // Inside, so refused writes are still logged and counted.
  if (flagsFile !== undefined) {
    inner.middleware.push(restReadOnlyGuard(flags));
    inner.interceptors.push(grpcReadOnlyGuard(flags));
  }

  // The admin listener serves the probes (added by the container) and, when on, the metrics.
  const admin =
    adminPort === undefined
      ? undefined
      : { port: adminPort, handlers: metrics ? [metricsEndpoint(metrics, metricsLogger)] : [] };

  return {
    outer,
    inner,
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
