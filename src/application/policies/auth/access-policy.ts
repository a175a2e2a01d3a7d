import { status } from '@grpc/grpc-js';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from '../../../platform/logging/logger';
import type { Refusal } from '../../call/refusal';

export type { Refusal };
import type { AuthConfig } from './auth.config';
import type { Requirement, Scope } from './requirements';
import { VerifiedTokenCache } from './verified-token-cache';

/** Seconds of clock difference tolerated on exp, nbf and iat between token issuers and kvs. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Verified tokens remembered at most (see VerifiedTokenCache). */
export const TOKEN_CACHE_ENTRIES = 10_000;

/** What a verified token allows. */
export interface Principal {
  readonly subject?: string;
  readonly scopes: ReadonlySet<string>;
  /** When present, the only key prefixes the token may touch (claim `kvs_prefixes`). */
  readonly prefixes?: readonly string[];
}

/** Where a request comes from, for the log lines of refusals. */
export interface RequestSummary {
  readonly transport: 'rest' | 'grpc';
  readonly operation: string;
  readonly caller: string;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const REALM = 'Bearer realm="kvs"';

/**
 * The one decision function of both frontends: is this bearer token valid (authenticate), and
 * may its holder do this (authorize)? The REST middleware and the gRPC interceptor only carry
 * the transport's values in and the Refusal out, so both give the same outcome for the same input.
 * Refusals are logged with their reason, never with the token.
 */
export class AccessPolicy {
  private readonly verified = new VerifiedTokenCache<Principal>(TOKEN_CACHE_ENTRIES);

  constructor(
    private readonly config: AuthConfig,
    private readonly logger: Logger,
  ) {}

  /**
   * The principal of a valid `Authorization` value, or the 401 refusal. A token verified before
   * is answered synchronously from the cache (no promise, no signature check: the hot path);
   * `describe` is only called to log a refusal.
   */
  authenticate(
    authorization: string | undefined,
    describe: () => RequestSummary,
  ): Principal | Refusal | Promise<Principal | Refusal> {
    if (authorization === undefined || authorization === '') {
      return this.refuse(describe(), 'no bearer token', unauthenticated('a bearer token is required', REALM));
    }
    const match = BEARER.exec(authorization);
    if (match === null) {
      const refusal = unauthenticated('a bearer token is required', REALM);
      return this.refuse(describe(), 'Authorization is not a Bearer token', refusal);
    }
    const token = match[1];
    return this.verified.get(token) ?? this.verify(token, describe);
  }

  private async verify(token: string, describe: () => RequestSummary): Promise<Principal | Refusal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.config.key, {
        algorithms: [...this.config.algorithms],
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      const { reason, message } = describeVerificationFailure(error);
      return this.refuse(describe(), reason, invalidToken(message));
    }
    const principal = principalOf(payload);
    if (typeof principal === 'string') {
      return this.refuse(describe(), principal, invalidToken('token claims are malformed'));
    }
    // exp is required, so it is there; the entry lapses when jose would start refusing the token.
    this.verified.set(token, principal, ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000);
    return principal;
  }

  /**
   * The 403 refusal when `principal` may not do what `requirement` asks, else undefined.
   * `key` is the key the request touches (undefined when it has none or it cannot be decoded).
   */
  authorize(
    principal: Principal,
    requirement: Requirement,
    key: string | undefined,
    describe: () => RequestSummary,
  ): Refusal | undefined {
    if (requirement.open || requirement.scope === undefined) return undefined;
    const { scope } = requirement;
    if (!principal.scopes.has(scope)) {
      return this.refuse(describe(), `token lacks scope ${scope}`, forbidden(`this needs scope ${scope}`, scope));
    }
    if (requirement.key === undefined || principal.prefixes === undefined) return undefined;
    // An undecodable key (undefined here) matches no prefix: a restricted token is refused.
    if (key === undefined || !principal.prefixes.some((prefix) => key.startsWith(prefix))) {
      return this.refuse(
        describe(),
        'key outside the token prefixes',
        forbidden('this token may not touch this key', scope),
      );
    }
    return undefined;
  }

  private refuse(request: RequestSummary, reason: string, refusal: Refusal): Refusal {
    this.logger.info(
      { event: 'access_refused', ...request, reason, code: refusal.code },
      `${request.transport} ${request.operation} refused for ${request.caller}: ${reason}`,
    );
    return refusal;
  }
}

/** Whether a decision result is a refusal rather than a principal. */
export function isRefusal(result: Principal | Refusal): result is Refusal {
  return 'httpStatus' in result;
}

function unauthenticated(message: string, challenge: string): Refusal {
  return {
    code: 'UNAUTHENTICATED',
    message,
    httpStatus: 401,
    grpcStatus: status.UNAUTHENTICATED,
    headers: { 'WWW-Authenticate': challenge },
  };
}

function invalidToken(message: string): Refusal {
  return unauthenticated(message, `${REALM}, error="invalid_token", error_description="${message}"`);
}

function forbidden(message: string, scope: Scope): Refusal {
  return {
    code: 'PERMISSION_DENIED',
    message,
    httpStatus: 403,
    grpcStatus: status.PERMISSION_DENIED,
    headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"` },
  };
}

/** A reason for the log (may name the claim) and a message for the client (no token content). */
function describeVerificationFailure(error: unknown): { reason: string; message: string } {
  if (error instanceof errors.JWTExpired) return { reason: 'token expired', message: 'token expired' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') {
      return { reason: `claim ${error.claim}: ${error.message}`, message: 'token not yet valid' };
    }
    return { reason: `claim ${error.claim}: ${error.message}`, message: `token claim ${error.claim} not accepted` };
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return { reason: 'algorithm not allowed for the configured key', message: 'token algorithm not accepted' };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { reason: 'bad signature', message: 'token signature invalid' };
  }
  if (error instanceof errors.JOSEError) return { reason: `${error.code}: ${error.message}`, message: 'token invalid' };
  return { reason: error instanceof Error ? error.message : String(error), message: 'token invalid' };
}

/** The principal of a verified payload, or why its claims are unusable. */
function principalOf(payload: JWTPayload): Principal | string {
  const { scope, kvs_prefixes: prefixes } = payload as { scope?: unknown; kvs_prefixes?: unknown };
  if (scope !== undefined && typeof scope !== 'string') return 'claim scope is not a string';
  if (prefixes !== undefined && !(Array.isArray(prefixes) && prefixes.every((p) => typeof p === 'string'))) {
    return 'claim kvs_prefixes is not an array of strings';
  }
  return {
    subject: payload.sub,
    scopes: new Set((scope ?? '').split(' ').filter((s) => s !== '')),
    prefixes: prefixes,
  };
}
