// Part of the composition root: the start-up steps the single process, the owner and the workers share.
import type { Frontend } from '../driving/frontend.port';
import type { Logger } from '../platform/logging/logger';
import type { ReloadingTls } from '../platform/tls';
import { packageVersion } from '../platform/package/package-version';
import type { ServiceParts } from './container';
import { startListener } from './listen-errors';

/** Below this many events a replay rate says nothing (start-up overhead dominates), so none is logged. */
const MIN_EVENTS_FOR_RATE = 10_000;

/** What the replay did, as the start-up lines report it. */
export interface ReplaySummary {
  readonly events: number;
  readonly keys: number;
  readonly seconds: number;
}

/** Where a frontend listens, as the start-up lines report it. */
export interface Listening {
  readonly frontend: string;
  readonly host: string;
  readonly port: number;
}

/** Replays the log into the store (a worker: the owner's snapshot), seeds the watch history, logs the replay. */
export async function restoreStore(service: ServiceParts, logger: Logger): Promise<ReplaySummary> {
  const { store, watches, metrics } = service;
  const began = performance.now();
  const { events, keys } = await store.restore(watches.replay);
  const seconds = (performance.now() - began) / 1000;
  metrics?.replayed(events, seconds);
  watches.restored(store);
  const rate = events >= MIN_EVENTS_FOR_RATE ? `, ${Math.round(events / seconds)} events/s` : '';
  logger.info(
    { event: 'replay_done', events, keys, seconds: Number(seconds.toFixed(3)) },
    `replayed ${events} events (${keys} live keys) in ${seconds.toFixed(3)} s${rate}`,
  );
  return { events, keys, seconds: Number(seconds.toFixed(3)) };
}

/**
 * Logs the expiries that came due while the service was down (before any client is served;
 * unless read-only: then they stay invisible until it ends), then starts the scheduler.
 */
export async function startExpiry(service: ServiceParts, logger: Logger): Promise<void> {
  const expired = await service.expiry.drain();
  if (expired > 0) logger.info({ event: 'expired_at_start', keys: expired }, `expired ${expired} keys at start-up`);
  service.expiry.start();
}

/** Starts the admin listener when there is one (before a long replay: probes say "not ready" meanwhile). */
export async function startAdmin(service: ServiceParts, logger: Logger): Promise<void> {
  const admin = service.operationsListener;
  if (!admin) return;
  const { host, port } = await startListener(admin);
  logger.info({ event: 'admin_listening', host, port }, `admin listener on ${host}:${port}`);
}

/** Starts every frontend, one after the other, logging where each listens. */
export async function listenFrontends(frontends: readonly Frontend[], logger: Logger): Promise<Listening[]> {
  const listening: Listening[] = [];
  for (const frontend of frontends) {
    const { host, port } = await startListener(frontend);
    listening.push({ frontend: frontend.name, host, port });
    logger.info(
      { event: 'frontend_listening', frontend: frontend.name, host, port },
      `${frontend.name} frontend listening on ${host}:${port}`,
    );
  }
  return listening;
}

/** The one line that says the service serves. */
export function logStarted(
  logger: Logger,
  service: ServiceParts,
  listening: readonly Listening[],
  replay: ReplaySummary,
  workers?: number,
): void {
  const version = packageVersion();
  const where = listening.map(({ frontend, port }) => `${frontend} :${port}`).join(', ');
  const how = workers === undefined ? `(${where})` : `with ${workers} workers (docs/workers.md)`;
  logger.info(
    { event: 'started', version, log: service.logDescription, listening, replay, workers },
    `kvs ${version} serving ${how}`,
  );
}

/** Stops what a failed start-up had started, the log last. */
export async function undoStart(service: ServiceParts): Promise<void> {
  const { frontends, operationsListener: admin, expiry, log, flags, workers } = service;
  await Promise.allSettled([...frontends, ...(admin ? [admin] : [])].map((server) => server.stop()));
  await workers?.stop();
  await expiry.stop();
  await log.close().catch(() => undefined);
  await flags.flags.stop();
}

/** With TLS on: reload the certificates on SIGHUP and whenever their files change. */
export function reloadTlsOnChange(tls: ReloadingTls, alsoOnSighup?: () => void): void {
  tls.watch();
  process.on('SIGHUP', () => {
    tls.reload('SIGHUP');
    alsoOnSighup?.();
  });
}
