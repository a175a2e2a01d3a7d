import { RateLimiterCluster, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../../platform/logging/logger';
import type { Refusal } from '../../call/refusal';
import type { RateLimitConfig } from './rate-limit.config';

/** How long a worker waits for the owner's bucket (KVS_WORKERS > 1) before the request fails. */
const CLUSTER_TIMEOUT_MS = 1000;

/**
 * A request bucket per caller in process memory (rate-limiter-flexible's memory store; its
 * PostgreSQL store is the way to share limits between replicas later). With KVS_WORKERS > 1
 * (`acrossWorkers`) the buckets live in the owner process (rate-limiter-flexible's
 * RateLimiterCluster, answered by the RateLimiterClusterMaster the owner runs), so a caller's
 * limit holds across every worker, whichever one its connections land on.
 *
 * rate-limiter-flexible counts fixed windows rather than dripping tokens in one by one, so the
 * bucket is a window of `burst` requests lasting burst / rate: the same long-run rate and the
 * same largest burst as a token bucket, refilled whole when the window ends.
 */
export class CallerRateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    config: RateLimitConfig,
    private readonly logger: Logger,
    acrossWorkers = false,
  ) {
    const options = { points: config.burst, duration: (config.burst * config.perSeconds) / config.requests };
    this.limiter = acrossWorkers
      ? new RateLimiterCluster({ ...options, keyPrefix: 'kvs-callers', timeoutMs: CLUSTER_TIMEOUT_MS })
      : new RateLimiterMemory(options);
  }

  /** Takes one request from the caller's bucket; the refusal when it is empty. */
  async take(caller: string): Promise<Refusal | undefined> {
    try {
      await this.limiter.consume(caller);
      return undefined;
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      this.logger.debug({ event: 'rate_limited', caller, retryAfterSeconds }, `rate limit reached for ${caller}`);
      return {
        code: 'RATE_LIMITED',
        message: `rate limit reached; retry in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      };
    }
  }
}
