import { RateLimiterMemory } from 'rate-limiter-flexible';
import { CallerRateLimiter, type RateLimitConfig } from '../../../src/application/policies/rate-limit';
import { recordingLogger } from '../../support/recording-logger';

/** Five requests, then a window of five hours: nothing refills during a test. */
const CONFIG: RateLimitConfig = { requests: 1, perSeconds: 3600, burst: 5, store: 'memory' };

describe('CallerRateLimiter', () => {
  it('counts in memory synchronously: no promise, so the REST fast path stays synchronous', () => {
    const limiter = new CallerRateLimiter(CONFIG, recordingLogger().logger);
    const answers = Array.from({ length: 7 }, () => limiter.take('alice'));
    expect(answers.some((answer) => answer instanceof Promise)).toBe(false);
    expect(answers.slice(0, 5)).toEqual(Array<undefined>(5).fill(undefined));
    expect(answers[5]).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect((answers[6] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(5 * 3600 - 10);
    // Each caller has a bucket of its own.
    expect(limiter.take('bob')).toBeUndefined();
  });

  it("answers a shared store's refusal as RATE_LIMITED, and lets its failures through", async () => {
    // A store of rate-limiter-flexible's answering as the PostgreSQL one does: 1 request per 30 s.
    const store = new RateLimiterMemory({ points: 1, duration: 30 });
    let failing = false;
    const shared = { consume: (key: string) => (failing ? Promise.reject(new Error('down')) : store.consume(key)) };
    const limiter = new CallerRateLimiter(CONFIG, recordingLogger().logger, shared);
    expect(await limiter.take('alice')).toBeUndefined();
    expect(await limiter.take('alice')).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
    failing = true;
    await expect(limiter.take('alice')).rejects.toThrow('down');
  });
});
