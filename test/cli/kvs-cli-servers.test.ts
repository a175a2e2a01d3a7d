import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { requireBuiltCli, runCli } from '../support/run-cli';
import { startService, type ServiceProcess } from '../support/service-process';
import { makeTestCertificates, type TestCertificates } from '../support/test-certificates';

const SECRET = 'cli-exit-status-secret-of-32-bytes!';

/** A token minted by the CLI itself. */
async function token(scope: string, ...extra: string[]): Promise<string> {
  const run = await runCli(['token', '--scope', scope, ...extra], { env: { JWT_KEY: SECRET } });
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

/** The REST and gRPC URLs' host:port, by name (the test certificates name localhost). */
const byName = (address: string): string => address.replace('127.0.0.1', 'localhost');

describe('kvs against a real service with authentication, rate limits and the read-only flag', () => {
  let dir: string;
  let service: ServiceProcess;

  beforeAll(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'kvs-cli-servers-'));
    const flags = join(dir, 'flags.json');
    const readOnly = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' };
    writeFileSync(flags, JSON.stringify({ flags: { 'read-only': readOnly } }));
    service = await startService({
      TLOG_FILENAME: join(dir, 'transactions.log'),
      JWT_KEY: SECRET,
      KVS_FLAGS_FILE: flags,
      // Per caller (the token's subject) and per hour: only the calls below count.
      KVS_RATE_LIMIT: '2/h',
    });
  });

  afterAll(async () => {
    service.process.kill('SIGTERM');
    await service.exited();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (): string[] => ['--address', service.grpcAddress!];

  it('exits 5 for a write while the server is read-only', async () => {
    const run = await runCli([...at(), '--token', await token('kvs:write', '--subject', 'writer'), 'put', 'k', 'v']);
    expect(run).toMatchObject({ code: 5, stderr: expect.stringContaining('read-only') });
  });

  it("exits 5 without a token, and for a key outside the token's prefixes", async () => {
    expect(await runCli([...at(), 'get', 'k'])).toMatchObject({
      code: 5,
      stderr: expect.stringContaining('UNAUTHENTICATED'),
    });
    const narrow = await token('kvs:read', '--prefix', 'team-a/', '--subject', 'narrow');
    const outside = await runCli([...at(), '--json', '--token', narrow, 'get', 'team-b/k']);
    expect(outside.code).toBe(5);
    expect(JSON.parse(outside.stderr)).toMatchObject({ error: { code: 'PERMISSION_DENIED', exit: 5 } });
  });

  it('exits 5 once the caller has used up its rate limit', async () => {
    const reader = await token('kvs:read', '--subject', 'reader');
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await runCli([...at(), '--token', reader, 'get', 'absent'])).code);
    expect(codes).toEqual([1, 1, 5]);
  });

  it('says in one line that the REST port is not the gRPC port', async () => {
    const rest = new URL(service.restUrl!).host;
    const run = await runCli(['--address', rest, 'get', 'k']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: `kvs: get failed: ${rest} looks like the REST (HTTP/1.1) port; use the gRPC port (default 50051)\n`,
    });
  });

  it('says that the server does not speak TLS when asked for TLS', async () => {
    const certs = makeTestCertificates();
    try {
      const run = await runCli(['--address', byName(service.grpcAddress!), '--cacert', certs.ca.certFile, 'get', 'k']);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^kvs: get failed: localhost:\d+ does not speak TLS; drop --tls, --cacert and --cert/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      certs.remove();
    }
  });
});

describe('kvs talking plaintext to a TLS service', () => {
  let certs: TestCertificates;
  let service: InProcessService;

  beforeAll(async () => {
    certs = makeTestCertificates();
    service = await startInProcessService({
      KVS_TLS_CERT_FILE: certs.server.certFile,
      KVS_TLS_KEY_FILE: certs.server.keyFile,
    });
  });

  afterAll(async () => {
    await service.stop();
    certs.remove();
  });

  it('says the gRPC port looks like a TLS server and names --cacert', async () => {
    const address = byName(service.grpcAddress);
    const run = await runCli(['--address', address, 'get', 'k']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: `kvs: get failed: ${address} looks like a TLS server; use --cacert FILE (or --tls for a publicly trusted certificate)\n`,
    });
    expect(await runCli(['--address', address, '--cacert', certs.ca.certFile, 'get', 'k'])).toMatchObject({ code: 1 });
  });

  it('says an HTTPS REST port is the REST port, over TLS or not', async () => {
    const rest = byName(new URL(service.restUrl).host);
    const plain = await runCli(['--address', rest, 'get', 'k']);
    expect(plain).toMatchObject({
      code: 3,
      stderr: expect.stringContaining(`${rest} looks like the REST (HTTP/1.1) port`),
    });
    const tls = await runCli(['--address', rest, '--cacert', certs.ca.certFile, 'get', 'k']);
    expect(tls).toMatchObject({
      code: 3,
      stderr: expect.stringContaining(`${rest} looks like the REST (HTTP/1.1) port`),
    });
  });

  it('says the certificate is not trusted without the CA', async () => {
    const run = await runCli(['--address', byName(service.grpcAddress), '--tls', 'get', 'k']);
    expect(run).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/does not trust .*; pass --cacert with the CA that signed it\n$/),
    });
  });
});
