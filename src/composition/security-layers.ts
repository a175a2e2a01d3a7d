import type { ServerInterceptor } from '@grpc/grpc-js';
import type { RequestHandler } from 'express';
import { AccessPolicy, authInterceptor, authMiddleware, readAuthConfig } from '../application/policies/auth';
import type { Logger } from '../platform/logging/logger';
import {
  LoadShedder,
  loadSheddingInterceptor,
  loadSheddingMiddleware,
  readLoadSheddingConfig,
} from '../application/policies/load-shedding';
import {
  CallerRateLimiter,
  rateLimitInterceptor,
  rateLimitMiddleware,
  readRateLimitConfig,
} from '../application/policies/rate-limit';
import { ReloadingTls, readTlsConfig, TlsMaterialError } from '../platform/tls';
import { ConfigError, type EnvReader } from '../config/env-reader';

// The security layers the composition root puts in front of both frontends.

/** REST middleware and their gRPC interceptor twins, in the same order, outermost first. */
export interface Chain {
  readonly middleware: RequestHandler[];
  readonly interceptors: ServerInterceptor[];
}

/** The cross-cutting layers both frontends apply, REST middleware and gRPC interceptors in the same order. */
export interface SecurityLayers extends Chain {
  readonly tls?: ReloadingTls;
}

/** What buildSecurityLayers adds for the start-up checks and the admin listener. */
export interface BuiltSecurityLayers extends SecurityLayers {
  readonly auth: boolean;
  /** With KVS_AUTH_PROTECT_METRICS=true: the token check that also guards the admin listener's /metrics. */
  readonly metricsGuard?: RequestHandler;
}

/**
 * Builds the security layers from KVS_TLS_*, JWT_KEY / KVS_JWT_*, KVS_RATE_* and the shedding
 * bounds. Order matters: shedding first (the cheapest refusal, and it must hold even when token
 * checks are what overloads us), then authentication (so limits are charged to the token's
 * subject), then the per-caller rate limit.
 */
export function buildSecurityLayers(env: EnvReader, logger: Logger): BuiltSecurityLayers {
  const middleware: RequestHandler[] = [];
  const interceptors: ServerInterceptor[] = [];
  const shedding = readLoadSheddingConfig(env);
  if (shedding) {
    const shedder = new LoadShedder(shedding, logger.child({ component: 'load-shedding' }));
    middleware.push(loadSheddingMiddleware(shedder));
    interceptors.push(loadSheddingInterceptor(shedder));
  }
  const auth = readAuthConfig(env);
  let metricsGuard: RequestHandler | undefined;
  if (auth) {
    const policy = new AccessPolicy(auth, logger.child({ component: 'auth' }));
    const check = authMiddleware(policy, auth.protectMetrics);
    middleware.push(check);
    interceptors.push(authInterceptor(policy));
    if (auth.protectMetrics) metricsGuard = check;
  }
  const rateLimit = readRateLimitConfig(env);
  if (rateLimit) {
    const limiter = new CallerRateLimiter(rateLimit, logger.child({ component: 'rate-limit' }));
    middleware.push(rateLimitMiddleware(limiter));
    interceptors.push(rateLimitInterceptor(limiter));
  }
  const tlsFiles = readTlsConfig(env);
  let tls: ReloadingTls | undefined;
  try {
    tls = tlsFiles && new ReloadingTls(tlsFiles, logger.child({ component: 'tls' }));
  } catch (error) {
    if (error instanceof TlsMaterialError) throw new ConfigError(`config: ${error.message}`);
    throw error;
  }
  return { middleware, interceptors, tls, auth: auth !== undefined, metricsGuard };
}

/** Whether `host` accepts connections from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
