/** JWT bearer authentication and scope/prefix authorization for both frontends. */
export { AccessPolicy, CLOCK_TOLERANCE_SECONDS } from './access-policy';
export { authInterceptor } from './auth-interceptor';
export { authMiddleware } from './auth-middleware';
export { readAuthConfig, MIN_HMAC_SECRET_BYTES, type AuthConfig } from './auth.config';
