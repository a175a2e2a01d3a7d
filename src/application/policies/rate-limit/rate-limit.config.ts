import type { EnvReader } from '../../../config/env-reader';

/** Requests each caller may make; undefined from readRateLimitConfig means no limit. */
export interface RateLimitConfig {
  /** Sustained requests per `perSeconds`. */
  readonly requests: number;
  readonly perSeconds: number;
  /** Requests a caller may make at once (the bucket's size); at least 1. */
  readonly burst: number;
  /** KVS_RATE_LIMIT_STORE: where the counts live (postgres: shared by every replica of a PostgreSQL log). */
  readonly store: 'memory' | 'postgres';
}

/** rate-limiter-flexible's window for the config: `burst` points lasting burst / rate seconds (see CallerRateLimiter). */
export function rateLimitWindow(config: RateLimitConfig): { readonly points: number; readonly duration: number } {
  return { points: config.burst, duration: (config.burst * config.perSeconds) / config.requests };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const RATE = /^\s*(\d+)\s*\/\s*(s|m|h)\s*$/;
const MAX_BURST = 1_000_000;

/**
 * Reads KVS_RATE_LIMIT (e.g. "200/s", "600/m"), KVS_RATE_BURST (default: the per-unit number)
 * and KVS_RATE_LIMIT_STORE (postgres needs TLOG_TYPE=postgres: it uses the log's database).
 */
export function readRateLimitConfig(env: EnvReader): RateLimitConfig | undefined {
  const raw = env.optional('KVS_RATE_LIMIT');
  const burstRaw = env.optional('KVS_RATE_BURST');
  const storeRaw = env.optional('KVS_RATE_LIMIT_STORE');
  if (raw === undefined) {
    if (burstRaw !== undefined) throw env.invalid('KVS_RATE_BURST', burstRaw, 'KVS_RATE_LIMIT to be set too');
    if (storeRaw !== undefined) throw env.invalid('KVS_RATE_LIMIT_STORE', storeRaw, 'KVS_RATE_LIMIT to be set too');
    return undefined;
  }
  const store = env.oneOf('KVS_RATE_LIMIT_STORE', ['memory', 'postgres'], 'memory');
  if (store === 'postgres' && env.string('TLOG_TYPE', 'file') !== 'postgres') {
    throw env.invalid(
      'KVS_RATE_LIMIT_STORE',
      store,
      "memory with TLOG_TYPE=file (postgres counts in the log's database)",
    );
  }
  const match = RATE.exec(raw);
  const requests = match === null ? NaN : Number(match[1]);
  if (match === null || !Number.isSafeInteger(requests) || requests < 1) {
    throw env.invalid('KVS_RATE_LIMIT', raw, 'N/s, N/m or N/h with N a whole number of at least 1, e.g. 200/s');
  }
  const burst = env.integer('KVS_RATE_BURST', Math.min(requests, MAX_BURST), 1, MAX_BURST);
  return { requests, perSeconds: UNIT_SECONDS[match[2]], burst, store };
}
