// The composition root: read the environment, wire the adapters, restore, serve, shut down.
// Tracing first: it can only instrument http, grpc-js and pg if it starts before they load.
import { runningTracing } from './observability/tracing/preload';
import 'reflect-metadata';
import { pino, type Level } from 'pino';
import { describeError } from './platform/error-text/error-text';
import { packageVersion } from './platform/package/package-version';
import type { Logger } from './platform/logging/logger';
import { ConfigError, EnvReader } from './config/env-reader';
import { readMemoryLimits } from './config/memory-limits';
import type { ReloadingTls } from './platform/tls';
import { unreadVariables } from './config/unread-variables';
import { composeService, type ServiceParts } from './composition/container';
import { stopOnSignalsOrLogFailure } from './composition/shutdown';
import { startListener } from './composition/listen-errors';
import { routeGrpcJsLogs } from './composition/grpc-js-logging';

/** Exit status for a configuration mistake (documented in the README). */
const EXIT_CONFIG_ERROR = 2;
/** Exit status for a failure to start or to shut down cleanly. */
const EXIT_FAILURE = 1;
/** Below this many events a replay rate says nothing (start-up overhead dominates), so none is logged. */
const MIN_EVENTS_FOR_RATE = 10_000;

const LOG_LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The service's one root logger: JSON lines on stdout; adapters get children of it. */
function createRootLogger(env: EnvReader): Logger {
  return pino(
    {
      level: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      base: { service: 'kvs' },
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
    warnAboutUnreadVariables(env, logger);
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

/** Restore → serve → stop on signal. */
async function serve(service: ServiceParts, logger: Logger): Promise<void> {
  const {
    log,
    store,
    frontends,
    readiness,
    operationsListener: admin,
    metrics,
    tls,
    logDescription,
    watches,
    expiry,
  } = service;
  const { flags, file: flagsFile } = service.flags;
  logMemoryLimits(logger);
  try {
    await flags.start(flagsFile);
    if (admin) {
      // Before the replay, so metrics (and probes saying "not ready") answer during a long one.
      const { host, port } = await startListener(admin);
      logger.info({ event: 'admin_listening', host, port }, `admin listener on ${host}:${port}`);
    }
    const began = performance.now();
    const { events, keys } = await store.restore(watches.replay);
    const seconds = (performance.now() - began) / 1000;
    const replay = { events, keys, seconds: Number(seconds.toFixed(3)) };
    metrics?.replayed(events, seconds);
    watches.restored(store);
    const rate = events >= MIN_EVENTS_FOR_RATE ? `, ${Math.round(events / seconds)} events/s` : '';
    logger.info(
      { event: 'replay_done', ...replay },
      `replayed ${events} events (${keys} live keys) in ${seconds.toFixed(3)} s${rate}`,
    );
    // Keys whose deadline passed while the service was down are deleted (logged) before any
    // client is served (unless read-only: then they stay invisible until it ends).
    const expired = await expiry.drain();
    if (expired > 0) logger.info({ event: 'expired_at_start', keys: expired }, `expired ${expired} keys at start-up`);
    expiry.start();
    // Frontends start only after the restore, so no client ever sees a half-replayed store.
    const listening = [];
    for (const frontend of frontends) {
      const { host, port } = await startListener(frontend);
      listening.push({ frontend: frontend.name, host, port });
      logger.info(
        { event: 'frontend_listening', frontend: frontend.name, host, port },
        `${frontend.name} frontend listening on ${host}:${port}`,
      );
    }
    const version = packageVersion();
    logger.info(
      { event: 'started', version, log: logDescription, listening, replay },
      `kvs ${version} serving (${listening.map(({ frontend, port }) => `${frontend} :${port}`).join(', ')})`,
    );
  } catch (error) {
    await Promise.allSettled([...frontends, ...(admin ? [admin] : [])].map((server) => server.stop()));
    await expiry.stop();
    await log.close().catch(() => undefined);
    await flags.stop();
    throw error;
  }
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
    // Flushes the spans still buffered for export, and closes the shared rate limits' connections.
    afterLogClosed: () => Promise.all([runningTracing?.shutdown(), service.rateLimits?.close()]),
  });
}

/** With TLS on: reload the certificates on SIGHUP and whenever their files change. */
function reloadTlsOnChange(tls: ReloadingTls): void {
  tls.watch();
  process.on('SIGHUP', () => tls.reload('SIGHUP'));
}

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
serve(service, logger).catch((error: unknown) => {
  // A setting found wrong only while starting (a taken port): reported like any other config error.
  if (error instanceof ConfigError) exitOnConfigError(error);
  logger.fatal({ event: 'start_failed', err: error }, `cannot start: ${describeError(error)}`);
  process.exit(EXIT_FAILURE);
});
