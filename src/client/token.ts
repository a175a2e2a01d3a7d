import { SignJWT } from 'jose';

/** What a minted token allows and how long it lives. */
export interface TokenRequest {
  /** The HMAC secret the server verifies with (its JWT_KEY). */
  readonly secret: string;
  /** Space-separated in the token's `scope` claim, e.g. ["kvs:read", "kvs:write"]. */
  readonly scopes: readonly string[];
  /** When non-empty, the only key prefixes the token may touch (claim `kvs_prefixes`). */
  readonly prefixes?: readonly string[];
  readonly ttlSeconds: number;
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Mints an HS256 JWT the way a kvs server configured with JWT_KEY accepts it (the book's buildToken). */
export async function mintToken(request: TokenRequest): Promise<string> {
  const claims: Record<string, unknown> = { scope: request.scopes.join(' ') };
  if (request.prefixes !== undefined && request.prefixes.length > 0) claims.kvs_prefixes = [...request.prefixes];
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.ttlSeconds);
  if (request.subject !== undefined) jwt.setSubject(request.subject);
  if (request.issuer !== undefined) jwt.setIssuer(request.issuer);
  if (request.audience !== undefined) jwt.setAudience(request.audience);
  return jwt.sign(new TextEncoder().encode(request.secret));
}
