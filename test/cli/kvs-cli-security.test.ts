import { decodeJwt } from 'jose';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { makeTestCertificates, type TestCertificates } from '../support/test-certificates';
import { requireBuiltCli, runCli, type CliRun } from '../support/run-cli';

const SECRET = 'cli-test-secret-of-at-least-32-bytes';

const kvs = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runCli(args, { env });

describe('kvs token', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('mints an HS256 token with the scopes, prefixes, subject and lifetime asked for', async () => {
    const run = await kvs(
      [
        'token',
        '--scope',
        'kvs:read kvs:write',
        '--prefix',
        'team-a/',
        '--prefix',
        'team-b/',
        '--ttl',
        '10m',
        '--subject',
        'ops',
      ],
      { JWT_KEY: SECRET, KVS_JWT_ISSUER: 'https://issuer', KVS_JWT_AUDIENCE: 'kvs' },
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const claims = decodeJwt(run.stdout.trim());
    expect(claims).toMatchObject({
      scope: 'kvs:read kvs:write',
      kvs_prefixes: ['team-a/', 'team-b/'],
      sub: 'ops',
      iss: 'https://issuer',
      aud: 'kvs',
    });
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it.each([
    [[], {}, /JWT_KEY/],
    [[], { JWT_KEY: 'short' }, /at least 32 bytes/],
    [['--ttl', 'forever'], { JWT_KEY: SECRET }, /--ttl must be a duration/],
  ])('refuses %p with %p: exit 2', async (extra, env, message) => {
    const run = await kvs(['token', '--scope', 'kvs:read', ...extra], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it.each(['kvs:raed', 'read', 'kvs:read kvs:everything'])(
    'refuses the unknown scope in --scope %p: exit 2',
    async (scope) => {
      const run = await kvs(['token', '--scope', scope], { JWT_KEY: SECRET });
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/unknown scope/);
      expect(run.stderr).toContain('kvs:read, kvs:write, kvs:admin, kvs:metrics');
    },
  );

  it('needs --scope', async () => {
    expect(await kvs(['token'], { JWT_KEY: SECRET })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--scope/),
    });
  });
});

describe('kvs against a server with TLS, mTLS and tokens', () => {
  let certs: TestCertificates;
  let service: InProcessService;
  let token: string;

  beforeAll(async () => {
    certs = makeTestCertificates();
    service = await startInProcessService({
      JWT_KEY: SECRET,
      KVS_TLS_CERT_FILE: certs.server.certFile,
      KVS_TLS_KEY_FILE: certs.server.keyFile,
      KVS_TLS_CLIENT_CA_FILE: certs.ca.certFile,
    });
    token = (await kvs(['token', '--scope', 'kvs:read kvs:write'], { JWT_KEY: SECRET })).stdout.trim();
  });

  afterAll(async () => {
    await service.stop();
    certs.remove();
  });

  // By the name in the server's certificate: Node warns when TLS is asked for an IP address.
  const byName = (): string => service.grpcAddress.replace('127.0.0.1', 'localhost');

  it('works with --cacert, --cert, --key and --token', async () => {
    const at = ['--address', byName(), '--cacert', certs.ca.certFile];
    const mine = ['--cert', certs.client.certFile, '--key', certs.client.keyFile];
    expect(await kvs([...at, ...mine, '--token', token, 'put', 'cli', 'secure'])).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^revision \d+\n$/),
      stderr: '',
    });
    expect(await kvs([...at, ...mine, '--token', token, 'get', 'cli'])).toEqual({
      code: 0,
      stdout: 'secure',
      stderr: '',
    });
  });

  it('takes the token and the files from KVS_TOKEN, KVS_CACERT, KVS_CERT and KVS_KEY', async () => {
    const env = {
      KVS_ADDRESS: byName(),
      KVS_TOKEN: token,
      KVS_CACERT: certs.ca.certFile,
      KVS_CERT: certs.client.certFile,
      KVS_KEY: certs.client.keyFile,
    };
    expect(await kvs(['get', 'cli'], env)).toEqual({ code: 0, stdout: 'secure', stderr: '' });
  });

  it('exits 5 (refused by the server) naming UNAUTHENTICATED without a token', async () => {
    const run = await kvs([
      '--address',
      service.grpcAddress,
      '--cacert',
      certs.ca.certFile,
      '--cert',
      certs.client.certFile,
      '--key',
      certs.client.keyFile,
      'get',
      'cli',
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('UNAUTHENTICATED');
  });

  it('exits 2 for --cert without --key, or a file it cannot read', async () => {
    const halfPair = await kvs(['--address', service.grpcAddress, '--cert', certs.client.certFile, 'get', 'cli']);
    expect(halfPair).toMatchObject({ code: 2, stderr: expect.stringMatching(/--cert and --key/) });
    const missing = await kvs(['--address', service.grpcAddress, '--cacert', '/nonexistent/ca.pem', 'get', 'cli']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read --cacert file/) });
  });
});
