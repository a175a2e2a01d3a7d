import type { LogHealth } from '../../core';

/** What GET /v1/status answers: the service at a glance, for the web UI and for people. */
export interface ServiceStatus {
  /** The store's revision now. */
  readonly revision: number;
  /** Live keys (expired ones not yet deleted included, as kvs_keys counts them). */
  readonly keys: number;
  /** Whether the transaction log can take writes (docs/observability.md). */
  readonly log_health: LogHealth;
  /** What /readyz answers: ready, starting, log-unavailable, log-failed, stale or stopping. */
  readonly readiness: string;
  /** The service's version (package.json). */
  readonly version: string;
}

/** Where a frontend reads the status from; the composition root builds it from the store, the log and the readiness state. */
export type StatusSource = () => ServiceStatus;

/** The parts the status is made of, each read when it is asked for. */
export interface StatusParts {
  readonly store: { readonly revision: number; readonly size: number };
  readonly log: { health(): LogHealth };
  readonly readiness: { readonly state: string };
  readonly version: string;
}

/** The status source over the running service's parts. */
export function serviceStatus({ store, log, readiness, version }: StatusParts): StatusSource {
  return () => ({
    revision: store.revision,
    keys: store.size,
    log_health: log.health(),
    readiness: readiness.state,
    version,
  });
}
