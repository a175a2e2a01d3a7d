/** JWT bearer authentication and scope/prefix authorization for every frontend. */
export { AccessPolicy } from './access-policy';
export { AuthPolicy } from './auth-policy';
export { readAuthConfig, MIN_HMAC_SECRET_BYTES, type AuthConfig } from './auth.config';
