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
