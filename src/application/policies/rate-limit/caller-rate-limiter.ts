import { RateLimiterRes } from 'rate-limiter-flexible';
import MemoryStorage from 'rate-limiter-flexible/lib/component/MemoryStorage/MemoryStorage';
import type { Logger } from '../../../platform/logging/logger';
import type { Refusal } from '../../call/refusal';
import { rateLimitWindow, type RateLimitConfig } from './rate-limit.config';

/** What counts a caller's requests in a shared store: resolves when admitted, rejects with a RateLimiterRes when over the limit. */
export interface RateLimitCounter {
  consume(key: string): Promise<RateLimiterRes>;
}

/**
 * A request bucket per caller: counted in process memory (each process for itself), or in a
 * store the composition passes in (rate-limiter-flexible's PostgreSQL store, shared by the
 * replicas of one log: KVS_RATE_LIMIT_STORE=postgres).
 *
 * rate-limiter-flexible counts fixed windows rather than dripping tokens in one by one, so the
 * bucket is a window of `burst` requests lasting burst / rate: the same long-run rate and the
 * same largest burst as a token bucket, refilled whole when the window ends.
 *
 * In memory the count is the library's own MemoryStorage, which RateLimiterMemory counts with,
 * called directly: RateLimiterMemory answers the same count only through a promise, which would
 * cost every limited call a microtask hop and the REST fast path its synchronous answer.
 */
export class CallerRateLimiter {
  private readonly counts: MemoryStorage | RateLimitCounter;
  private readonly window: { readonly points: number; readonly duration: number };

  constructor(
    config: RateLimitConfig,
    private readonly logger: Logger,
    /** Where the counts live; process memory when absent. */
    shared?: RateLimitCounter,
  ) {
    this.window = rateLimitWindow(config);
    this.counts = shared ?? new MemoryStorage();
  }

  /** Takes one request from the caller's bucket; the refusal when it is empty (synchronously in memory). */
  take(caller: string): Refusal | undefined | Promise<Refusal | undefined> {
    if (this.counts instanceof MemoryStorage) {
      const counted = this.counts.incrby(caller, 1, this.window.duration);
      return counted.consumedPoints > this.window.points ? this.refusal(caller, counted) : undefined;
    }
    return this.counts.consume(caller).then(
      () => undefined,
      (result: unknown) => {
        if (!(result instanceof RateLimiterRes)) throw result;
        return this.refusal(caller, result);
      },
    );
  }

  private refusal(caller: string, result: RateLimiterRes): Refusal {
    const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
    this.logger.debug({ event: 'rate_limited', caller, retryAfterSeconds }, `rate limit reached for ${caller}`);
    return {
      code: 'RATE_LIMITED',
      message: `rate limit reached; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    };
  }
}
