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
  /** KVS_WORKERS > 1, the owner: drained with the frontends, while the log still takes their writes. */
  readonly workers?: { stop(): Promise<unknown> };
  readonly log: TransactionLog;
  /** Told first, so that probes report not ready from the moment shutdown begins. */
  readonly readiness: { stopping(): void };
  readonly logger: Logger;
  /** Runs once the log is closed (e.g. flushing telemetry). */
  readonly afterLogClosed?: () => Promise<unknown> | undefined;
  readonly exit?: (code: number) => void;
  readonly signals?: Pick<NodeJS.Process, 'on'>;
}

/** What catching the stop signals needs before the parts to stop are known. */
export interface StopSignalOptions extends Pick<ShutdownParts, 'logger' | 'exit' | 'signals'> {
  /**
   * Whether a second signal exits at once (the default). A worker of KVS_WORKERS > 1 says no: a
   * Ctrl-C reaches the whole process group, and the owner's SIGTERM that follows must not cut
   * the worker's drain short (the frontends' grace period bounds it).
   */
  readonly forceOnRepeat?: boolean;
}

/** SIGTERM/SIGINT caught from the start of a process; the stop runs once `arm` says what to stop. */
export interface StopSignals {
  /** Whether a stop was asked for (a signal, before or after `arm`). */
  readonly requested: boolean;
  /** Resolves when a stop is asked for: start-up steps that wait on other processes race it. */
  readonly whenRequested: Promise<void>;
  /**
   * From now on a stop stops `parts`; a stop asked for earlier (during start-up) runs now. Also
   * stops (exit 1) once the transaction log fails for good, and at once if it already has.
   */
  arm(parts: ShutdownParts): void;
}

/**
 * Installs the SIGTERM/SIGINT handlers now, at the very start, so that a stop during start-up
 * is neither lost nor fatal: it is remembered and carried out when start-up reaches a safe
 * point and calls `arm` (a stop cut into a replay would exit without closing the log). A second
 * signal once the stop runs exits at once (1).
 */
export function catchStopSignals({
  logger,
  exit = (code) => process.exit(code),
  signals = process,
  forceOnRepeat = true,
}: StopSignalOptions): StopSignals {
  let parts: ShutdownParts | undefined;
  let requested: NodeJS.Signals | undefined;
  let stopping = false;
  let announce!: () => void;
  const whenRequested = new Promise<void>((resolve) => (announce = resolve));
  const stop = (armed: ShutdownParts, reason: string, exitCode: number): void => {
    stopping = true;
    shutDown(armed, reason, exitCode, exit);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const repeated = stopping || (requested !== undefined && parts === undefined);
    if (repeated && !forceOnRepeat) return;
    if (repeated) {
      logger.warn({ event: 'shutdown_forced', signal }, `${signal} received again; exiting without waiting`);
      exit(EXIT_FAILURE);
      return;
    }
    requested = signal;
    announce();
    if (parts === undefined) {
      logger.info(
        { event: 'shutdown_requested', signal },
        `${signal} received while starting; stopping once it is safe`,
      );
      return;
    }
    logger.info({ event: 'shutdown_started', signal }, `${signal} received; finishing in-flight requests`);
    stop(parts, signal, EXIT_OK);
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  return {
    get requested() {
      return requested !== undefined;
    },
    whenRequested,
    arm(armed) {
      parts = armed;
      if (requested !== undefined) {
        logger.info({ event: 'shutdown_started', signal: requested }, `${requested} received; stopping`);
        stop(armed, requested, EXIT_OK);
        return;
      }
      // The log has already written the one fatal line with the cause.
      const failed = (): void => {
        if (!stopping) stop(armed, 'the transaction log failed', EXIT_FAILURE);
      };
      armed.log.onHealthChange((health) => health === 'failed' && failed());
      if (armed.log.health() === 'failed') failed();
    },
  };
}

/**
 * Stops the service on SIGTERM/SIGINT (exit 0) and when the transaction log fails for good
 * (exit 1: after a failed fsync only a restart and replay can say what the disk holds, so the
 * supervisor must restart the process). Either way: stop accepting, answer the requests in
 * flight (a failed log has already rejected its writes with 503), close the log, exit.
 */
export function stopOnSignalsOrLogFailure(parts: ShutdownParts): void {
  catchStopSignals(parts).arm(parts);
}

/** Not ready, streams ended, frontends (and workers) drained, then the admin listener, then the log; then exit. */
function shutDown(parts: ShutdownParts, reason: string, exitCode: number, exit: (code: number) => void): void {
  const { frontends, watches, expiry, admin, workers, log, readiness, logger, afterLogClosed } = parts;
  readiness.stopping();
  watches?.shutdown();
  Promise.all([...frontends.map((frontend) => frontend.stop()), expiry?.stop(), workers?.stop()])
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
}
