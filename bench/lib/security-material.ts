import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '../../src/client/token';
import type { Security } from './servers';

/** The bench's JWT_KEY; the token it mints allows reads and writes, like an operator's. */
const BENCH_SECRET = 'bench-secret-of-at-least-thirty-two-bytes';

/** What a security row adds to the server's environment and to the load generator's spec. */
export interface SecurityMaterial {
  readonly env: Record<string, string>;
  readonly label: string;
  readonly caFile?: string;
  readonly token?: string;
}

/**
 * Makes the row's material in `scratch`: a CA and a server certificate for 127.0.0.1 (P-256, as a
 * modern deployment would use) made by openssl, or a JWT_KEY and a token signed with it.
 */
export async function securityMaterial(security: Security, scratch: string): Promise<SecurityMaterial> {
  if (security === 'jwt') {
    const token = await mintToken({ secret: BENCH_SECRET, scopes: ['kvs:read', 'kvs:write'], ttlSeconds: 3600 });
    return { env: { JWT_KEY: BENCH_SECRET }, label: 'JWT auth', token };
  }
  const file = (name: string): string => join(scratch, name);
  if (!existsSync(file('server.crt'))) {
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'] });
    };
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=bench CA');
    openssl('req', '-new', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'server.ext',
    );
  }
  return {
    env: { KVS_TLS_CERT_FILE: file('server.crt'), KVS_TLS_KEY_FILE: file('server.key') },
    label: 'TLS',
    caFile: file('ca.crt'),
  };
}
