// The composition root: read the environment, wire the adapters, restore, serve, shut down.
// Tracing first: it can only instrument http, grpc-js and pg if it starts before they load.
import { runningTracing } from './observability/tracing/preload';
import 'reflect-metadata';
import { pino, type Level } from 'pino';
import { describeError } from './platform/error-text/error-text';
import type { Logger } from './platform/logging/logger';
import { ConfigError, EnvReader } from './config/env-reader';
import { readMemoryLimits } from './config/memory-limits';
import { unreadVariables } from './config/unread-variables';
import { composeService, type ServiceParts } from './composition/container';
import { stopOnSignalsOrLogFailure } from './composition/shutdown';
import cluster from 'node:cluster';
import { WorkerStartError } from './platform/workers';
import type { ProcessRole } from './composition/worker-layer';
import { serveAsOwner } from './composition/owner-process';
import { serveAsWorker } from './composition/worker-process';
import {
  listenFrontends,
  logStarted,
  reloadTlsOnChange,
  restoreStore,
  startAdmin,
  startExpiry,
  undoStart,
} from './composition/serve-steps';
import { routeGrpcJsLogs } from './composition/grpc-js-logging';

/** Exit status for a configuration mistake (documented in the README). */
const EXIT_CONFIG_ERROR = 2;
/** Exit status for a failure to start or to shut down cleanly. */
const EXIT_FAILURE = 1;

const LOG_LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The service's one root logger: JSON lines on stdout; adapters get children of it. */
function createRootLogger(env: EnvReader): Logger {
  return pino(
    {
      level: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      // A worker's lines say which one wrote them (KVS_WORKERS > 1: they share stdout).
      base: cluster.isWorker ? { service: 'kvs', worker: cluster.worker?.id } : { service: 'kvs' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous writes: lines logged while a write is in flight go out together in the next
    // one, so a line per request costs a share of a syscall instead of one each. pino flushes
    // what is pending synchronously when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Config → compose: reads every variable and builds the parts; a config mistake exits 2. */
function configure(): { service: ServiceParts; logger: Logger } {
  const env = new EnvReader(process.env);
  try {
    const logger = createRootLogger(env);
    routeGrpcJsLogs(logger);
    const service = composeService(env, logger);
    // Once, by the owner: a worker reads the same environment again.
    if (service.role !== 'worker') warnAboutUnreadVariables(env, logger);
    return { service, logger };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    exitOnConfigError(error);
  }
}

/** A plain line on stderr, then exit 2: the configuration that would shape a JSON log is what is wrong. */
function exitOnConfigError(error: ConfigError): never {
  process.stderr.write(`kvs: ${error.message}\n`);
  process.exit(EXIT_CONFIG_ERROR);
}

/** One warning per KVS_/TLOG_ variable that is set but read by nothing: most likely a typo. */
function warnAboutUnreadVariables(env: EnvReader, logger: Logger): void {
  for (const { name, suggestion } of unreadVariables(process.env, env.namesRead)) {
    const hint = suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
    logger.warn({ event: 'config_variable_unread', variable: name, suggestion }, `${name} is set but not read${hint}`);
  }
}

/** The single process (KVS_WORKERS=1): restore → serve → stop on signal. */
async function serve(service: ServiceParts, logger: Logger): Promise<void> {
  const { frontends, readiness, operationsListener: admin, tls, watches, expiry, log } = service;
  const { flags, file: flagsFile } = service.flags;
  let started;
  try {
    await flags.start(flagsFile);
    await startAdmin(service, logger);
    const replay = await restoreStore(service, logger);
    await startExpiry(service, logger);
    // Frontends start only after the restore, so no client ever sees a half-replayed store.
    started = { replay, listening: await listenFrontends(frontends, logger) };
  } catch (error) {
    await undoStart(service);
    throw error;
  }
  logStarted(logger, service, started.listening, started.replay);
  readiness.serving();
  if (tls) reloadTlsOnChange(tls);
  stopOnSignalsOrLogFailure({
    frontends,
    watches: watches.service,
    expiry,
    admin,
    log,
    readiness,
    logger,
    afterLogClosed: () => afterLogClosed(service),
  });
}

/** Flushes the spans still buffered for export, and closes the shared rate limits' connections. */
function afterLogClosed(service: ServiceParts): Promise<unknown> {
  return Promise.all([runningTracing?.shutdown(), service.rateLimits?.close()]);
}

/** What each process runs (docs/workers.md): the single process, or the owner and the workers of KVS_WORKERS > 1. */
const SERVE: Readonly<Record<ProcessRole, (service: ServiceParts, logger: Logger) => Promise<void>>> = {
  single: serve,
  owner: (service, logger) => serveAsOwner(service, logger, () => afterLogClosed(service)),
  worker: (service, logger) => serveAsWorker(service, logger, () => afterLogClosed(service)),
};

/** Says how large the heap may grow, and warns when the container would kill the process first. */
function logMemoryLimits(logger: Logger): void {
  const limits = readMemoryLimits();
  const container = limits.containerLimitMiB === undefined ? 'none' : `${limits.containerLimitMiB} MiB`;
  logger.info(
    { event: 'memory_limits', heapLimitMiB: limits.heapLimitMiB, containerLimitMiB: limits.containerLimitMiB },
    `JavaScript heap limit ${limits.heapLimitMiB} MiB; container memory limit ${container}`,
  );
  if (limits.heapTooLarge) {
    logger.warn(
      { event: 'heap_limit_above_memory_limit' },
      `the heap may outgrow the container's memory: set NODE_OPTIONS=--max-old-space-size=${limits.suggestedHeapMiB}`,
    );
  }
}

const { service, logger } = configure();
logMemoryLimits(logger);
SERVE[service.role](service, logger).catch((error: unknown) => {
  // A setting found wrong only while starting (a taken port): reported like any other config error.
  if (error instanceof ConfigError) exitOnConfigError(error);
  // A configuration mistake a worker found (a taken port): its own line on the shared stderr said it.
  if (error instanceof WorkerStartError && error.exitCode === EXIT_CONFIG_ERROR) process.exit(EXIT_CONFIG_ERROR);
  logger.fatal({ event: 'start_failed', err: error }, `cannot start: ${describeError(error)}`);
  process.exit(EXIT_FAILURE);
});
