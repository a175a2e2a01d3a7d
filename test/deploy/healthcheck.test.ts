import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process';
import { makeTestCertificates, type TestCertificates } from '../support/test-certificates';
import { useTempDir } from '../support/temp-dir';

const ROOT = resolve(__dirname, '../..');

/** The Dockerfile's lines, continuation lines joined. */
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split('\n');

/** The HEALTHCHECK's exec-form command, e.g. ["node", "dist/...js"]. */
function healthcheckCommand(): string[] {
  const line = dockerfile.find((text) => text.startsWith('HEALTHCHECK '));
  const json = line && /\bCMD\s+(\[.*\])\s*$/.exec(line)?.[1];
  if (!json) throw new Error('the Dockerfile has no exec-form HEALTHCHECK CMD');
  return JSON.parse(json) as string[];
}

/** The runtime image's ENV settings (the last stage's). */
function imageEnv(): Record<string, string> {
  const lastFrom = dockerfile.map((text) => text.startsWith('FROM ')).lastIndexOf(true);
  const pairs = dockerfile
    .slice(lastFrom)
    .filter((text) => text.startsWith('ENV '))
    .map((text) => /^ENV\s+([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(text)!.slice(1, 3));
  return Object.fromEntries(pairs);
}

/** A port free right now on loopback (the healthcheck reads the port from the environment, so 0 will not do). */
function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs the HEALTHCHECK command as Docker does: in WORKDIR (/app, here the project root), with the container's environment. */
function runHealthcheck(env: Record<string, string>): Promise<number | null> {
  const [program, ...args] = healthcheckCommand();
  expect(program).toBe('node');
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => done(code));
  });
}

/**
 * The image's HEALTHCHECK against a real service process in each documented configuration:
 * the image's defaults (operations port on), TLS and mutual TLS, gRPC only, and TLS without
 * the operations port. It used to fail whenever TLS was on and KVS_ADMIN_PORT unset.
 */
describe('the Dockerfile HEALTHCHECK', () => {
  const dir = useTempDir('healthcheck');
  let certs: TestCertificates;
  let service: ServiceProcess | undefined;

  beforeAll(() => {
    certs = makeTestCertificates();
  });

  afterAll(() => certs.remove());

  afterEach(async () => {
    service?.process.kill('SIGTERM');
    await service?.exited();
    service = undefined;
  });

  /** The container's environment: the image's ENV, on loopback, with `extra` on top (a null deletes a variable). */
  async function containerEnv(extra: Record<string, string | null>): Promise<Record<string, string>> {
    const env: Record<string, string | null> = {
      ...imageEnv(),
      KVS_HOST: '127.0.0.1',
      KVS_HTTP_PORT: String(await freePort()),
      KVS_GRPC_PORT: String(await freePort()),
      TLOG_FILENAME: join(dir.path, 'transactions.log'),
      ...extra,
    };
    if (env.KVS_ADMIN_PORT !== null && env.KVS_ADMIN_PORT !== undefined) env.KVS_ADMIN_PORT = String(await freePort());
    return Object.fromEntries(Object.entries(env).filter((pair): pair is [string, string] => pair[1] !== null));
  }

  const tls = (): Record<string, string> => ({
    KVS_TLS_CERT_FILE: certs.server.certFile,
    KVS_TLS_KEY_FILE: certs.server.keyFile,
  });

  it.each<[string, () => Record<string, string | null>]>([
    ['the image defaults', () => ({})],
    ['TLS on', tls],
    ['mutual TLS, gRPC only', () => ({ ...tls(), KVS_TLS_CLIENT_CA_FILE: certs.ca.certFile, FRONTEND_TYPE: 'grpc' })],
    ['TLS on and KVS_ADMIN_PORT unset', () => ({ ...tls(), KVS_ADMIN_PORT: null })],
  ])('passes with %s, and fails once the service is gone', async (_name, settings) => {
    const env = await containerEnv(settings());
    service = await startService(env);
    expect(await runHealthcheck(env)).toBe(0);
    service.process.kill('SIGTERM');
    await service.exited();
    service = undefined;
    expect(await runHealthcheck(env)).toBe(1);
  });

  it("keeps the operations port on in the image, and off Prometheus's 9090", () => {
    expect(imageEnv().KVS_ADMIN_PORT).toMatch(/^\d+$/);
    expect(imageEnv().KVS_ADMIN_PORT).not.toBe('9090');
  });
});
