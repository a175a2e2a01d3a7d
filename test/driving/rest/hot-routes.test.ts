import { connect } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { PolicyPipeline } from '../../../src/application/pipeline';
import { AccessPolicy, AuthPolicy, readAuthConfig } from '../../../src/application/policies/auth';
import { WATCH_DEFAULTS } from '../../../src/application/watch/watch.config';
import { WatchService } from '../../../src/application/watch/watch-service';
import { EnvReader } from '../../../src/config/env-reader';
import { KeyValueStore, WatchHub } from '../../../src/core';
import { RestFrontend } from '../../../src/driving/rest';
import { KvsMetrics, RequestMetricsObserver } from '../../../src/observability/metrics';
import { RequestLogObserver } from '../../../src/observability/request-log';
import { silentLogger } from '../../../src/platform/logging/logger';
import { goodClaims, hmacSetup } from '../../security/jwt-fixtures';
import { HOSTILE_STRINGS } from '../../support/hostile-strings';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';
import { recordingLogger, type RecordingLogger } from '../../support/recording-logger';

/**
 * The hot routes (a node:http listener in front of express for the key routes and the watch
 * stream) must answer byte for byte what express answers: each request below goes to two
 * frontends over identical stores, one serving its hot routes itself and one where a
 * pass-through middleware hands every request to express, and the raw responses (Date aside),
 * the request log lines and the request metrics must be the same.
 */
const FIXED_NOW = Date.UTC(2030, 0, 1);
const setup = hmacSetup();
afterAll(() => setup.remove());

/** One frontend under comparison, with what its pipeline's observers recorded. */
interface Side {
  readonly frontend: RestFrontend;
  readonly port: number;
  readonly requestLog: RecordingLogger;
  readonly metrics: KvsMetrics;
}

const passThrough = (_req: Request, _res: Response, next: NextFunction): void => next();

async function side(hot: boolean, auth: boolean): Promise<Side> {
  const hub = new WatchHub(0, { historyBytes: 1 << 20, bufferBytes: 1 << 16 });
  const store = new KeyValueStore(new MemoryTransactionLog(), { maxKeyBytes: 64, maxValueBytes: 256 }, hub.observe, {
    now: () => FIXED_NOW,
  });
  await store.restore();
  hub.startAt(store.revision);
  const requestLog = recordingLogger();
  const metrics = new KvsMetrics({ liveKeys: () => 0, logHealth: () => 'ok' });
  const policies = auth
    ? [new AuthPolicy(new AccessPolicy(readAuthConfig(new EnvReader(setup.env))!, silentLogger), false)]
    : [];
  const pipeline = new PolicyPipeline(policies, [
    new RequestLogObserver({ logger: requestLog.logger }),
    new RequestMetricsObserver(metrics),
  ]);
  const watches = new WatchService(hub, { ...WATCH_DEFAULTS, maxWatchers: 10 });
  const frontend = new RestFrontend(
    store,
    { host: '127.0.0.1', port: 0 },
    { pipeline, watches, middleware: hot ? [] : [passThrough] },
  );
  const { port } = await frontend.start();
  return { frontend, port, requestLog, metrics };
}

/** Whether `received` holds `count` complete responses (bodies by Content-Length; HEAD and 304 answers have none). */
function holds(received: string, count: number, head = false): boolean {
  let rest = received;
  for (let i = 0; i < count; i++) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const length =
      head || / 304 /.test(rest.slice(0, 12))
        ? 0
        : Number(/\r\ncontent-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
    if (rest.length < end + 4 + length) return false;
    rest = rest.slice(end + 4 + length);
  }
  return true;
}

/** Sends `bytes` on a fresh connection; resolves with what came back once `done` says so or the server closed. */
function exchange(port: number, bytes: Buffer | string, done: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${JSON.stringify(String(bytes).slice(0, 80))}: ${received}`));
    }, 5000);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (done(received)) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
  });
}

/** An answer with its Date header and the request ids the server made (random UUIDs) blanked. */
function normalized(answer: string): string {
  return answer
    .replace(/\r\nDate: [^\r]*/g, '\r\nDate: -')
    .replace(
      /\r\nx-request-id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\r\n/g,
      '\r\nx-request-id: uuid\r\n',
    );
}

/** A request; `body` undefined: no body and no Content-Length. */
const request = (method: string, path: string, headers: Record<string, string> = {}, body?: string): string => {
  const all = { Host: 'x', 'X-Request-Id': 'req-1', ...headers };
  if (body !== undefined && !('Content-Length' in all))
    Object.assign(all, { 'Content-Length': String(Buffer.byteLength(body)) });
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n${body ?? ''}`;
};

/** One request and how to tell its answer is complete. */
interface Case {
  readonly name: string;
  readonly bytes: string | Buffer;
  readonly done: (received: string) => boolean;
}

/** Requests without a body, as [name, method, path, headers]. */
const bodiless = (rows: readonly (readonly [string, string, string, Record<string, string>?])[]): Case[] =>
  rows.map(([name, method, path, headers]) => one(name, request(method, path, headers)));

const one = (name: string, bytes: string | Buffer, count = 1): Case => ({
  name,
  bytes,
  done: (received) => holds(received, count, String(bytes).startsWith('HEAD')),
});
/** A watch that opens: complete once its first message (after the response headers) arrived. */
const stream = (name: string, bytes: string): Case => ({
  name,
  bytes,
  done: (received) => /\r\n\r\n[^]*\n\n/.test(received),
});

/** The answers to compare: the key routes and the watch route, plain and hostile, and their fallbacks. */
function keyCases(): Case[] {
  const encoded = (key: string) => `/v1/key/${encodeURIComponent(key)}`;
  return [
    one('put', request('PUT', '/v1/key/alpha', {}, 'one')),
    ...bodiless([
      ['get hit', 'GET', '/v1/key/alpha'],
      ['get, request id made by the server', 'GET', '/v1/key/alpha', { 'X-Request-Id': 'bad id with spaces' }],
      ['get 304', 'GET', '/v1/key/alpha', { 'If-None-Match': '"1"' }],
      ['get miss', 'GET', '/v1/key/missing'],
      ['get with a query', 'GET', '/v1/key/alpha?x=1&y'],
      ['get linearizable', 'GET', '/v1/key/alpha?linearizable=true'],
      ['get linearizable twice', 'GET', '/v1/key/alpha?linearizable=true&linearizable=true'],
      ['get linearizable, bad flag', 'GET', '/v1/key/alpha?linearizable=yes'],
      ['get at a revision it has', 'GET', '/v1/key/alpha', { 'X-Kvs-Min-Revision': '1' }],
      ['get, bad min revision', 'GET', '/v1/key/alpha', { 'X-Kvs-Min-Revision': 'one' }],
    ]),
    one('put If-Match mismatch', request('PUT', '/v1/key/alpha', { 'If-Match': '"99"' }, 'two')),
    one('put If-None-Match * on a live key', request('PUT', '/v1/key/alpha', { 'If-None-Match': '*' }, 'two')),
    one('put bad If-Match', request('PUT', '/v1/key/alpha', { 'If-Match': 'bogus' }, 'two')),
    one('put If-Match matching', request('PUT', '/v1/key/alpha', { 'If-Match': '"1"' }, 'two')),
    one('put with a ttl', request('PUT', '/v1/key/ttl?ttl=30s', {}, 'v')),
    one('get with a deadline', request('GET', '/v1/key/ttl')),
    one('put bad ttl', request('PUT', '/v1/key/ttl?ttl=soon', {}, 'v')),
    one('put ttl twice', request('PUT', '/v1/key/ttl?ttl=1s&ttl=2s', {}, 'v')),
    one('put unknown lease', request('PUT', '/v1/key/ttl?lease=42', {}, 'v')),
    one('put ttl and lease', request('PUT', '/v1/key/ttl?lease=42&ttl=1s', {}, 'v')),
    one('put empty value', request('PUT', '/v1/key/empty', {}, '')),
    one(
      'put value not UTF-8',
      Buffer.concat([Buffer.from(request('PUT', '/v1/key/bin', { 'Content-Length': '1' }, '')), Buffer.from([0xff])]),
    ),
    one('put value too large', request('PUT', '/v1/key/big', {}, 'x'.repeat(300))),
    one('put key too large', request('PUT', `/v1/key/${'k'.repeat(65)}`, {}, 'v')),
    one(
      'put chunked',
      `PUT /v1/key/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    ),
    ...HOSTILE_STRINGS.map((key) => one(`put hostile ${JSON.stringify(key)}`, request('PUT', encoded(key), {}, key))),
    ...HOSTILE_STRINGS.map((key) => one(`get hostile ${JSON.stringify(key)}`, request('GET', encoded(key)))),
    ...bodiless([
      ['get percent-encoding not UTF-8', 'GET', '/v1/key/%FF'],
      ['get broken percent-encoding', 'GET', '/v1/key/%E2%82'],
    ]),
    one('put broken percent-encoding', request('PUT', '/v1/key/%', {}, 'v')),
    one('get raw UTF-8 in the path', Buffer.from(request('GET', '/v1/key/ключ'), 'utf8')),
    ...bodiless([
      ['get encoded slash', 'GET', '/v1/key/a%2Fb'],
      ['get empty key', 'GET', '/v1/key/'],
      ['get empty key with a query', 'GET', '/v1/key/?k=v'],
      ['get no key', 'GET', '/v1/key'],
      ['get two segments', 'GET', '/v1/key/a/b'],
      ['get trailing slash', 'GET', '/v1/key/alpha/'],
      ['get with a fragment', 'GET', '/v1/key/alpha#frag'],
      ['get upper case path', 'GET', '/V1/KEY/alpha'],
      ['get absolute form', 'GET', 'http://x/v1/key/alpha'],
      ['head', 'HEAD', '/v1/key/alpha'],
    ]),
    one('post: 405', request('POST', '/v1/key/alpha', {}, 'v')),
    ...bodiless([
      ['options: 405', 'OPTIONS', '/v1/key/alpha'],
      ['delete', 'DELETE', '/v1/key/alpha'],
      ['delete again', 'DELETE', '/v1/key/alpha'],
      ['delete If-Match on an absent key', 'DELETE', '/v1/key/alpha', { 'If-Match': '*' }],
    ]),
    one(
      'pipelined put, get, delete, get',
      request('PUT', '/v1/key/p', {}, 'pipelined') +
        request('GET', '/v1/key/p') +
        request('DELETE', '/v1/key/p') +
        request('GET', '/v1/key/p'),
      4,
    ),
    ...bodiless([
      ['watch: a key twice', 'GET', '/v1/watch?key=a&key=b'],
      ['watch: bad prev_value', 'GET', '/v1/watch?key=a&prev_value=maybe'],
      ['watch: bad start_revision', 'GET', '/v1/watch?key=a&start_revision=soon'],
      ['watch: bad Last-Event-ID', 'GET', '/v1/watch?key=a', { 'Last-Event-ID': 'x' }],
      ['watch: key and prefix', 'GET', '/v1/watch?key=a&prefix=b'],
      ['watch: trailing slash', 'GET', '/v1/watch/?key=a'],
      ['watch: longer path', 'GET', '/v1/watchers'],
      ['watch: HEAD', 'HEAD', '/v1/watch?key=a'],
    ]),
    one('watch: POST', request('POST', '/v1/watch?key=a', {}, '')),
    one('a route express alone serves', request('GET', '/v1/keys?prefix=')),
    stream('watch: opened', request('GET', '/v1/watch?prefix=&prev_value=true')),
    stream(
      'watch: resumed by Last-Event-ID',
      request('GET', '/v1/watch?key=p&start_revision=1', { 'Last-Event-ID': '2' }),
    ),
  ];
}

async function compare(cases: readonly Case[], auth: boolean): Promise<[Side, Side]> {
  const sides = [await side(true, auth), await side(false, auth)] as const;
  try {
    for (const { name, bytes, done } of cases) {
      const [hot, express] = await Promise.all(sides.map(({ port }) => exchange(port, bytes, done)));
      expect([name, normalized(hot)]).toEqual([name, normalized(express)]);
      expect(hot).toMatch(/^HTTP\/1\.1 \d{3} /);
    }
  } finally {
    await Promise.all(sides.map(({ frontend }) => frontend.stop()));
  }
  return [sides[0], sides[1]];
}

/** The request log lines without what differs between any two runs (time, duration, generated ids). */
function logLines({ requestLog }: Side): unknown[] {
  return requestLog.records.map((record) => ({
    ...record,
    time: undefined,
    pid: undefined,
    hostname: undefined,
    durationMs: typeof record.durationMs,
    msg: record.msg.replace(/ [\d.]+ ?ms/, ' - ms'),
    requestId: record.requestId === 'req-1' ? 'req-1' : typeof record.requestId,
  }));
}

async function requestCounts({ metrics }: Side): Promise<unknown> {
  return (await metrics.requests.get()).values;
}

describe('the hot routes answer what express answers', () => {
  it('key routes and the watch stream, plain, hostile and malformed: same bytes, same log lines, same counts', async () => {
    const [hot, express] = await compare(keyCases(), false);
    expect(logLines(hot).length).toBeGreaterThan(keyCases().length);
    expect(logLines(hot)).toEqual(logLines(express));
    expect(await requestCounts(hot)).toEqual(await requestCounts(express));
  });

  it('with authentication: missing, wrong-scope and prefix-bound tokens get the same refusals', async () => {
    const token = async (claims: Record<string, unknown>) => `Bearer ${await setup.sign(goodClaims(claims))}`;
    const read = await token({ scope: 'kvs:read' });
    const write = await token({ scope: 'kvs:read kvs:write', kvs_prefixes: ['app/'] });
    const cases = [
      one('no token', request('GET', '/v1/key/a')),
      one('bad token', request('GET', '/v1/key/a', { Authorization: 'Bearer nope' })),
      one('read token, get', request('GET', '/v1/key/a', { Authorization: read })),
      one('read token, put', request('PUT', '/v1/key/a', { Authorization: read }, 'v')),
      one('prefix token, put inside', request('PUT', '/v1/key/app%2Fa', { Authorization: write }, 'v')),
      one('prefix token, put outside', request('PUT', '/v1/key/other', { Authorization: write }, 'v')),
      one('prefix token, get undecodable', request('GET', '/v1/key/%FF', { Authorization: write })),
      one('prefix token, delete inside', request('DELETE', '/v1/key/app%2Fa', { Authorization: write })),
      one('prefix token, watch outside', request('GET', '/v1/watch?key=other', { Authorization: write })),
      stream('prefix token, watch inside', request('GET', '/v1/watch?prefix=app%2F', { Authorization: write })),
      one('read token, watch no selector', request('GET', '/v1/watch', { Authorization: read })),
    ];
    const [hot, express] = await compare(cases, true);
    expect(logLines(hot)).toEqual(logLines(express));
    expect(await requestCounts(hot)).toEqual(await requestCounts(express));
  });
});
