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
import { readRestConfig, RestFrontend } from './adapters/rest';
import { ConfigError, type EnvReader } from './config/env-reader';

/** Service identifiers of the container's bindings. */
export const TOKENS = {
  TransactionLogger: Symbol.for('kvs.TransactionLogger'),
  KeyValueStore: Symbol.for('kvs.KeyValueStore'),
  Frontend: Symbol.for('kvs.Frontend'),
  Readiness: Symbol.for('kvs.Readiness'),
  /** Bound only when TLS is on: main reloads it on SIGHUP. */
  ReloadingTls: Symbol.for('kvs.ReloadingTls'),
} as const;

/** What every frontend is built with besides its own options. */
interface FrontendContext {
  readonly store: KeyValueStore;
  readonly host: string;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly layers: SecurityLayers;
}

/** The cross-cutting layers both frontends apply, REST middleware and gRPC interceptors in the same order. */
interface SecurityLayers {
  readonly middleware: RequestHandler[];
  readonly interceptors: ServerInterceptor[];
  readonly tls?: ReloadingTls;
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
    (config, logger: Logger): TransactionLogger => new FileTransactionLogger(config, logger),
  ),
  postgres: adapter(
    readPostgresLogConfig,
    (config, logger: Logger): TransactionLogger => new PostgresTransactionLogger(config, { logger }),
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
function buildSecurityLayers(env: EnvReader, logger: Logger): SecurityLayers & { auth: boolean } {
  const middleware: RequestHandler[] = [];
  const interceptors: ServerInterceptor[] = [];
  const shedding = readLoadSheddingConfig(env);
  if (shedding) {
    const shedder = new LoadShedder(shedding, logger.child({ component: 'load-shedding' }));
    middleware.push(loadSheddingMiddleware(shedder));
    interceptors.push(loadSheddingInterceptor(shedder));
  }
  const auth = readAuthConfig(env);
  if (auth) {
    const policy = new AccessPolicy(auth, logger.child({ component: 'auth' }));
    middleware.push(authMiddleware(policy, auth.protectMetrics));
    interceptors.push(authInterceptor(policy));
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
  return { middleware, interceptors, tls, auth: auth !== undefined };
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
  container
    .bind<TransactionLogger>(TOKENS.TransactionLogger)
    .toDynamicValue(() => createLogger(logger.child({ component: `${loggerName satisfies LoggerName}-log` })));
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
        layers,
      }),
    );
  }
  return container;
}
