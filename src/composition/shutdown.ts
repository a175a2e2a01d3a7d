// Part of the composition root: how the running service stops.
import type { TransactionLog } from '../core';
import { describeError } from '../platform/error-text/error-text';
import type { Frontend } from '../driving/frontend.port';
import type { Logger } from '../platform/logging/logger';

/** Exit status after a clean shutdown. */
const EXIT_OK = 0;
/** Exit status when the log failed for good, or the shutdown itself failed. */
const EXIT_FAILURE = 1;

/** What stopping the service touches; `exit` and `signals` are the process's own outside tests. */
export interface ShutdownParts {
  readonly frontends: readonly Frontend[];
  /** Ended first and at once: streams never hold the shutdown for the frontends' grace period. */
  readonly watches?: { shutdown(): void };
  /** Stopped with the watches: no expiry is logged once shutdown begins. */
  readonly expiry?: { stop(): Promise<void> };
  /** Stopped after the frontends: its probes and metrics tell operators how the drain goes. */
  readonly admin?: { stop(): Promise<unknown> };
  readonly log: TransactionLog;
  /** Told first, so that probes report not ready from the moment shutdown begins. */
  readonly readiness: { stopping(): void };
  readonly logger: Logger;
  /** Runs once the log is closed (e.g. flushing telemetry). */
  readonly afterLogClosed?: () => Promise<unknown> | undefined;
  readonly exit?: (code: number) => void;
  readonly signals?: Pick<NodeJS.Process, 'on'>;
}

/**
 * Stops the service on SIGTERM/SIGINT (exit 0) and when the transaction log fails for good
 * (exit 1: after a failed fsync only a restart and replay can say what the disk holds, so the
 * supervisor must restart the process). Either way: stop accepting, answer the requests in
 * flight (a failed log has already rejected its writes with 503), close the log, exit.
 */
export function stopOnSignalsOrLogFailure({
  frontends,
  watches,
  expiry,
  admin,
  log,
  readiness,
  logger,
  afterLogClosed,
  exit = (code) => process.exit(code),
  signals = process,
}: ShutdownParts): void {
  let stopping = false;
  const stop = (reason: string, exitCode: number): void => {
    stopping = true;
    readiness.stopping();
    watches?.shutdown();
    Promise.all([...frontends.map((frontend) => frontend.stop()), expiry?.stop()])
      .then(() => admin?.stop())
      .then(() => log.close())
      .then(() => afterLogClosed?.())
      .then(() => {
        logger.info({ event: 'shutdown_done', exitCode }, `transaction log closed (${reason}); bye`);
        exit(exitCode);
      })
      .catch((error: unknown) => {
        logger.fatal({ event: 'shutdown_failed', err: error }, `shutdown failed: ${describeError(error)}`);
        exit(EXIT_FAILURE);
      });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ event: 'shutdown_forced', signal }, `${signal} received again; exiting without waiting`);
      exit(EXIT_FAILURE);
      return;
    }
    logger.info({ event: 'shutdown_started', signal }, `${signal} received; finishing in-flight requests`);
    stop(signal, EXIT_OK);
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  // The log has already written the one fatal line with the cause.
  log.onHealthChange((health) => {
    if (health === 'failed' && !stopping) stop('the transaction log failed', EXIT_FAILURE);
  });
}
