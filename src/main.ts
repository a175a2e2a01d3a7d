// The composition root: read the environment, wire the adapters, restore, serve, shut down.
// Tracing first: it can only instrument http, grpc-js and pg if it starts before they load.
import { runningTracing } from './adapters/tracing/preload';
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container } from 'inversify';
import { pino, type Level } from 'pino';
import type { KeyValueStore, TransactionLogger } from './core';
import { describeError } from './adapters/error-text';
import type { AdminServer } from './adapters/admin';
import type { Frontend } from './adapters/frontend';
import type { KvsMetrics } from './adapters/metrics';
import type { Logger } from './adapters/logger';
import type { Readiness } from './adapters/probes';
import { ConfigError, EnvReader } from './config/env-reader';
import type { ReloadingTls } from './adapters/tls';
import { unreadVariables } from './config/unread-variables';
import { buildContainer, TOKENS, type FlagsSource, type LogDescription } from './container';

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
  const admin = container.isBound(TOKENS.AdminServer) ? container.get<AdminServer>(TOKENS.AdminServer) : undefined;
  const { flags, file: flagsFile } = container.get<FlagsSource>(TOKENS.Flags);
  try {
    await flags.start(flagsFile);
    if (admin) {
      // Before the replay, so metrics (and probes saying "not ready") answer during a long one.
      const { host, port } = await admin.start();
      logger.info({ event: 'admin_listening', host, port }, `admin listener on ${host}:${port}`);
    }
    const began = performance.now();
    const { events, keys } = await store.restore();
    const seconds = (performance.now() - began) / 1000;
    const replay = { events, keys, seconds: Number(seconds.toFixed(3)) };
    if (container.isBound(TOKENS.Metrics)) container.get<KvsMetrics>(TOKENS.Metrics).replayed(events, seconds);
    const rate = events >= MIN_EVENTS_FOR_RATE ? `, ${Math.round(events / seconds)} events/s` : '';
    logger.info(
      { event: 'replay_done', ...replay },
      `replayed ${events} events (${keys} live keys) in ${seconds.toFixed(3)} s${rate}`,
    );
    // Frontends start only after the restore, so no client ever sees a half-replayed store.
    const listening = [];
    for (const frontend of frontends) {
      const { host, port } = await frontend.start();
      listening.push({ frontend: frontend.name, host, port });
      logger.info(
        { event: 'frontend_listening', frontend: frontend.name, host, port },
        `${frontend.name} frontend listening on ${host}:${port}`,
      );
    }
    const transactionLog = container.get<LogDescription>(TOKENS.LogDescription);
    const version = packageVersion();
    logger.info(
      { event: 'started', version, log: transactionLog, listening, replay },
      `kvs ${version} serving (${listening.map(({ frontend, port }) => `${frontend} :${port}`).join(', ')})`,
    );
  } catch (error) {
    await Promise.allSettled([...frontends, ...(admin ? [admin] : [])].map((server) => server.stop()));
    await log.close().catch(() => undefined);
    await flags.stop();
    throw error;
  }
  readiness.serving();
  reloadTlsOnChange(container);
  stopOnSignals(frontends, admin, log, readiness, logger);
}

/** The version in package.json (one directory above dist/ and src/), or "unknown" if it cannot be read. */
function packageVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
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
function stopOnSignals(
  frontends: Frontend[],
  admin: AdminServer | undefined,
  log: TransactionLogger,
  readiness: Readiness,
  logger: Logger,
): void {
  let stopping = false;
  const stop = (reason: string, exitCode: number): void => {
    stopping = true;
    readiness.stopping();
    Promise.all(frontends.map((frontend) => frontend.stop()))
      // The admin listener goes last: its probes and metrics tell operators how the drain goes.
      .then(() => admin?.stop())
      .then(() => log.close())
      // Flushes the spans still buffered for export.
      .then(() => runningTracing?.shutdown())
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
