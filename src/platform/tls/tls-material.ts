import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { describeError } from '../error-text/error-text';
import type { ServerTlsMaterial } from './server-tls';
import type { TlsFiles } from './tls.config';

/** Why TLS files cannot be used, naming the variable and file; one line. */
export class TlsMaterialError extends Error {
  constructor(
    readonly variable: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${variable}=${JSON.stringify(file)}: ${problem}`);
    this.name = 'TlsMaterialError';
  }
}

/**
 * Reads and checks the PEM files: each readable and parseable, and the key the certificate's
 * own, so a mismatch is reported at start-up (or at reload) rather than at the first handshake.
 */
export function loadTlsMaterial(files: TlsFiles): ServerTlsMaterial {
  const cert = readPem('KVS_TLS_CERT_FILE', files.certFile);
  const key = readPem('KVS_TLS_KEY_FILE', files.keyFile);
  const ca = files.clientCaFile === undefined ? undefined : readPem('KVS_TLS_CLIENT_CA_FILE', files.clientCaFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new TlsMaterialError('KVS_TLS_CERT_FILE', files.certFile, `not a PEM certificate (${describeError(error)})`);
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key))) {
      throw new TlsMaterialError('KVS_TLS_KEY_FILE', files.keyFile, 'the key does not match KVS_TLS_CERT_FILE');
    }
  } catch (error) {
    if (error instanceof TlsMaterialError) throw error;
    throw new TlsMaterialError('KVS_TLS_KEY_FILE', files.keyFile, `not a PEM private key (${describeError(error)})`);
  }
  if (ca !== undefined) {
    try {
      createSecureContext({ ca });
      new X509Certificate(ca);
    } catch (error) {
      throw new TlsMaterialError(
        'KVS_TLS_CLIENT_CA_FILE',
        files.clientCaFile!,
        `not a PEM CA certificate (${describeError(error)})`,
      );
    }
  }
  return { cert, key, ca };
}

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TlsMaterialError(variable, file, `cannot be read (${describeError(error)})`);
  }
}
