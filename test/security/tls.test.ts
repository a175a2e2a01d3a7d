import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { KvsClient, KvsClientError } from '../../src/client/kvs-client';
import { send } from '../support/http-request';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { makeTestCertificates, type TestCertificates } from '../support/test-certificates';
import { goodClaims, hmacSetup } from './jwt-fixtures';

const run = promisify(execFile);

let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates();
});

afterAll(() => certs.remove());

/** The SHA-256 fingerprint of the certificate a TLS server presents (ALPN h2 works for both ports). */
function servedFingerprint(address: string, ca: Buffer): Promise<string> {
  const [host, port] = address.replace(/^https:\/\//, '').split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(port),
      ca,
      ALPNProtocols: ['h2', 'http/1.1'],
      servername: 'localhost',
    });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

async function grpcOutcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof KvsClientError) return `${status[error.status]}${error.code ? ` ${error.code}` : ''}`;
    throw error;
  }
}

describe('TLS (server certificate only)', () => {
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcessService({
      KVS_TLS_CERT_FILE: certs.server.certFile,
      KVS_TLS_KEY_FILE: certs.server.keyFile,
    });
  });

  afterAll(() => service.stop());

  it('serves HTTPS to node:https trusting the CA, and refuses clients that do not trust it', async () => {
    expect(service.restUrl).toMatch(/^https:/);
    const put = await send(`${service.restUrl}/v1/key/tls-key`, { method: 'PUT', body: 'over TLS', ca: certs.ca.cert });
    expect(put.status).toBe(201);
    const get = await send(`${service.restUrl}/v1/key/tls-key`, { ca: certs.ca.cert });
    expect(get).toMatchObject({ status: 200, body: 'over TLS' });
    await expect(send(`${service.restUrl}/v1/key/tls-key`)).rejects.toThrow(/certificate/i);
    await expect(send(service.restUrl.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
  });

  it('serves HTTPS to curl --cacert', async () => {
    const { stdout } = await run('curl', ['-sS', '--cacert', certs.ca.certFile, `${service.restUrl}/v1/key/tls-key`]);
    expect(stdout).toBe('over TLS');
  });

  it('serves gRPC over TLS to grpc-js trusting the CA; a plaintext client gets no answer', async () => {
    const client = new KvsClient(service.grpcAddress, { timeoutMs: 5000 }, { tls: { ca: certs.ca.cert } });
    const plaintext = new KvsClient(service.grpcAddress, { timeoutMs: 2000 });
    try {
      await client.put('grpc-tls', 'secret');
      expect(await client.get('grpc-tls')).toBe('secret');
      expect(await grpcOutcome(plaintext.get('grpc-tls'))).toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED)/);
    } finally {
      client.close();
      plaintext.close();
    }
  });

  it('presents a certificate openssl s_client verifies against the CA, on the gRPC port with ALPN h2', async () => {
    const { stdout } = await run('sh', [
      '-c',
      `openssl s_client -connect ${service.grpcAddress} -alpn h2 -CAfile ${certs.ca.certFile} -verify_return_error </dev/null 2>/dev/null`,
    ]);
    expect(stdout).toContain('Verify return code: 0 (ok)');
    expect(stdout).toContain('ALPN protocol: h2');
  });
});

describe('gRPC over TLS to an IP address', () => {
  let service: InProcessService;

  beforeAll(async () => {
    // A certificate for the name localhost only, without the IP address 127.0.0.1.
    service = await startInProcessService({
      KVS_TLS_CERT_FILE: certs.nameOnlyServer.certFile,
      KVS_TLS_KEY_FILE: certs.nameOnlyServer.keyFile,
    });
  });

  afterAll(() => service.stop());

  it('checks the certificate against the IP address dialled, and works by name (no IP as TLS server name)', async () => {
    const port = service.grpcAddress.split(':')[1];
    const byIp = new KvsClient(`127.0.0.1:${port}`, { timeoutMs: 5000 }, { tls: { ca: certs.ca.cert } });
    const byName = new KvsClient(`localhost:${port}`, { timeoutMs: 5000 }, { tls: { ca: certs.ca.cert } });
    try {
      expect(await grpcOutcome(byIp.get('k'))).toMatch(/^UNAVAILABLE/);
      expect(await grpcOutcome(byName.put('k', 'v'))).toBe('ok');
    } finally {
      byIp.close();
      byName.close();
    }
  });
});

describe('mutual TLS', () => {
  let service: InProcessService;
  const setup = hmacSetup();

  beforeAll(async () => {
    service = await startInProcessService({
      KVS_TLS_CERT_FILE: certs.server.certFile,
      KVS_TLS_KEY_FILE: certs.server.keyFile,
      KVS_TLS_CLIENT_CA_FILE: certs.ca.certFile,
      ...setup.env,
    });
  });

  afterAll(() => service.stop());

  it('accepts REST clients with a certificate from the CA, refuses those without or with a stranger', async () => {
    const { client, strangerClient, ca } = certs;
    const ok = await send(`${service.restUrl}/healthz`, { ca: ca.cert, cert: client.cert, key: client.key });
    expect(ok.status).toBe(200);
    await expect(send(`${service.restUrl}/healthz`, { ca: ca.cert })).rejects.toThrow();
    await expect(
      send(`${service.restUrl}/healthz`, { ca: ca.cert, cert: strangerClient.cert, key: strangerClient.key }),
    ).rejects.toThrow();
  });

  it('accepts gRPC clients with a certificate from the CA, refuses those without or with a stranger', async () => {
    const token = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write' }));
    const { client: mine, strangerClient: stranger, ca } = certs;
    const withCert = new KvsClient(
      service.grpcAddress,
      { timeoutMs: 5000 },
      { token, tls: { ca: ca.cert, cert: mine.cert, key: mine.key } },
    );
    const withoutCert = new KvsClient(service.grpcAddress, { timeoutMs: 2000 }, { token, tls: { ca: ca.cert } });
    const withStranger = new KvsClient(
      service.grpcAddress,
      { timeoutMs: 2000 },
      { token, tls: { ca: ca.cert, cert: stranger.cert, key: stranger.key } },
    );
    try {
      expect(await grpcOutcome(withCert.put('mtls', 'v'))).toBe('ok');
      expect(await grpcOutcome(withoutCert.get('mtls'))).toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED)/);
      expect(await grpcOutcome(withStranger.get('mtls'))).toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED)/);
    } finally {
      [withCert, withoutCert, withStranger].forEach((c) => c.close());
    }
  });

  it('names the caller by the certificate subject when there is no token, on both frontends', async () => {
    const { client, ca } = certs;
    await send(`${service.restUrl}/v1/key/who`, { ca: ca.cert, cert: client.cert, key: client.key });
    const grpcClient = new KvsClient(
      service.grpcAddress,
      { timeoutMs: 5000 },
      { tls: { ca: ca.cert, cert: client.cert, key: client.key } },
    );
    try {
      expect(await grpcOutcome(grpcClient.get('who'))).toBe('UNAUTHENTICATED UNAUTHENTICATED');
    } finally {
      grpcClient.close();
    }
    const refusals = service.log.records.filter((record) => record.event === 'access_refused');
    expect(refusals.map((record) => [record.transport, record.caller])).toEqual([
      ['rest', 'cert:CN=alice,O=kvs tests'],
      ['grpc', 'cert:CN=alice,O=kvs tests'],
    ]);
  });
});

describe('certificate reload', () => {
  let service: InProcessService;
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    certFile = join(certs.dir, 'live.crt');
    keyFile = join(certs.dir, 'live.key');
    copyFileSync(certs.server.certFile, certFile);
    copyFileSync(certs.server.keyFile, keyFile);
    service = await startInProcessService({ KVS_TLS_CERT_FILE: certFile, KVS_TLS_KEY_FILE: keyFile });
  });

  afterAll(() => service.stop());

  async function fingerprints(): Promise<string[]> {
    const ca = certs.ca.cert;
    return [await servedFingerprint(service.restUrl, ca), await servedFingerprint(service.grpcAddress, ca)];
  }

  const fingerprintOf = (file: string): string => new X509Certificate(readFileSync(file)).fingerprint256;

  it('serves new certificates on both frontends after a reload (what SIGHUP triggers), without a restart', async () => {
    const original = fingerprintOf(certs.server.certFile);
    const rotated = fingerprintOf(certs.rotatedServer.certFile);
    expect(await fingerprints()).toEqual([original, original]);
    copyFileSync(certs.rotatedServer.keyFile, keyFile);
    copyFileSync(certs.rotatedServer.certFile, certFile);
    expect(service.tls!.reload('SIGHUP')).toBe(true);
    expect(await fingerprints()).toEqual([rotated, rotated]);
  });

  it('keeps serving the current certificates when the new files do not fit, and logs why', async () => {
    const before = await fingerprints();
    copyFileSync(certs.client.keyFile, keyFile); // a key that does not match the certificate
    expect(service.tls!.reload('SIGHUP')).toBe(false);
    expect(await fingerprints()).toEqual(before);
    const failure = service.log.records.find((record) => record.event === 'tls_reload_failed');
    expect(failure?.reason).toMatch(/KVS_TLS_KEY_FILE=.*does not match/);
  });

  it('reloads by itself when the files change', async () => {
    const original = fingerprintOf(certs.server.certFile);
    service.tls!.watch();
    copyFileSync(certs.server.keyFile, keyFile);
    copyFileSync(certs.server.certFile, certFile);
    // The files are polled once a second; wait (bounded) for the reload to be logged.
    const reloaded = () => service.log.records.some((r) => r.event === 'tls_reloaded' && r.trigger === 'file change');
    for (let waited = 0; !reloaded() && waited < 15_000; waited += 100) await sleep(100);
    expect(reloaded()).toBe(true);
    expect(await fingerprints()).toEqual([original, original]);
  });
});
