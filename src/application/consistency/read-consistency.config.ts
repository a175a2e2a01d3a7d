import type { EnvReader } from '../../config/env-reader';

/** How long a read may wait for this replica to catch up. */
export interface ReadConsistencyConfig {
  /** Longest a min_revision or linearizable read waits before REPLICA_BEHIND (KVS_MAX_READ_WAIT_MS). */
  readonly maxWaitMs: number;
}

/** 2 s: well above the convergence delay of a healthy replica, well below a client's patience. */
export const READ_CONSISTENCY_DEFAULTS: ReadConsistencyConfig = { maxWaitMs: 2000 };

/** Reads KVS_MAX_READ_WAIT_MS. */
export function readReadConsistencyConfig(env: EnvReader): ReadConsistencyConfig {
  return {
    maxWaitMs: env.integer('KVS_MAX_READ_WAIT_MS', READ_CONSISTENCY_DEFAULTS.maxWaitMs, 0, 600_000),
  };
}

/**
 * 5 s: five polls (KVS_PG_POLL_MS) of a healthy idle replica, so one slow read never turns it
 * stale, and short enough that a balancer probing every few seconds stops sending reads to a
 * replica cut off from PostgreSQL within about ten.
 */
export const DEFAULT_MAX_STALENESS_MS = 5000;

/**
 * Reads KVS_MAX_STALENESS_MS (KVS_REPLICAS=shared): how long the head may go unconfirmed
 * before the replica is stale (not ready, refusing at once the reads it cannot satisfy).
 * `pollMs` is the replica's poll (KVS_PG_POLL_MS): an idle replica confirms the head once per
 * poll, so the bound must span two of them (unset, it defaults to at least that), or a healthy
 * replica would turn stale between polls.
 */
export function readMaxStalenessMs(env: EnvReader, pollMs: number): number {
  const floor = 2 * pollMs;
  const maxStalenessMs = env.integer('KVS_MAX_STALENESS_MS', Math.max(DEFAULT_MAX_STALENESS_MS, floor), 100, 3_600_000);
  if (maxStalenessMs < floor) {
    throw env.invalid(
      'KVS_MAX_STALENESS_MS',
      String(maxStalenessMs),
      `at least twice KVS_PG_POLL_MS (${floor} ms): an idle replica confirms the head once per poll`,
    );
  }
  return maxStalenessMs;
}
