import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { send } from '../support/http-request';
import { startInProcessService } from '../support/in-process-service';
import { confusedToken, goodClaims } from './jwt-fixtures';

/** Public keys of each supported type, as PEM or JWK files, each pinned to its own algorithm. */
const KEY_TYPES: [string, () => { publicKey: KeyObject; privateKey: KeyObject }, 'pem' | 'jwk', string][] = [
  ['Ed25519 as JWK', () => generateKeyPairSync('ed25519'), 'jwk', 'EdDSA'],
  ['P-256 as PEM', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'pem', 'ES256'],
  ['P-384 as JWK', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'jwk', 'ES384'],
  ['RSA as JWK, PS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'jwk', 'PS256'],
];

describe.each(KEY_TYPES)('KVS_JWT_PUBLIC_KEY_FILE with %s', (_name, generate, format, alg) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`accepts ${alg} tokens from the key's owner and refuses other algorithms`, async () => {
    const { publicKey, privateKey } = generate();
    const file = join(dir, `issuer.${format}`);
    const text =
      format === 'jwk'
        ? JSON.stringify(publicKey.export({ format: 'jwk' }))
        : (publicKey.export({ type: 'spki', format: 'pem' }) as string);
    writeFileSync(file, text);
    const service = await startInProcessService({ KVS_JWT_PUBLIC_KEY_FILE: file });
    try {
      const claims = goodClaims({ scope: 'kvs:read', iss: undefined, aud: undefined });
      const good = await new SignJWT(claims).setProtectedHeader({ alg }).sign(privateKey);
      const confused = await confusedToken(claims, Buffer.from(text));
      const get = (token: string) =>
        send(`${service.restUrl}/v1/key/absent`, { headers: { Authorization: `Bearer ${token}` } });
      expect((await get(good)).status).toBe(404); // authorized; the key has no value
      expect((await get(confused)).status).toBe(401);
      const refusal = service.log.records.find((record) => record.event === 'access_refused');
      expect(refusal?.reason).toBe('algorithm not allowed for the configured key');
    } finally {
      await service.stop();
    }
  });
});
