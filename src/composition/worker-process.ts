// Part of the composition root: a worker process of KVS_WORKERS > 1 (docs/workers.md).
import type { Logger } from '../platform/logging/logger';
import type { ServiceParts } from './container';
import { listenFrontends, reloadTlsOnChange, restoreStore, undoStart } from './serve-steps';
import { catchStopSignals } from './shutdown';

/**
 * A worker: it restores its replica from the owner's snapshot, follows the owner's records,
 * and serves clients on the shared ports (reads from the replica, writes through the owner).
 * SIGTERM (from the owner's stop, or its own) drains it; the owner's end (its log failed, or
 * the owner died) stops it with exit 1, after the writes it had forwarded were answered
 * "outcome unknown".
 */
export async function serveAsWorker(
  service: ServiceParts,
  logger: Logger,
  afterLogClosed?: () => Promise<unknown> | undefined,
): Promise<void> {
  const stops = catchStopSignals({ logger, forceOnRepeat: false });
  const { frontends, log, readiness, watches, tls, owner } = service;
  const parts = { frontends, watches: watches.service, log, readiness, logger, afterLogClosed };
  const { flags, file: flagsFile } = service.flags;
  // Before the frontends listen: a SIGHUP may come as soon as clients can connect.
  if (tls) reloadTlsOnChange(tls);
  let listening;
  try {
    await flags.start(flagsFile);
    await restoreStore(service, logger);
    if (stops.requested) return stops.arm(parts);
    listening = await listenFrontends(frontends, logger);
  } catch (error) {
    await undoStart(service);
    throw error;
  }
  owner?.listening(listening);
  readiness.serving();
  stops.arm(parts);
}
