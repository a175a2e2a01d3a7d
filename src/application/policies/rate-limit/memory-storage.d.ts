/**
 * rate-limiter-flexible's in-memory counter, the one its RateLimiterMemory counts with (the
 * package ships no type for it): a fixed window of `durationSec` per key, counted synchronously.
 */
declare module 'rate-limiter-flexible/lib/component/MemoryStorage/MemoryStorage' {
  import type { RateLimiterRes } from 'rate-limiter-flexible';

  class MemoryStorage {
    /** Adds `value` to the key's count in its current window (opening one when none is open). */
    incrby(key: string, value: number, durationSec: number): RateLimiterRes;
  }
  export = MemoryStorage;
}
