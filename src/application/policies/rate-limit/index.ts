/** Per-caller request rate limits for every frontend. */
export { CallerRateLimiter } from './caller-rate-limiter';
export { RateLimitPolicy } from './rate-limit-policy';
export { rateLimitWindow, readRateLimitConfig, type RateLimitConfig } from './rate-limit.config';
