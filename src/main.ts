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
import type { ReloadingTls } from './adapters/tls';
import { unreadVariables } from './config/unread-variables';
import { buildContainer, TOKENS } from './container';

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
  stopOnSignals(frontends, log, readiness, logger);
}

/** With TLS on: reload the certificates on SIGHUP and whenever their files change. */
function reloadTlsOnChange(container: Container): void {
  if (!container.isBound(TOKENS.ReloadingTls)) return;
  const tls = container.get<ReloadingTls>(TOKENS.ReloadingTls);
  tls.watch();
  process.on('SIGHUP', () => tls.reload('SIGHUP'));
}

/**
 * Stops the service on SIGTERM/SIGINT (exit 0) and when the transaction log fails for good
 * (exit 1: after a failed fsync only a restart and replay can say what the disk holds, so the
 * supervisor must restart the process). Either way: stop accepting, answer the requests in
 * flight (a failed log has already rejected its writes), close the log, exit.
 */
function stopOnSignals(frontends: Frontend[], log: TransactionLogger, readiness: Readiness, logger: Logger): void {
  let stopping = false;
  const stop = (reason: string, exitCode: number): void => {
    stopping = true;
    readiness.stopping();
    Promise.all(frontends.map((frontend) => frontend.stop()))
      .then(() => log.close())
      .then(() => {
        logger.info({ event: 'shutdown_done', exitCode }, `transaction log closed (${reason}); bye`);
        process.exit(exitCode);
      })
      .catch((error: unknown) => {
        logger.fatal({ event: 'shutdown_failed', err: error }, `shutdown failed: ${describeError(error)}`);
        process.exit(EXIT_FAILURE);
      });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ event: 'shutdown_forced', signal }, `${signal} received again; exiting without waiting`);
      process.exit(EXIT_FAILURE);
    }
    logger.info({ event: 'shutdown_started', signal }, `${signal} received; finishing in-flight requests`);
    stop(signal, 0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The log has already written the one fatal line with the cause.
  log.onHealthChange((health) => {
    if (health === 'failed' && !stopping) stop('the transaction log failed', EXIT_FAILURE);
  });
}

const { container, logger } = configure();
serve(container, logger).catch((error: unknown) => {
  logger.fatal({ event: 'start_failed', err: error }, `cannot start: ${describeError(error)}`);
  process.exit(EXIT_FAILURE);
});
