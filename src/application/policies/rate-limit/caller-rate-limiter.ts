import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../../../platform/logging/logger';
import type { Refusal } from '../../call/refusal';
import { rateLimitWindow, type RateLimitConfig } from './rate-limit.config';

/** What counts a caller's requests: resolves when admitted, rejects with a RateLimiterRes when over the limit. */
export interface RateLimitCounter {
  consume(key: string): Promise<RateLimiterRes>;
}

/**
 * A request bucket per caller: rate-limiter-flexible's memory store (each process counts for
 * itself), or a store the composition passes in (its PostgreSQL store, shared by the replicas
 * of one log: KVS_RATE_LIMIT_STORE=postgres).
 *
 * rate-limiter-flexible counts fixed windows rather than dripping tokens in one by one, so the
 * bucket is a window of `burst` requests lasting burst / rate: the same long-run rate and the
 * same largest burst as a token bucket, refilled whole when the window ends.
 */
export class CallerRateLimiter {
  private readonly limiter: RateLimitCounter;

  constructor(
    config: RateLimitConfig,
    private readonly logger: Logger,
    /** Where the counts live; process memory when absent. */
    limiter?: RateLimitCounter,
  ) {
    this.limiter = limiter ?? new RateLimiterMemory(rateLimitWindow(config));
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
