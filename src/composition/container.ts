import type { RequestHandler } from 'express';
import { Container } from 'inversify';
import {
  DEFAULT_LIMITS,
  DEFAULT_MAX_TTL_MS,
  KeyValueStore,
  ReplicaStore,
  systemClock,
  type Limits,
  type ListeningFrontend,
  type TransactionLog,
} from '../core';
import { ReadConsistency } from '../application/consistency/read-consistency';
import { readMaxStalenessMs, readReadConsistencyConfig } from '../application/consistency/read-consistency.config';
import { ReplicaStaleness } from '../application/consistency/staleness';
import { DURATION_SYNTAX, formatDuration, parseDuration } from '../api/duration';
import { ExpiryScheduler } from '../application/expiry/expiry-scheduler';
import { expiryMetrics } from '../observability/metrics';
import { OperationsListener } from '../driving/operations-listener';
import { FileTransactionLog, readFileLogConfig } from '../driven/file-log';
import type { Frontend } from '../driving/frontend.port';
import { GrpcFrontend, readGrpcConfig } from '../driving/grpc';
import type { TransactionLogObserver } from '../driven/log-observer.port';
import type { Logger } from '../platform/logging/logger';
import type { KvsMetrics } from '../observability/metrics';
import { PostgresTransactionLog, readPostgresLogConfig } from '../driven/postgres-log';
import { probeRouter, Readiness } from '../driving/probes';
import { readRestConfig, RestFrontend, restCallAdapter } from '../driving/rest';
import { OperationTable } from '../application/operations';
import { PolicyPipeline } from '../application/pipeline';
import type { ReloadingTls } from '../platform/tls';
import type { EnvReader } from '../config/env-reader';
import { defaultDataQuotaBytes } from '../config/memory-limits';
import { readObservability, type FlagsSource } from './observability-layers';
import { buildSecurityLayers, isLoopback } from './security-layers';
import type { WatchService } from '../application/watch/watch-service';
import { buildWatches, type WatchParts } from './watch-layer';
import { serviceStatus, type StatusSource } from '../application/status/service-status';
import { packageVersion } from '../platform/package/package-version';
import { readWorkersConfig, type WorkerPool } from '../platform/workers';
import type { BroadcastingLog } from '../driving/worker-link';
import {
  broadcasting,
  buildOwnerSide,
  connectToOwner,
  headOf,
  processRole,
  type OwnerSide,
  type ProcessRole,
} from './worker-layer';

export type { FlagsSource } from './observability-layers';

/** Service identifiers of the container's bindings. */
export const TOKENS = {
  TransactionLog: Symbol.for('kvs.TransactionLog'),
  KeyValueStore: Symbol.for('kvs.KeyValueStore'),
  Frontend: Symbol.for('kvs.Frontend'),
  Readiness: Symbol.for('kvs.Readiness'),
  /** Bound only when TLS is on: main reloads it on SIGHUP. */
  ReloadingTls: Symbol.for('kvs.ReloadingTls'),
  LogDescription: Symbol.for('kvs.LogDescription'),
  /** Bound only when metrics are on. */
  Metrics: Symbol.for('kvs.Metrics'),
  /** Bound only when KVS_ADMIN_PORT is set. */
  OperationsListener: Symbol.for('kvs.OperationsListener'),
  Flags: Symbol.for('kvs.Flags'),
  Expiry: Symbol.for('kvs.Expiry'),
  /** What min_revision and linearizable reads wait on. */
  ReadConsistency: Symbol.for('kvs.ReadConsistency'),
  /** A shared replica's staleness (undefined for a log with one writer). */
  Staleness: Symbol.for('kvs.Staleness'),
  /** KVS_WORKERS > 1, the owner only: the answers to the workers and their pool. */
  OwnerSide: Symbol.for('kvs.OwnerSide'),
  /** Everything main runs, built from the bindings above. */
  Service: Symbol.for('kvs.Service'),
} as const;

/** What main runs: the parts of the service, each built by the container from its bindings. */
export interface ServiceParts {
  readonly log: TransactionLog;
  readonly store: KeyValueStore;
  readonly frontends: readonly Frontend[];
  readonly readiness: Readiness;
  /** KVS_ADMIN_PORT's listener (probes and metrics), when set. */
  readonly operationsListener?: OperationsListener;
  readonly flags: FlagsSource;
  /** When metrics are on: main records the replay in them. */
  readonly metrics?: KvsMetrics;
  /** When TLS is on: main reloads it on SIGHUP. */
  readonly tls?: ReloadingTls;
  readonly logDescription: LogDescription;
  /** The watch hub and service: main tells them of the restore and shuts the streams first. */
  readonly watches: WatchParts;
  /** Logs expiries: main drains what is due before serving, starts it, and stops it at shutdown. */
  readonly expiry: ExpiryScheduler;
  /** KVS_RATE_LIMIT_STORE=postgres: main closes its connections once the log is closed. */
  readonly rateLimits?: { close(): Promise<void> };
  /** Which process this is (KVS_WORKERS > 1: the owner or a worker). */
  readonly role: ProcessRole;
  /** The owner only: the worker processes. */
  readonly workers?: WorkerPool;
  /** A worker only: tells the owner that its frontends listen, and where. */
  readonly owner?: { listening(where: readonly ListeningFrontend[]): void };
}

/** Which log the service writes to, for the start-up line: never a password. */
export type LogDescription = Readonly<Record<string, string | number>>;

/** What every transaction log is built with besides its own options. */
interface TransactionLogContext {
  readonly logger: Logger;
  readonly observer: TransactionLogObserver;
}

/** What every frontend is built with besides its own options. */
interface FrontendContext {
  readonly store: KeyValueStore;
  /** What GET /v1/status answers. */
  readonly status: StatusSource;
  readonly reads: ReadConsistency;
  readonly host: string;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly layers: Layers;
}

/** What every frontend applies around its handlers: the pipeline (observers and policies), the REST endpoints, TLS. */
interface Layers {
  readonly operations: OperationTable;
  readonly pipeline: PolicyPipeline;
  readonly endpoints: readonly RequestHandler[];
  readonly tls?: ReloadingTls;
  readonly watches: WatchService;
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

// The adapter registries. Adding a logger or a frontend means one folder under src/driving (a frontend)
// or src/driven (a log) and one line here; TLOG_TYPE and FRONTEND_TYPE accept exactly these names, and the first
// entries are the defaults.
export const TRANSACTION_LOGS = {
  file: adapter(
    readFileLogConfig,
    (config, { logger, observer }: TransactionLogContext): TransactionLog =>
      new FileTransactionLog({ ...config, observer }, logger),
  ),
  postgres: adapter(
    readPostgresLogConfig,
    (config, { logger, observer }: TransactionLogContext): TransactionLog =>
      new PostgresTransactionLog(config, { logger, observer }),
  ),
};
export const FRONTENDS = {
  rest: adapter(
    readRestConfig,
    (config, { store, reads, host, logger, readiness, layers, status }: FrontendContext): Frontend =>
      new RestFrontend(
        store,
        { host, ...config },
        {
          logger,
          probes: probeRouter(readiness),
          operations: layers.operations,
          pipeline: layers.pipeline,
          endpoints: layers.endpoints,
          tls: layers.tls,
          watches: layers.watches,
          status,
          reads,
        },
      ),
  ),
  grpc: adapter(
    readGrpcConfig,
    (config, { store, reads, host, logger, readiness, layers }: FrontendContext): Frontend =>
      new GrpcFrontend(
        store,
        { host, ...config },
        {
          logger,
          readiness,
          operations: layers.operations,
          pipeline: layers.pipeline,
          tls: layers.tls,
          watches: layers.watches,
          reads,
        },
      ),
  ),
};

type LoggerName = keyof typeof TRANSACTION_LOGS;
type FrontendName = keyof typeof FRONTENDS;

/** The names a registry accepts, in registry order. */
function namesOf<Name extends string>(registry: Record<Name, unknown>): Name[] {
  return Object.keys(registry) as Name[];
}

/** The largest limits accepted: keys must fit in a URL, values in one gRPC message and one log record. */
const MAX_KEY_LIMIT_BYTES = 64 * 1024;
const MAX_VALUE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads KVS_MAX_KEY_BYTES, KVS_MAX_VALUE_BYTES, KVS_MAX_DATA_BYTES (default: a quarter of the
 * heap limit) and KVS_MAX_TTL.
 */
function readLimits(env: EnvReader): Limits {
  return {
    maxKeyBytes: env.integer('KVS_MAX_KEY_BYTES', DEFAULT_LIMITS.maxKeyBytes, 1, MAX_KEY_LIMIT_BYTES),
    maxValueBytes: env.integer('KVS_MAX_VALUE_BYTES', DEFAULT_LIMITS.maxValueBytes, 0, MAX_VALUE_LIMIT_BYTES),
    maxDataBytes: env.integer('KVS_MAX_DATA_BYTES', defaultDataQuotaBytes(), 1, Number.MAX_SAFE_INTEGER),
    maxTtlMs: readMaxTtl(env),
  };
}

/** KVS_MAX_TTL in ms: a duration as clients write TTLs. */
function readMaxTtl(env: EnvReader): number {
  const fallback = formatDuration(DEFAULT_MAX_TTL_MS);
  const raw = env.string('KVS_MAX_TTL', fallback);
  const ms = parseDuration(raw.trim());
  if (ms === undefined) throw env.invalid('KVS_MAX_TTL', raw, DURATION_SYNTAX);
  return ms;
}

/** Reads and validates the whole configuration, then binds the chosen adapters around the core. */
export function buildContainer(env: EnvReader, logger: Logger): Container {
  const loggerName = env.oneOf('TLOG_TYPE', namesOf(TRANSACTION_LOGS), 'file');
  // The file log has one writer; only the PostgreSQL log can be shared by replicas.
  if (loggerName === 'file' && env.oneOf('KVS_REPLICAS', ['single', 'shared'], 'single') === 'shared') {
    throw env.invalid('KVS_REPLICAS', 'shared', 'single with TLOG_TYPE=file (shared needs TLOG_TYPE=postgres)');
  }
  const frontendNames = env.listOf('FRONTEND_TYPE', namesOf(FRONTENDS), namesOf(FRONTENDS));
  const limits = readLimits(env);
  const workerCount = readWorkersConfig(env);
  // A shared replica's store may be rebased onto a compacted history (LogFollower.rebase), which
  // the owner does not pass on to its workers' copies: one replica process per host until it does.
  if (workerCount > 1 && env.oneOf('KVS_REPLICAS', ['single', 'shared'], 'single') === 'shared') {
    throw env.invalid('KVS_WORKERS', String(workerCount), '1 with KVS_REPLICAS=shared (run more replicas instead)');
  }
  const role = processRole(workerCount);
  // A worker's store follows the owner's history; it never opens the log itself.
  const worker = role === 'worker' ? connectToOwner() : undefined;
  // Loopback unless asked otherwise, as etcd and Redis's protected mode do: a fresh install is
  // not reachable from the network before TLS and tokens are set up.
  const host = env.string('KVS_HOST', '127.0.0.1');
  const layers = buildSecurityLayers(env, logger, role === 'worker');
  // Warned once, by the process that reads the configuration first (a worker reads it again).
  if (role !== 'worker' && !isLoopback(host) && (layers.tls === undefined || !layers.auth)) {
    const missing = [layers.tls === undefined && 'TLS', !layers.auth && 'authentication'].filter(Boolean).join(' and ');
    logger.warn(
      { event: 'insecure_listen', host, tls: layers.tls !== undefined, auth: layers.auth },
      `listening on ${host}, beyond loopback, without ${missing}; see docs/securing.md`,
    );
  }
  const createLogger = TRANSACTION_LOGS[loggerName](env);
  const frontendFactories = frontendNames.map((name: FrontendName) => ({ name, create: FRONTENDS[name](env) }));

  const container = new Container({ defaultScope: 'Singleton' });
  if (layers.tls) container.bind<ReloadingTls>(TOKENS.ReloadingTls).toConstantValue(layers.tls);
  // Metrics read the store and the log when scraped, both built later by the container.
  const observability = readObservability(
    env,
    logger,
    {
      liveKeys: () => container.get<KeyValueStore>(TOKENS.KeyValueStore).size,
      dataBytes: () => container.get<KeyValueStore>(TOKENS.KeyValueStore).dataBytes,
      dataQuotaBytes: limits.maxDataBytes,
      logHealth: () => container.get<TransactionLog>(TOKENS.TransactionLog).health(),
    },
    role === 'single' ? undefined : exposition(),
  );
  /** With workers, /metrics serves the whole service (the owner gathers it). */
  function exposition(): (metrics: KvsMetrics) => () => Promise<string> {
    if (worker) return worker.exposition;
    return () => () => container.get<OwnerSide>(TOKENS.OwnerSide).requests.serviceMetrics();
  }
  const { observers, endpoints, policies, metrics, admin, flags, traceLog } = observability;
  const watches = buildWatches(env, observability.logObserver, metrics, () =>
    container.get<KeyValueStore>(TOKENS.KeyValueStore),
  );
  const observer = watches.logObserver;
  // Request logs and metrics observe every call before the policies, so refusals (401, 429, shed
  // load) are logged and counted; /metrics after them, so auth can protect /metrics; read-only
  // last of the policies.
  const operations = new OperationTable();
  const chain: Layers = {
    operations,
    pipeline: new PolicyPipeline([...layers.policies, ...policies], observers),
    endpoints,
    tls: layers.tls,
    watches: watches.service,
  };
  container.bind<FlagsSource>(TOKENS.Flags).toConstantValue(flags);
  container.bind<LogDescription>(TOKENS.LogDescription).toConstantValue(describeLog(loggerName, env));
  if (metrics) container.bind<KvsMetrics>(TOKENS.Metrics).toConstantValue(metrics);
  // The operations listener runs in the owner: it speaks for the whole service.
  if (admin && role !== 'worker') {
    container.bind<OperationsListener>(TOKENS.OperationsListener).toDynamicValue(
      (context) =>
        new OperationsListener({
          host,
          port: admin.port,
          // Probes first: they stay open even when the metrics after them need a token.
          handlers: [
            probeRouter(context.get(TOKENS.Readiness)),
            ...(layers.metricsAuth ? [restCallAdapter(operations, new PolicyPipeline([layers.metricsAuth]))] : []),
            ...admin.handlers,
          ],
        }),
    );
  }
  container.bind<TransactionLog>(TOKENS.TransactionLog).toDynamicValue(() => {
    if (worker) return worker.log;
    const log = traceLog(
      createLogger({ logger: logger.child({ component: `${loggerName satisfies LoggerName}-log` }), observer }),
    );
    return role === 'owner' ? broadcasting(log) : log;
  });
  container.bind<KeyValueStore>(TOKENS.KeyValueStore).toDynamicValue((context) => {
    const log = context.get<TransactionLog>(TOKENS.TransactionLog);
    if (worker) return new ReplicaStore(log, worker.link, limits, watches.observe);
    // Replicas of a shared log set and judge deadlines by its storage's clock, not their hosts'.
    // Read-only freezes the log: a shared log's keepalives (logged records) wait for its end.
    const frozen = (): boolean => flags.flags.readOnly;
    return new KeyValueStore(log, limits, watches.observe, log.clock ?? systemClock, watches.rebased, frozen);
  });
  container.bind<OwnerSide>(TOKENS.OwnerSide).toDynamicValue((context) =>
    buildOwnerSide({
      workers: readWorkersConfig(env),
      store: context.get(TOKENS.KeyValueStore),
      log: context.get<BroadcastingLog>(TOKENS.TransactionLog),
      metrics,
      rateLimited: layers.rateLimited,
      logger,
    }),
  );
  container.bind<ExpiryScheduler>(TOKENS.Expiry).toDynamicValue((context) => {
    const store = context.get<KeyValueStore>(TOKENS.KeyValueStore);
    return new ExpiryScheduler(store, {
      // Read-only freezes the log: expired keys stay invisible, their deletes wait for its end.
      paused: () => flags.flags.readOnly,
      expired: metrics && expiryMetrics(metrics.registry, () => store.expiryStats),
      logger: logger.child({ component: 'expiry' }),
    });
  });
  const readConsistency = readReadConsistencyConfig(env);
  const postgres = loggerName === 'postgres' ? readPostgresLogConfig(env) : undefined;
  const maxStalenessMs = postgres?.replicas === 'shared' ? readMaxStalenessMs(env, postgres.pollMs) : undefined;
  // Only a replica of a shared log can fall behind a history others write.
  container.bind<ReplicaStaleness | undefined>(TOKENS.Staleness).toDynamicValue((context) => {
    const log = context.get<TransactionLog>(TOKENS.TransactionLog);
    if (!log.onHeadConfirmed || maxStalenessMs === undefined) return undefined;
    const confirmations = log.onHeadConfirmed.bind(log);
    return new ReplicaStaleness({ onHeadConfirmed: confirmations }, maxStalenessMs);
  });
  container.bind<ReadConsistency>(TOKENS.ReadConsistency).toDynamicValue((context) => {
    const store = context.get<KeyValueStore>(TOKENS.KeyValueStore);
    // A worker's head is the owner's; a shared log's the database's; a log with one writer the store's own.
    const head = worker ? worker.link : headOf(context.get<TransactionLog>(TOKENS.TransactionLog), store);
    return new ReadConsistency(store, head, readConsistency, context.get(TOKENS.Staleness));
  });
  container
    .bind<Readiness>(TOKENS.Readiness)
    .toDynamicValue((context) => new Readiness(context.get(TOKENS.TransactionLog), context.get(TOKENS.Staleness)));
  for (const { name, create } of frontendFactories) {
    container.bind<Frontend>(TOKENS.Frontend).toDynamicValue((context) =>
      create({
        store: context.get(TOKENS.KeyValueStore),
        reads: context.get(TOKENS.ReadConsistency),
        host,
        logger: logger.child({ component: name }),
        readiness: context.get(TOKENS.Readiness),
        layers: chain,
        status: serviceStatus({
          store: context.get(TOKENS.KeyValueStore),
          log: context.get(TOKENS.TransactionLog),
          readiness: context.get(TOKENS.Readiness),
          version: packageVersion(),
        }),
      }),
    );
  }
  container.bind<ServiceParts>(TOKENS.Service).toDynamicValue((context) => ({
    log: context.get(TOKENS.TransactionLog),
    store: context.get(TOKENS.KeyValueStore),
    // The owner serves its workers, not clients.
    frontends: role === 'owner' ? [] : context.getAll(TOKENS.Frontend),
    readiness: context.get(TOKENS.Readiness),
    operationsListener:
      admin && role !== 'worker' ? context.get<OperationsListener>(TOKENS.OperationsListener) : undefined,
    flags: context.get(TOKENS.Flags),
    metrics,
    tls: layers.tls,
    logDescription: context.get(TOKENS.LogDescription),
    watches,
    expiry: context.get(TOKENS.Expiry),
    rateLimits: layers.rateLimits,
    role,
    workers: role === 'owner' ? context.get<OwnerSide>(TOKENS.OwnerSide).pool : undefined,
    owner: worker?.link,
  }));
  return container;
}

/** Reads and validates the whole configuration and composes the service: what main runs. */
export function composeService(env: EnvReader, logger: Logger): ServiceParts {
  return buildContainer(env, logger).get<ServiceParts>(TOKENS.Service);
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
