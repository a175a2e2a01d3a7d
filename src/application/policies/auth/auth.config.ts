import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EnvReader } from '../../../config/env-reader';
import { describeError } from '../../../platform/error-text/error-text';

/** HMAC secrets shorter than this are refused: RFC 7518 asks for at least the hash size (HS256). */
export const MIN_HMAC_SECRET_BYTES = 32;

/** How JWTs are verified; undefined from readAuthConfig means authentication is off. */
export interface AuthConfig {
  /** The HMAC secret (JWT_KEY) or the public key (KVS_JWT_PUBLIC_KEY_FILE). */
  readonly key: Uint8Array | KeyObject;
  /** The only algorithms accepted, fixed by the key's type, so no token can pick another. */
  readonly algorithms: readonly string[];
  readonly issuer?: string;
  readonly audience?: string;
  /** Whether /metrics needs a token with kvs:metrics. */
  readonly protectMetrics: boolean;
  /** Seconds of clock difference tolerated on exp and nbf (KVS_AUTH_CLOCK_TOLERANCE_S). */
  readonly clockToleranceSeconds: number;
}

/** The default of KVS_AUTH_CLOCK_TOLERANCE_S (jose itself tolerates 0 s unless told otherwise). */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
/** The largest KVS_AUTH_CLOCK_TOLERANCE_S accepted: more is no longer clock skew. */
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/**
 * Reads JWT_KEY (HMAC secret) or KVS_JWT_PUBLIC_KEY_FILE (PEM or JWK public key), and
 * KVS_JWT_ISSUER, KVS_JWT_AUDIENCE, KVS_AUTH_PROTECT_METRICS, KVS_AUTH_CLOCK_TOLERANCE_S.
 * Neither key set: auth off.
 */
export function readAuthConfig(env: EnvReader): AuthConfig | undefined {
  const secret = env.optional('JWT_KEY');
  const publicKeyFile = env.optional('KVS_JWT_PUBLIC_KEY_FILE');
  const protectMetrics = env.oneOf('KVS_AUTH_PROTECT_METRICS', ['true', 'false'], 'false') === 'true';
  const clockToleranceSeconds = env.integer(
    'KVS_AUTH_CLOCK_TOLERANCE_S',
    DEFAULT_CLOCK_TOLERANCE_SECONDS,
    0,
    MAX_CLOCK_TOLERANCE_SECONDS,
  );
  if (secret === undefined && publicKeyFile === undefined) return undefined;
  if (secret !== undefined && publicKeyFile !== undefined) {
    throw env.invalid('KVS_JWT_PUBLIC_KEY_FILE', publicKeyFile, 'to be unset when JWT_KEY is set (use one key)');
  }
  const common = {
    issuer: env.optional('KVS_JWT_ISSUER'),
    audience: env.optional('KVS_JWT_AUDIENCE'),
    protectMetrics,
    clockToleranceSeconds,
  };
  if (secret !== undefined) {
    const bytes = new TextEncoder().encode(secret);
    if (bytes.length < MIN_HMAC_SECRET_BYTES) {
      throw env.invalid('JWT_KEY', secret, `a secret of at least ${MIN_HMAC_SECRET_BYTES} bytes`, { secret: true });
    }
    return { key: bytes, algorithms: HMAC_ALGORITHMS, ...common };
  }
  const key = readPublicKey(env, publicKeyFile as string);
  return { key, algorithms: algorithmsFor(env, publicKeyFile as string, key), ...common };
}

/** Reads a PEM (SPKI, certificate or private key: its public half is used) or a JWK file. */
function readPublicKey(env: EnvReader, file: string): KeyObject {
  const accepted = 'a readable PEM or JWK public key file';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw env.invalid('KVS_JWT_PUBLIC_KEY_FILE', file, `${accepted} (${describeError(error)})`);
  }
  try {
    if (text.trimStart().startsWith('{')) {
      return createPublicKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' });
    }
    return createPublicKey(text);
  } catch (error) {
    throw env.invalid('KVS_JWT_PUBLIC_KEY_FILE', file, `${accepted} (${describeError(error)})`);
  }
}

/** The JWS algorithms that fit the key; anything else (HMAC included) is refused by jose. */
function algorithmsFor(env: EnvReader, file: string, key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ed25519':
    case 'ed448':
      return ['EdDSA'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const byCurve: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
      if (curve !== undefined && curve in byCurve) return [byCurve[curve]];
      break;
    }
  }
  throw env.invalid('KVS_JWT_PUBLIC_KEY_FILE', file, 'an RSA, RSA-PSS, P-256/384/521 EC, Ed25519 or Ed448 key');
}
