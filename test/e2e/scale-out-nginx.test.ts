import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { KvsClient } from '../../src/client/kvs-client';
import { eventually } from '../support/eventually';
import { startService, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';
import { TestPostgres } from '../support/test-postgres';

const DEPLOY_CONF = resolve(__dirname, '../../deploy/nginx-scale-out.conf');

/** The nginx binary (Debian package nginx), or a failure naming the package. */
function nginxBinary(): string {
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'].find((path) => existsSync(path));
  if (found === undefined)
    throw new Error('nginx is not installed: install the Debian package nginx (apt-get install -y nginx)');
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * deploy/nginx-scale-out.conf as the compose profile runs it, pointed at replicas on loopback:
 * its upstreams name the replicas' ports, it listens on free loopback ports, and keeps its pid
 * and temporary files in `dir`.
 */
function loopbackConf(replicas: readonly ServiceProcess[], dir: string, rest: number, grpc: number): string {
  let conf = readFileSync(DEPLOY_CONF, 'utf8');
  replicas.forEach((replica, i) => {
    const restPort = new URL(replica.restUrl!).port;
    const grpcPort = replica.grpcAddress!.split(':').at(-1)!;
    conf = conf.replace(`server kvs-replica-${i + 1}:8080 `, `server 127.0.0.1:${restPort} `);
    conf = conf.replace(`server kvs-replica-${i + 1}:50051 `, `server 127.0.0.1:${grpcPort} `);
  });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
    .join('\n');
  return conf
    .replace('pid /tmp/nginx.pid;', `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};`)
    .replace('http {', `http {\n${temp}`)
    .replace('listen 8080;', `listen 127.0.0.1:${rest};`)
    .replace('listen 50051 http2;', `listen 127.0.0.1:${grpc} http2;`);
}

describe('scale-out behind a real nginx (deploy/nginx-scale-out.conf)', () => {
  const dir = useTempDir('nginx');
  let postgres: TestPostgres;
  const replicas: ServiceProcess[] = [];
  let nginx: ChildProcess | undefined;
  let client: KvsClient | undefined;

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });

  afterEach(() => {
    client?.close();
    nginx?.kill('SIGKILL');
    for (const replica of replicas.splice(0)) replica.process.kill('SIGKILL');
  });

  afterAll(async () => {
    await postgres?.close();
  });

  it("serves the book's REST session and a gRPC client through the balancer", async () => {
    const binary = nginxBinary();
    const env = { ...postgres.logEnv(), KVS_REPLICAS: 'shared', FRONTEND_TYPE: 'rest,grpc' };
    replicas.push(...(await Promise.all([0, 1, 2].map(() => startService(env)))));
    const [rest, grpc] = [await freePort(), await freePort()];
    const conf = join(dir.path, 'nginx.conf');
    writeFileSync(conf, loopbackConf(replicas, dir.path, rest, grpc));
    nginx = spawn(binary, ['-p', dir.path, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${rest}`;
    await eventually(
      () =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      {
        describe: () => 'nginx answering /readyz',
        timeoutMs: 10_000,
      },
    );

    // The book's session (Cloud Native Go, chapter 5), each request to whichever replica nginx picks.
    const key = `${url}/v1/key/key-a`;
    expect((await fetch(key, { method: 'PUT', body: 'Hello, key-value store!' })).status).toBe(201);
    const put = await fetch(key, { method: 'PUT', body: 'Hello again' });
    const revision = put.headers.get('x-kvs-revision')!;
    const got = await fetch(key, { headers: { 'X-Kvs-Min-Revision': revision } });
    expect([got.status, await got.text()]).toEqual([200, 'Hello again']);
    const deleted = await fetch(key, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const gone = await fetch(key, { headers: { 'X-Kvs-Min-Revision': deleted.headers.get('x-kvs-revision')! } });
    expect(gone.status).toBe(404);

    client = new KvsClient(`127.0.0.1:${grpc}`, { timeoutMs: 10_000 });
    await client.put('via-grpc', 'g');
    const grpcClient = client;
    await eventually(async () => (await grpcClient.get('via-grpc').catch(() => '')) === 'g', {
      describe: () => 'the gRPC write read through gRPC',
      timeoutMs: 10_000,
    });
    await eventually(
      async () => (await fetch(`${url}/v1/key/via-grpc?linearizable=true`).then((r) => r.text())) === 'g',
      { describe: () => 'the gRPC write read through REST', timeoutMs: 10_000 },
    );
  });
});
