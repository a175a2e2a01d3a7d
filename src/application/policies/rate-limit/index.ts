/** Per-caller request rate limits for both frontends. */
export { CallerRateLimiter } from './caller-rate-limiter';
export { rateLimitInterceptor } from './rate-limit-interceptor';
export { rateLimitMiddleware } from './rate-limit-middleware';
export { readRateLimitConfig, type RateLimitConfig } from './rate-limit.config';
