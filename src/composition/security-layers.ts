import { AccessPolicy, AuthPolicy, readAuthConfig } from '../application/policies/auth';
import type { Logger } from '../platform/logging/logger';
import { LoadShedder, LoadSheddingPolicy, readLoadSheddingConfig } from '../application/policies/load-shedding';
import {
  CallerRateLimiter,
  RateLimitPolicy,
  rateLimitWindow,
  readRateLimitConfig,
} from '../application/policies/rate-limit';
import { RateLimiterCluster } from 'rate-limiter-flexible';
import { readPostgresLogConfig, SharedRateLimiter } from '../driven/postgres-log';
import type { Policy } from '../application/pipeline';
import { ReloadingTls, readTlsConfig, TlsMaterialError } from '../platform/tls';
import { ConfigError, type EnvReader } from '../config/env-reader';

// The security policies the composition root puts in every frontend's pipeline, and TLS.

/** How long a worker waits for the owner's bucket (KVS_WORKERS > 1) before the request fails. */
const CLUSTER_TIMEOUT_MS = 1000;

/** The security policies, in pipeline order, and what the start-up checks and the operations listener need. */
export interface SecurityLayers {
  readonly policies: readonly Policy[];
  readonly tls?: ReloadingTls;
  readonly auth: boolean;
  /** With KVS_AUTH_PROTECT_METRICS=true: the token check that also guards the operations listener's /metrics. */
  readonly metricsAuth?: Policy;
  /** KVS_RATE_LIMIT_STORE=postgres: the shared counts' connections, closed at shutdown. */
  readonly rateLimits?: { close(): Promise<void> };
  /** Whether a per-caller rate limit is on (with KVS_WORKERS > 1 the owner then keeps the buckets). */
  readonly rateLimited: boolean;
}

/**
 * Builds the security policies from KVS_TLS_*, JWT_KEY / KVS_JWT_*, KVS_RATE_* and the shedding
 * bounds. Order matters: shedding first (the cheapest refusal, and it must hold even when token
 * checks are what overloads us), then authentication (so limits are charged to the token's
 * subject), then the per-caller rate limit.
 */
export function buildSecurityLayers(env: EnvReader, logger: Logger, acrossWorkers = false): SecurityLayers {
  const policies: Policy[] = [];
  const shedding = readLoadSheddingConfig(env);
  if (shedding)
    policies.push(new LoadSheddingPolicy(new LoadShedder(shedding, logger.child({ component: 'load-shedding' }))));
  const auth = readAuthConfig(env);
  let metricsAuth: Policy | undefined;
  if (auth) {
    const policy = new AuthPolicy(new AccessPolicy(auth, logger.child({ component: 'auth' })), auth.protectMetrics);
    policies.push(policy);
    if (auth.protectMetrics) metricsAuth = policy;
  }
  const rateLimit = readRateLimitConfig(env);
  let rateLimits: SharedRateLimiter | undefined;
  if (rateLimit) {
    const limitLogger = logger.child({ component: 'rate-limit' });
    const window = rateLimitWindow(rateLimit);
    // Shared by the replicas of one log: the counts live in its database. Across the workers of
    // one service (KVS_WORKERS > 1): in the owner, which runs RateLimiterClusterMaster.
    if (rateLimit.store === 'postgres')
      rateLimits = new SharedRateLimiter(readPostgresLogConfig(env), window, limitLogger);
    const shared =
      rateLimits ??
      (acrossWorkers
        ? new RateLimiterCluster({ ...window, keyPrefix: 'kvs-callers', timeoutMs: CLUSTER_TIMEOUT_MS })
        : undefined);
    policies.push(new RateLimitPolicy(new CallerRateLimiter(rateLimit, limitLogger, shared)));
  }
  const tlsFiles = readTlsConfig(env);
  let tls: ReloadingTls | undefined;
  try {
    tls = tlsFiles && new ReloadingTls(tlsFiles, logger.child({ component: 'tls' }));
  } catch (error) {
    if (error instanceof TlsMaterialError) throw new ConfigError(`config: ${error.message}`);
    throw error;
  }
  return { policies, tls, auth: auth !== undefined, metricsAuth, rateLimits, rateLimited: rateLimit !== undefined };
}

/** Whether `host` accepts connections from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
