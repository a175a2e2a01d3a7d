// The container's HEALTHCHECK command (Dockerfile): asks the running service's /readyz, exits 0
// when it answers 200 and 1 otherwise. A program of its own, so the image needs no curl.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { EnvReader } from '../../config/env-reader';

/** A probe that takes longer than this counts as failed (the Dockerfile gives it 3 s in all). */
const PROBE_TIMEOUT_MS = 2500;

/** Where /readyz answers, by the same variables the service reads. */
export interface ProbeTarget {
  readonly url: string;
  /** HTTPS: the REST port when KVS_TLS_CERT_FILE is set. */
  readonly tls: boolean;
}

/**
 * The operations listener when KVS_ADMIN_PORT is set (plain HTTP, and there even with
 * FRONTEND_TYPE=grpc or mutual TLS), else the REST port, over HTTPS when TLS is on.
 */
export function probeTarget(env: EnvReader): ProbeTarget {
  const admin = env.optional('KVS_ADMIN_PORT');
  if (admin !== undefined) return { url: `http://127.0.0.1:${admin}/readyz`, tls: false };
  const tls = env.optional('KVS_TLS_CERT_FILE') !== undefined;
  const port = env.string('KVS_HTTP_PORT', '8080');
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/readyz`, tls };
}

/** Resolves true when `target` answers 200 within the timeout. */
export function probe(target: ProbeTarget): Promise<boolean> {
  return new Promise((resolve) => {
    // The probe asks its own container over loopback for a status code, sending nothing secret:
    // the certificate names the service's public host, not 127.0.0.1, so it is not checked.
    const options = { timeout: PROBE_TIMEOUT_MS, ...(target.tls ? { rejectUnauthorized: false } : {}) };
    const request = (target.tls ? httpsRequest : httpRequest)(target.url, options, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.end();
  });
}

if (require.main === module) {
  void probe(probeTarget(new EnvReader(process.env))).then((ready) => {
    process.exitCode = ready ? 0 : 1;
  });
}
