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
export async function serveAsWorker(service: ServiceParts, logger: Logger): Promise<void> {
  const stops = catchStopSignals({ logger });
  const { frontends, log, readiness, watches, tls, owner } = service;
  const parts = { frontends, watches: watches.service, log, readiness, logger };
  const { flags, file: flagsFile } = service.flags;
  try {
    await flags.start(flagsFile);
    await restoreStore(service, logger);
    if (stops.requested) return stops.arm(parts);
    await listenFrontends(frontends, logger);
  } catch (error) {
    await undoStart(service);
    throw error;
  }
  owner?.listening();
  readiness.serving();
  if (tls) reloadTlsOnChange(tls);
  stops.arm(parts);
}
