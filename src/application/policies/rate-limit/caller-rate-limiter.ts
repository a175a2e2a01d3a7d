import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../../../platform/logging/logger';
import type { Refusal } from '../../call/refusal';
import type { RateLimitConfig } from './rate-limit.config';

/**
 * A request bucket per caller in process memory (rate-limiter-flexible's memory store; its
 * PostgreSQL store is the way to share limits between replicas later).
 *
 * rate-limiter-flexible counts fixed windows rather than dripping tokens in one by one, so the
 * bucket is a window of `burst` requests lasting burst / rate: the same long-run rate and the
 * same largest burst as a token bucket, refilled whole when the window ends.
 */
export class CallerRateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(
    config: RateLimitConfig,
    private readonly logger: Logger,
  ) {
    this.limiter = new RateLimiterMemory({
      points: config.burst,
      duration: (config.burst * config.perSeconds) / config.requests,
    });
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
