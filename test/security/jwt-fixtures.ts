import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';

export const ISSUER = 'https://issuer.kvs.test';
export const AUDIENCE = 'kvs';
export const HMAC_SECRET = 'test-secret-of-at-least-32-bytes!!';

/** How a test setup's tokens are signed and what the server is told to verify them with. */
export interface KeySetup {
  readonly name: string;
  /** Variables that turn auth on for this setup. */
  readonly env: Record<string, string>;
  /** Signs claims the way the issuer this server trusts does. */
  sign(claims: JWTPayload): Promise<string>;
  /** Signs claims with a key the server does not trust (same algorithm). */
  signWithOtherKey(claims: JWTPayload): Promise<string>;
  /** The bytes an attacker would use as an HMAC key in an algorithm-confusion attack. */
  readonly publicKeyBytes: Buffer;
  remove(): void;
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Standard claims of a good token: issuer, audience, one hour of life. */
export function goodClaims(extra: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'tester', iat: now(), exp: now() + 3600, ...extra };
}

async function sign(claims: JWTPayload, alg: string, key: KeyObject | Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

/** An RS256 issuer: the server has the public key in a PEM file. */
export function rsaSetup(): KeySetup {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-jwt-'));
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const file = join(dir, 'issuer.pem');
  writeFileSync(file, pem);
  return {
    name: 'RS256 public key',
    env: { KVS_JWT_PUBLIC_KEY_FILE: file, KVS_JWT_ISSUER: ISSUER, KVS_JWT_AUDIENCE: AUDIENCE },
    sign: (claims) => sign(claims, 'RS256', privateKey),
    signWithOtherKey: (claims) => sign(claims, 'RS256', other.privateKey),
    publicKeyBytes: Buffer.from(pem),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An HS256 issuer sharing JWT_KEY with the server, as in the book. */
export function hmacSetup(): KeySetup {
  const secret = new TextEncoder().encode(HMAC_SECRET);
  return {
    name: 'HS256 JWT_KEY',
    env: { JWT_KEY: HMAC_SECRET, KVS_JWT_ISSUER: ISSUER, KVS_JWT_AUDIENCE: AUDIENCE },
    sign: (claims) => sign(claims, 'HS256', secret),
    signWithOtherKey: (claims) =>
      sign(claims, 'HS256', new TextEncoder().encode('another-secret-of-at-least-32-bytes')),
    publicKeyBytes: Buffer.from('not a public key: this server has none'),
    remove: () => undefined,
  };
}

/** An unsecured JWT (`alg: none`, empty signature), which must never be accepted. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** An HS256 token whose HMAC key is the server's public key bytes: the classic algorithm confusion. */
export function confusedToken(claims: JWTPayload, publicKeyBytes: Buffer): Promise<string> {
  return sign(claims, 'HS256', publicKeyBytes);
}
