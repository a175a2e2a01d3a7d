import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logRecords, runService, startService } from '../support/service-process';
import { makeTestCertificates, type TestCertificates } from '../support/test-certificates';

let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates();
});

afterAll(() => certs.remove());

const logFile = (name: string): string => join(certs.dir, `${name}.log`);

describe('safe defaults at start-up', () => {
  it('listens on loopback only when KVS_HOST is unset, without a warning', async () => {
    const service = await startService({ KVS_HOST: '', TLOG_FILENAME: logFile('loopback') });
    service.process.kill('SIGTERM');
    await service.exited();
    const records = logRecords(service.output());
    // The start-up line lists every frontend once (with KVS_WORKERS, each worker logs its own listening lines).
    const started = records.find((r) => r.event === 'started') as unknown as {
      listening: { frontend: string; host: string }[];
    };
    const hosts = started.listening.map((r) => [r.frontend, r.host]);
    expect(hosts).toEqual([
      ['rest', '127.0.0.1'],
      ['grpc', '127.0.0.1'],
    ]);
    expect(records.filter((r) => r.event === 'insecure_listen')).toEqual([]);
  });

  it('warns once when listening beyond loopback without TLS or authentication', async () => {
    const service = await startService({ KVS_HOST: '0.0.0.0', TLOG_FILENAME: logFile('exposed') });
    service.process.kill('SIGTERM');
    await service.exited();
    const warnings = logRecords(service.output()).filter((r) => r.event === 'insecure_listen');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, host: '0.0.0.0', tls: false, auth: false });
    expect(warnings[0].msg).toContain('without TLS and authentication');
  });

  it('does not warn beyond loopback when both TLS and authentication are on', async () => {
    const service = await startService({
      KVS_HOST: '0.0.0.0',
      TLOG_FILENAME: logFile('secured'),
      KVS_TLS_CERT_FILE: certs.server.certFile,
      KVS_TLS_KEY_FILE: certs.server.keyFile,
      JWT_KEY: 'a-secret-that-is-long-enough-for-hs256',
    });
    service.process.kill('SIGTERM');
    await service.exited();
    expect(logRecords(service.output()).filter((r) => r.event === 'insecure_listen')).toEqual([]);
  });

  it('reloads the certificates on SIGHUP', async () => {
    const service = await startService({
      TLOG_FILENAME: logFile('sighup'),
      KVS_TLS_CERT_FILE: certs.server.certFile,
      KVS_TLS_KEY_FILE: certs.server.keyFile,
    });
    service.process.kill('SIGHUP');
    const reloaded = (): boolean =>
      logRecords(service.output()).some((r) => r.event === 'tls_reloaded' && r.trigger === 'SIGHUP');
    for (let waited = 0; !reloaded() && waited < 10_000; waited += 50) await sleep(50);
    expect(reloaded()).toBe(true);
    service.process.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
  });
});

describe('security configuration errors', () => {
  const cases: [string, () => Record<string, string>, RegExp][] = [
    [
      'a short JWT_KEY',
      () => ({ JWT_KEY: 'too-short-secret' }),
      /^kvs: config: JWT_KEY=\(hidden\) is not valid; expected a secret of at least 32 bytes$/,
    ],
    [
      'both JWT_KEY and a public key file',
      () => ({ JWT_KEY: 'x'.repeat(32), KVS_JWT_PUBLIC_KEY_FILE: certs.ca.certFile }),
      /KVS_JWT_PUBLIC_KEY_FILE=.* is not valid; expected to be unset when JWT_KEY is set/,
    ],
    [
      'a missing public key file',
      () => ({ KVS_JWT_PUBLIC_KEY_FILE: join(certs.dir, 'absent.pem') }),
      /KVS_JWT_PUBLIC_KEY_FILE=.*absent\.pem" is not valid; expected a readable PEM or JWK public key file \(ENOENT/,
    ],
    [
      'a public key file that holds no key',
      () => {
        writeFileSync(join(certs.dir, 'garbage.pem'), 'not a key');
        return { KVS_JWT_PUBLIC_KEY_FILE: join(certs.dir, 'garbage.pem') };
      },
      /KVS_JWT_PUBLIC_KEY_FILE=.*garbage\.pem" is not valid; expected a readable PEM or JWK public key file/,
    ],
    [
      'only a certificate',
      () => ({ KVS_TLS_CERT_FILE: certs.server.certFile }),
      /KVS_TLS_CERT_FILE=.* is not valid; expected KVS_TLS_KEY_FILE to be set too/,
    ],
    [
      'only a key',
      () => ({ KVS_TLS_KEY_FILE: certs.server.keyFile }),
      /KVS_TLS_KEY_FILE=.* is not valid; expected KVS_TLS_CERT_FILE to be set too/,
    ],
    [
      'an unreadable certificate',
      () => ({ KVS_TLS_CERT_FILE: join(certs.dir, 'absent.crt'), KVS_TLS_KEY_FILE: certs.server.keyFile }),
      /^kvs: config: KVS_TLS_CERT_FILE=".*absent\.crt": cannot be read \(ENOENT/,
    ],
    [
      'a key that does not match the certificate',
      () => ({ KVS_TLS_CERT_FILE: certs.server.certFile, KVS_TLS_KEY_FILE: certs.client.keyFile }),
      /^kvs: config: KVS_TLS_KEY_FILE=".*client\.key": the key does not match KVS_TLS_CERT_FILE$/,
    ],
    [
      'a client CA without a server certificate',
      () => ({ KVS_TLS_CLIENT_CA_FILE: certs.ca.certFile }),
      /KVS_TLS_CLIENT_CA_FILE=.* is not valid; expected KVS_TLS_CERT_FILE and KVS_TLS_KEY_FILE to be set too/,
    ],
    [
      'a bad rate',
      () => ({ KVS_RATE_LIMIT: '200 per second' }),
      /KVS_RATE_LIMIT="200 per second" is not valid; expected N\/s, N\/m or N\/h/,
    ],
    [
      'a burst without a rate',
      () => ({ KVS_RATE_BURST: '10' }),
      /KVS_RATE_BURST="10" is not valid; expected KVS_RATE_LIMIT to be set too/,
    ],
    [
      'a rate limit store without a rate',
      () => ({ KVS_RATE_LIMIT_STORE: 'postgres' }),
      /KVS_RATE_LIMIT_STORE="postgres" is not valid; expected KVS_RATE_LIMIT to be set too/,
    ],
    [
      'an unknown rate limit store',
      () => ({ KVS_RATE_LIMIT: '10/s', KVS_RATE_LIMIT_STORE: 'redis' }),
      /KVS_RATE_LIMIT_STORE="redis" is not valid; expected memory, postgres/,
    ],
    [
      'rate limits counted in PostgreSQL with the file log',
      () => ({ KVS_RATE_LIMIT: '10/s', KVS_RATE_LIMIT_STORE: 'postgres' }),
      /KVS_RATE_LIMIT_STORE="postgres" is not valid; expected memory with TLOG_TYPE=file/,
    ],
    ['a bad in-flight bound', () => ({ KVS_MAX_IN_FLIGHT: 'many' }), /KVS_MAX_IN_FLIGHT="many" is not valid/],
    [
      'a bad reflection switch',
      () => ({ KVS_GRPC_REFLECTION: 'maybe' }),
      /KVS_GRPC_REFLECTION="maybe" is not valid; expected true, false/,
    ],
  ];

  it.each(cases)('%s exits 2 with one line and no secret', async (_name, env, message) => {
    const result = await runService({ TLOG_FILENAME: logFile('config'), ...env() });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toContain('too-short-secret');
    expect(result.stdout).toBe('');
  });
});
