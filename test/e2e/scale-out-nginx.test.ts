import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as http2Connect, createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { connect, createServer } from 'node:net';
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
 * deploy/nginx-scale-out.conf as the compose profile runs it, pointed at upstreams on loopback:
 * its upstreams name the given REST and gRPC ports (replica i's), it listens on free loopback
 * ports, keeps its pid and temporary files in `dir`, and has its read timeouts replaced by
 * `readTimeout` when given (a test cannot wait an hour for one).
 */
function loopbackConf(
  upstreams: { readonly rest: readonly number[]; readonly grpc: readonly number[] },
  dir: string,
  listen: { readonly rest: number; readonly grpc: number },
  readTimeout?: string,
): string {
  let conf = readFileSync(DEPLOY_CONF, 'utf8');
  for (let i = 0; i < 3; i++) {
    conf = conf.replace(`server kvs-replica-${i + 1}:8080 `, `server 127.0.0.1:${upstreams.rest[i]} `);
    conf = conf.replace(`server kvs-replica-${i + 1}:50051 `, `server 127.0.0.1:${upstreams.grpc[i]} `);
  }
  if (readTimeout !== undefined)
    conf = conf.replace(/(proxy|grpc)_read_timeout 1h;/g, `$1_read_timeout ${readTimeout};`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
    .join('\n');
  return conf
    .replace('pid /tmp/nginx.pid;', `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};`)
    .replace('http {', `http {\n${temp}`)
    .replace('listen 8080;', `listen 127.0.0.1:${listen.rest};`)
    .replace('listen 50051 http2;', `listen 127.0.0.1:${listen.grpc} http2;`);
}

/** Whether something accepts TCP connections on the loopback port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/**
 * Starts nginx on `conf` (written to `dir`) and resolves once it accepts connections on
 * `restPort`, without sending a request (which would count against an upstream).
 */
async function startNginx(dir: string, conf: string, restPort: number): Promise<ChildProcess> {
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const nginx = spawn(nginxBinary(), ['-p', dir, '-c', file, '-g', 'daemon off;'], { stdio: 'ignore' });
  await eventually(() => accepting(restPort), { describe: () => 'nginx listening', timeoutMs: 10_000 });
  return nginx;
}

/**
 * What a stand-in replica does with each request: `reset` breaks the connection once it has the
 * request (it may have committed it), `hang` never answers, `ok` answers 200; `closed` listens not.
 */
type Behaviour = 'reset' | 'hang' | 'ok' | 'closed';

/** A stand-in replica for one of nginx's upstreams: REST (HTTP/1.1) and gRPC (h2c) on loopback, recording what reached it. */
interface StandIn {
  readonly rest: number;
  readonly grpc: number;
  /** `METHOD path` of every request that reached it, REST and gRPC. */
  readonly seen: string[];
  close(): Promise<void>;
}

async function standIn(behaviour: Behaviour): Promise<StandIn> {
  const seen: string[] = [];
  const rest = createHttpServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    if (behaviour === 'reset') request.socket.destroy();
    else if (behaviour === 'ok') request.resume().on('end', () => response.end('ok'));
  });
  const grpc = createHttp2Server();
  grpc.on('stream', (stream, headers) => {
    seen.push(`${headers[':method']} ${headers[':path']}`);
    if (behaviour === 'reset') stream.session?.destroy();
    else if (behaviour === 'ok') {
      stream.resume();
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end();
    }
  });
  const listen = async (server: HttpServer | Http2Server): Promise<number> => {
    if (behaviour === 'closed') return freePort();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as { port: number }).port;
  };
  const [restPort, grpcPort] = [await listen(rest), await listen(grpc)];
  return {
    rest: restPort,
    grpc: grpcPort,
    seen,
    close: async () => {
      rest.closeAllConnections();
      await Promise.all(
        [rest, grpc].map((server) =>
          server.listening ? new Promise((done) => server.close(done)) : Promise.resolve(),
        ),
      );
    },
  };
}

/** A gRPC-shaped call (HTTP/2 POST, application/grpc) to `port`: its HTTP status and grpc-status, or how it failed. */
async function grpcCall(port: number, path: string): Promise<string> {
  const session = http2Connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  try {
    return await new Promise<string>((done) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      let status = '';
      stream.on(
        'response',
        (headers) => (status = `${String(headers[':status'])} ${String(headers['grpc-status'] ?? '')}`.trim()),
      );
      stream.on('trailers', (trailers) => (status += ` ${String(trailers['grpc-status'])}`));
      stream.on('error', (error) => done(`error ${error.message}`));
      stream.on('close', () => done(status));
      stream.resume();
      // One empty message: no compression flag, length 0.
      stream.end(Buffer.alloc(5));
    });
  } finally {
    session.close();
  }
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
    const env = { ...postgres.logEnv(), KVS_REPLICAS: 'shared', FRONTEND_TYPE: 'rest,grpc' };
    replicas.push(...(await Promise.all([0, 1, 2].map(() => startService(env)))));
    const [rest, grpc] = [await freePort(), await freePort()];
    const upstreams = {
      rest: replicas.map((replica) => Number(new URL(replica.restUrl!).port)),
      grpc: replicas.map((replica) => Number(replica.grpcAddress!.split(':').at(-1))),
    };
    nginx = await startNginx(dir.path, loopbackConf(upstreams, dir.path, { rest, grpc }), rest);
    const url = `http://127.0.0.1:${rest}`;

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

describe('deploy/nginx-scale-out.conf in a real nginx: which requests go to a second replica', () => {
  const dir = useTempDir('nginx-retries');
  const opened: StandIn[] = [];
  let nginx: ChildProcess | undefined;

  afterEach(async () => {
    nginx?.kill('SIGKILL');
    nginx = undefined;
    await Promise.all(opened.splice(0).map((upstream) => upstream.close()));
  });

  /**
   * nginx in front of stand-ins behaving as `first`, then `ok`, `ok` (round robin's first pick
   * is the first server), with 1 s read timeouts; its REST and gRPC base addresses.
   */
  async function behind(first: Behaviour): Promise<{ rest: string; grpc: number; upstreams: StandIn[] }> {
    const upstreams = await Promise.all([standIn(first), standIn('ok'), standIn('ok')]);
    opened.push(...upstreams);
    const listen = { rest: await freePort(), grpc: await freePort() };
    const ports = { rest: upstreams.map((u) => u.rest), grpc: upstreams.map((u) => u.grpc) };
    nginx = await startNginx(dir.path, loopbackConf(ports, dir.path, listen, '1s'), listen.rest);
    return { rest: `http://127.0.0.1:${listen.rest}`, grpc: listen.grpc, upstreams };
  }

  it.each([
    ['PUT', 'reset'],
    ['DELETE', 'reset'],
    ['POST', 'reset'],
    ['PUT', 'hang'],
    ['DELETE', 'hang'],
    ['POST', 'hang'],
  ] as const)('never resends a %s that reached a replica which then %s', async (method, first) => {
    const { rest, upstreams } = await behind(first);
    const path = method === 'POST' ? '/v1/txn' : '/v1/key/k';
    const response = await fetch(`${rest}${path}`, { method, body: method === 'DELETE' ? undefined : 'v' });
    // Outcome unknown to the client (the first replica may have committed it): 502, after a read timeout too.
    expect(response.status).toBe(502);
    expect(upstreams.map((upstream) => upstream.seen)).toEqual([[`${method} ${path}`], [], []]);
  });

  it('passes a write on when the first replica refused the connection (it never got it)', async () => {
    const { rest, upstreams } = await behind('closed');
    const response = await fetch(`${rest}/v1/key/k`, { method: 'PUT', body: 'v' });
    expect(response.status).toBe(200);
    expect(upstreams.map((upstream) => upstream.seen)).toEqual([[], ['PUT /v1/key/k'], []]);
  });

  it.each(['closed', 'reset', 'hang'] as const)(
    'retries a GET on the next replica when the first is %s',
    async (first) => {
      const { rest, upstreams } = await behind(first);
      const response = await fetch(`${rest}/v1/key/k`);
      expect([response.status, await response.text()]).toEqual([200, 'ok']);
      expect(upstreams.map((upstream) => upstream.seen)).toEqual([
        first === 'closed' ? [] : ['GET /v1/key/k'],
        ['GET /v1/key/k'],
        [],
      ]);
    },
  );

  it('never resends a gRPC call that reached a replica, and passes one on when the connection was refused', async () => {
    const broken = await behind('reset');
    const path = '/kvs.v1.KeyValue/Put';
    expect(await grpcCall(broken.grpc, path)).not.toMatch(/^200 0/);
    expect(broken.upstreams.map((upstream) => upstream.seen)).toEqual([[`POST ${path}`], [], []]);
    nginx?.kill('SIGKILL');
    await Promise.all(opened.splice(0).map((upstream) => upstream.close()));

    const refused = await behind('closed');
    expect(await grpcCall(refused.grpc, path)).toBe('200 0');
    expect(refused.upstreams.map((upstream) => upstream.seen)).toEqual([[], [`POST ${path}`], []]);
  });
});
