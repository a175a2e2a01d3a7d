import { request as httpRequest } from 'node:http';
import { LogUnavailableError } from '../../../src/core';
import { rawExchange } from '../../support/raw-http';
import { recordingLogger } from '../../support/recording-logger';
import { startRestServer, type RestServer } from '../../support/rest-server';

let server: RestServer;

beforeEach(async () => {
  server = await startRestServer({ maxKeyBytes: 32, maxValueBytes: 1024 });
});

afterEach(() => server.stop());

const keyUrl = (key: string): string => `${server.url}/v1/key/${encodeURIComponent(key)}`;

/** The documented error body of a failed request. */
async function errorBody(res: Response): Promise<{ code: string; message: string }> {
  return (await res.json()) as { code: string; message: string };
}

/** Sends raw bytes as a PUT body, optionally without Content-Length (chunked). */
function rawPut(path: string, body: Buffer, chunked = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method: 'PUT' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (!chunked) req.setHeader('Content-Length', body.length);
    req.end(body);
  });
}

describe('REST frontend', () => {
  it('serves the book API: PUT 201, GET 200 raw value, DELETE 200, then GET 404', async () => {
    const put = await fetch(keyUrl('greeting'), { method: 'PUT', body: 'hello world' });
    expect(put.status).toBe(201);
    const get = await fetch(keyUrl('greeting'));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await get.text()).toBe('hello world');
    expect((await fetch(keyUrl('greeting'), { method: 'DELETE' })).status).toBe(200);
    const gone = await fetch(keyUrl('greeting'));
    expect(gone.status).toBe(404);
    expect(await errorBody(gone)).toEqual({ code: 'KEY_NOT_FOUND', message: 'key not found' });
  });

  it('deletes absent keys with 200 (idempotent)', async () => {
    expect((await fetch(keyUrl('absent'), { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(keyUrl('absent'), { method: 'DELETE' })).status).toBe(200);
  });

  it('accepts "/" inside a key when sent as %2F', async () => {
    expect((await fetch(`${server.url}/v1/key/a%2Fb`, { method: 'PUT', body: 'slash' })).status).toBe(201);
    expect(server.store.get('a/b')).toBe('slash');
    const raw = await fetch(`${server.url}/v1/key/a/b`);
    expect(raw.status).toBe(400);
    expect((await errorBody(raw)).code).toBe('INVALID_KEY');
  });

  it('keeps a leading byte-order mark and every other byte of the value', async () => {
    const value = '\uFEFFline1\r\nline2\ttab\u0000nul 🗝️';
    expect((await fetch(keyUrl('bom'), { method: 'PUT', body: value })).status).toBe(201);
    const body = Buffer.from(await (await fetch(keyUrl('bom'))).arrayBuffer());
    expect(body.equals(Buffer.from(value, 'utf8'))).toBe(true);
  });

  it('answers 405 with an Allow header for other methods', async () => {
    const res = await fetch(keyUrl('k'), { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
    expect((await errorBody(res)).code).toBe('METHOD_NOT_ALLOWED');
    expect((await fetch(keyUrl('k'), { method: 'PATCH', body: 'x' })).status).toBe(405);
  });

  it.each([
    ['an empty key', '/v1/key/', 'INVALID_KEY'],
    ['an empty key without slash', '/v1/key', 'INVALID_KEY'],
    ['a key over the limit', `/v1/key/${'k'.repeat(33)}`, 'KEY_TOO_LARGE'],
    ['a key that is not percent-encoded UTF-8', '/v1/key/%FF%FE', 'INVALID_KEY'],
  ])('answers 400 for %s', async (_what, path, code) => {
    const res = await fetch(`${server.url}${path}`, { method: 'PUT', body: 'v' });
    expect(res.status).toBe(400);
    expect(await errorBody(res)).toEqual({ code, message: expect.any(String) });
  });

  it('answers 413 for a value over the limit, declared or chunked, and keeps the old value', async () => {
    await fetch(keyUrl('k'), { method: 'PUT', body: 'old' });
    expect((await rawPut('/v1/key/k', Buffer.alloc(1025, 'x'))).status).toBe(413);
    const chunked = await rawPut('/v1/key/k', Buffer.alloc(4096, 'x'), true);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).code).toBe('VALUE_TOO_LARGE');
    expect((await rawPut('/v1/key/k', Buffer.alloc(1024, 'y'))).status).toBe(201);
    expect(server.store.get('k')).toBe('y'.repeat(1024));
  });

  it('answers 400 for a value that is not valid UTF-8', async () => {
    const res = await rawPut('/v1/key/k', Buffer.from([0x66, 0xff, 0xfe, 0x6f]));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).code).toBe('INVALID_VALUE');
    expect((await fetch(keyUrl('k'))).status).toBe(404);
  });

  it('answers 503 with Retry-After when the log cannot take the write, applying nothing', async () => {
    await fetch(keyUrl('k'), { method: 'PUT', body: 'old' });
    server.log.failNext();
    const res = await fetch(keyUrl('k'), { method: 'PUT', body: 'new' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await errorBody(res)).code).toBe('LOG_UNAVAILABLE');
    expect(await (await fetch(keyUrl('k'))).text()).toBe('old');
  });

  it('names a log failure without its path or errno, with Retry-After only when a retry can succeed', async () => {
    await server.stop();
    const serverLog = recordingLogger();
    server = await startRestServer(undefined, serverLog.logger);
    const detail = 'file log: /var/lib/kvs/transactions.log: write failed (ENOSPC: no space left on device, write)';
    // A delete of a live key goes to the log (one of an absent key writes nothing).
    await server.store.put('k', 'v0');
    server.log.failNext(1, new LogUnavailableError(detail));
    server.log.failNext(1, new LogUnavailableError(detail, false));
    const retryable = await fetch(keyUrl('k'), { method: 'PUT', body: 'v' });
    expect([retryable.status, retryable.headers.get('retry-after'), await errorBody(retryable)]).toEqual([
      503,
      '1',
      { code: 'LOG_UNAVAILABLE', message: 'the transaction log cannot accept writes right now; retry later' },
    ]);
    const failed = await fetch(keyUrl('k'), { method: 'DELETE' });
    expect([failed.status, failed.headers.get('retry-after'), await errorBody(failed)]).toEqual([
      503,
      null,
      { code: 'LOG_UNAVAILABLE', message: 'the transaction log has failed; the service is restarting' },
    ]);
    expect(serverLog.records.filter((line) => line.event === 'request_refused')).toEqual([
      expect.objectContaining({ level: 20, detail }),
      expect.objectContaining({ level: 20, detail }),
    ]);
  });

  it('runs pipelined requests of one connection in order: a GET sent with a PUT sees the PUT', async () => {
    server.log.holdAppends();
    const exchange = rawExchange(
      '127.0.0.1',
      Number(new URL(server.url).port),
      'PUT /v1/key/p1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
        'GET /v1/key/p1 HTTP/1.1\r\nHost: x\r\n\r\n',
      2,
    );
    // Both requests are parsed once the PUT has reached the log; only then may it complete.
    while (server.log.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    server.log.release();
    const { responses } = await exchange;
    expect(responses.map(({ status, body }) => [status, body])).toEqual([
      [201, ''],
      [200, 'hello'],
    ]);
  });

  it('answers 404 NO_SUCH_ROUTE outside the API and 200 on /healthz', async () => {
    const res = await fetch(`${server.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect((await errorBody(res)).code).toBe('NO_SUCH_ROUTE');
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
  });

  it('lets an in-flight write finish during stop', async () => {
    server.log.holdAppends();
    const put = fetch(keyUrl('late'), { method: 'PUT', body: 'v' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = server.stop();
    server.log.release();
    expect((await put).status).toBe(201);
    await stopped;
    expect(server.store.get('late')).toBe('v');
  });
});
