import type { EnvReader } from '../../config/env-reader';

/** The PEM files TLS is built from; undefined from readTlsConfig means plain TCP. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA that client certificates must chain to (mTLS); unset: no client certificates asked for. */
  readonly clientCaFile?: string;
}

/** Reads KVS_TLS_CERT_FILE, KVS_TLS_KEY_FILE and KVS_TLS_CLIENT_CA_FILE; the files are checked by loadTlsMaterial. */
export function readTlsConfig(env: EnvReader): TlsFiles | undefined {
  const certFile = env.optional('KVS_TLS_CERT_FILE');
  const keyFile = env.optional('KVS_TLS_KEY_FILE');
  const clientCaFile = env.optional('KVS_TLS_CLIENT_CA_FILE');
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined) {
      throw env.invalid('KVS_TLS_CLIENT_CA_FILE', clientCaFile, 'KVS_TLS_CERT_FILE and KVS_TLS_KEY_FILE to be set too');
    }
    return undefined;
  }
  if (certFile === undefined) throw env.invalid('KVS_TLS_KEY_FILE', keyFile!, 'KVS_TLS_CERT_FILE to be set too');
  if (keyFile === undefined) throw env.invalid('KVS_TLS_CERT_FILE', certFile, 'KVS_TLS_KEY_FILE to be set too');
  return { certFile, keyFile, clientCaFile };
}
