// The composition root: read the environment, wire the adapters, restore, serve, shut down.
import 'reflect-metadata';
import type { Container } from 'inversify';
import { pino, type Level } from 'pino';
import type { KeyValueStore, TransactionLogger } from './core';
import { describeError } from './adapters/error-text';
import type { Frontend } from './adapters/frontend';
import type { Logger } from './adapters/logger';
import type { Readiness } from './adapters/probes';
import { ConfigError, EnvReader } from './config/env-reader';
import { readMemoryLimits } from './config/memory-limits';
import type { ReloadingTls } from './adapters/tls';
import { unreadVariables } from './config/unread-variables';
import { buildContainer, TOKENS } from './container';
import { stopOnSignalsOrLogFailure } from './shutdown';

/** Exit status for a configuration mistake (documented in the README). */
const EXIT_CONFIG_ERROR = 2;
/** Exit status for a failure to start or to shut down cleanly. */
const EXIT_FAILURE = 1;
/** Below this many events a replay rate says nothing (start-up overhead dominates), so none is logged. */
const MIN_EVENTS_FOR_RATE = 10_000;

const LOG_LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The service's one root logger: JSON lines on stdout; adapters get children of it. */
function createRootLogger(env: EnvReader): Logger {
  return pino({
    level: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    base: { service: 'kvs' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

function configure(): { container: Container; logger: Logger } {
  const env = new EnvReader(process.env);
  try {
    const logger = createRootLogger(env);
    const container = buildContainer(env, logger);
    warnAboutUnreadVariables(env, logger);
    return { container, logger };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A plain line on stderr: the configuration that would shape a JSON log is what is wrong.
    process.stderr.write(`kvs: ${error.message}\n`);
    process.exit(EXIT_CONFIG_ERROR);
  }
}

/** One warning per KVS_/TLOG_ variable that is set but read by nothing: most likely a typo. */
function warnAboutUnreadVariables(env: EnvReader, logger: Logger): void {
  for (const { name, suggestion } of unreadVariables(process.env, env.namesRead)) {
    const hint = suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
    logger.warn({ event: 'config_variable_unread', variable: name, suggestion }, `${name} is set but not read${hint}`);
  }
}

async function serve(container: Container, logger: Logger): Promise<void> {
  const log = container.get<TransactionLogger>(TOKENS.TransactionLogger);
  const store = container.get<KeyValueStore>(TOKENS.KeyValueStore);
  const frontends = container.getAll<Frontend>(TOKENS.Frontend);
  const readiness = container.get<Readiness>(TOKENS.Readiness);
  logMemoryLimits(logger);
  try {
    const began = performance.now();
    const { events, keys } = await store.restore();
    const seconds = (performance.now() - began) / 1000;
    const rate = events >= MIN_EVENTS_FOR_RATE ? `, ${Math.round(events / seconds)} events/s` : '';
    logger.info(
      { event: 'replay_done', events, keys, seconds: Number(seconds.toFixed(3)) },
      `replayed ${events} events (${keys} live keys) in ${seconds.toFixed(3)} s${rate}`,
    );
    // Frontends start only after the restore, so no client ever sees a half-replayed store.
    for (const frontend of frontends) {
      const { host, port } = await frontend.start();
      logger.info(
        { event: 'frontend_listening', frontend: frontend.name, host, port },
        `${frontend.name} frontend listening on ${host}:${port}`,
      );
    }
  } catch (error) {
    await Promise.allSettled(frontends.map((frontend) => frontend.stop()));
    await log.close().catch(() => undefined);
    throw error;
  }
  readiness.serving();
  reloadTlsOnChange(container);
  stopOnSignalsOrLogFailure({ frontends, log, readiness, logger });
}

/** With TLS on: reload the certificates on SIGHUP and whenever their files change. */
function reloadTlsOnChange(container: Container): void {
  if (!container.isBound(TOKENS.ReloadingTls)) return;
  const tls = container.get<ReloadingTls>(TOKENS.ReloadingTls);
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

const { container, logger } = configure();
serve(container, logger).catch((error: unknown) => {
  logger.fatal({ event: 'start_failed', err: error }, `cannot start: ${describeError(error)}`);
  process.exit(EXIT_FAILURE);
});
