// Part of the composition root: the owner process of KVS_WORKERS > 1 (docs/workers.md).
import type { Logger } from '../platform/logging/logger';
import type { ServiceParts } from './container';
import {
  restoreStore,
  startAdmin,
  startExpiry,
  logStarted,
  reloadTlsOnChange,
  undoStart,
  type Listening,
} from './serve-steps';

/** What the start-up race gives when a stop signal came first. */
const STOPPED = Symbol('stopped');
import { catchStopSignals, type ShutdownParts } from './shutdown';

/**
 * The owner: it holds the transaction log (writes, group commit, compaction, expiry) and the
 * authoritative store, runs the operations listener, and forks the workers that serve clients.
 * Its stop signals are caught first thing: a stop during start-up is carried out at the next
 * safe point (the replay is never cut off; forked workers are drained), so the log is always
 * closed cleanly.
 */
export async function serveAsOwner(
  service: ServiceParts,
  logger: Logger,
  afterLogClosed?: () => Promise<unknown> | undefined,
): Promise<void> {
  const stops = catchStopSignals({ logger });
  const { log, readiness, watches, expiry, operationsListener: admin, tls, workers } = service;
  if (!workers) throw new Error('the owner process has no worker pool');
  const parts: ShutdownParts = {
    frontends: [],
    watches: watches.service,
    expiry,
    admin,
    workers,
    log,
    readiness,
    logger,
    afterLogClosed,
  };
  const { flags, file: flagsFile } = service.flags;
  // Before any worker listens: a SIGHUP may come as soon as clients can connect. Each worker
  // reloads its own certificates (they watch the files too); SIGHUP reaches them through the owner.
  if (tls) reloadTlsOnChange(tls, () => workers.signal('SIGHUP'));
  let replay;
  let listening;
  try {
    await flags.start(flagsFile);
    await startAdmin(service, logger);
    replay = await restoreStore(service, logger);
    if (stops.requested) return stops.arm(parts);
    await startExpiry(service, logger);
    if (stops.requested) return stops.arm(parts);
    // Workers fork only now: their snapshot is the restored store.
    const started = await Promise.race([workers.start(), stops.whenRequested.then(() => STOPPED)]);
    if (started === STOPPED) return stops.arm(parts);
    listening = started as readonly Listening[];
  } catch (error) {
    await undoStart(service);
    throw error;
  }
  readiness.serving();
  logStarted(logger, service, listening, replay, workers.serving);
  stops.arm(parts);
}
