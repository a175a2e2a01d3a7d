import type { EnvReader } from '../../../config/env-reader';

/** When to refuse new requests at once; undefined from readLoadSheddingConfig means never. */
export interface LoadSheddingConfig {
  /** Requests in flight (both frontends together) above which new ones are refused; 0: no bound. */
  readonly maxInFlight: number;
  /** Event-loop delay (p99 over the last sample, ms) above which new requests are refused; 0: no bound. */
  readonly maxEventLoopLagMs: number;
}

/** Reads KVS_MAX_IN_FLIGHT and KVS_MAX_EVENT_LOOP_LAG_MS (both 0, off, by default). */
export function readLoadSheddingConfig(env: EnvReader): LoadSheddingConfig | undefined {
  const maxInFlight = env.integer('KVS_MAX_IN_FLIGHT', 0, 0, 10_000_000);
  const maxEventLoopLagMs = env.integer('KVS_MAX_EVENT_LOOP_LAG_MS', 0, 0, 60_000);
  return maxInFlight === 0 && maxEventLoopLagMs === 0 ? undefined : { maxInFlight, maxEventLoopLagMs };
}
