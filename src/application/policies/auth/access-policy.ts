import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from '../../../platform/logging/logger';
import type { Principal } from '../../call/call';
import type { Refusal } from '../../call/refusal';
import type { Operation, Scope } from '../../operations/operation';
import type { AuthConfig } from './auth.config';
import { VerifiedTokenCache } from './verified-token-cache';

/** Verified tokens remembered at most (see VerifiedTokenCache). */
export const TOKEN_CACHE_ENTRIES = 10_000;

/** Where a request comes from, for the log lines of refusals (never its key: keys are logged at debug only). */
export interface RequestSummary {
  readonly transport: string;
  readonly operation: string;
  readonly caller: string;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const REALM = 'Bearer realm="kvs"';

/**
 * The one decision function of every frontend: is this bearer token valid (authenticate), and
 * may its holder do this (authorize)? AuthPolicy asks it for each call of the pipeline.
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
        clockTolerance: this.config.clockToleranceSeconds,
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
    this.verified.set(token, principal, ((payload.exp as number) + this.config.clockToleranceSeconds) * 1000);
    return principal;
  }

  /** The 403 refusal when `principal` lacks the scope `operation` needs, else undefined. */
  authorizeScope(principal: Principal, operation: Operation, describe: () => RequestSummary): Refusal | undefined {
    const { scope } = operation;
    if (scope === undefined || principal.scopes.has(scope)) return undefined;
    return this.refuse(describe(), `token lacks scope ${scope}`, forbidden(`this needs scope ${scope}`, scope));
  }

  /**
   * The 403 refusal when `principal` may not touch `key` (undefined: it cannot be decoded), else
   * undefined. Only operations with a key and tokens with `kvs_prefixes` are checked.
   */
  authorizeKey(
    principal: Principal,
    operation: Operation,
    key: string | undefined,
    describe: () => RequestSummary,
  ): Refusal | undefined {
    if (operation.key === undefined || operation.scope === undefined || principal.prefixes === undefined) {
      return undefined;
    }
    // An undecodable key (undefined here) matches no prefix: a restricted token is refused.
    if (key !== undefined && principal.prefixes.some((prefix) => key.startsWith(prefix))) return undefined;
    return this.refuse(
      describe(),
      'key outside the token prefixes',
      forbidden('this token may not touch this key', operation.scope),
    );
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
  return 'code' in result;
}

function unauthenticated(message: string, challenge: string): Refusal {
  return { code: 'UNAUTHENTICATED', message, challenge };
}

function invalidToken(message: string): Refusal {
  return unauthenticated(message, `${REALM}, error="invalid_token", error_description="${message}"`);
}

function forbidden(message: string, scope: Scope): Refusal {
  return { code: 'PERMISSION_DENIED', message, challenge: `${REALM}, error="insufficient_scope", scope="${scope}"` };
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
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
  };
}
