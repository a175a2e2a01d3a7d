import { connect, type Socket } from 'node:net';
import type { Call } from '../../../src/application/call/call';
import { PolicyPipeline } from '../../../src/application/pipeline';
import { KeyValueStore } from '../../../src/core';
import { RestFrontend, type RestOptions } from '../../../src/driving/rest';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';
import { parseResponses, rawExchange, type RawResponse } from '../../support/raw-http';
import { recordingLogger, type RecordingLogger } from '../../support/recording-logger';

let frontend: RestFrontend;
let port: number;
let serverLog: RecordingLogger;
/** The routes of the requests that reached the pipeline, in order. */
let arrived: string[];

async function start(options: Partial<RestOptions>): Promise<void> {
  serverLog = recordingLogger();
  arrived = [];
  const noteArrival = { name: 'arrivals', observe: (call: Call) => arrived.push(`${call.method} ${call.route}`) };
  const store = new KeyValueStore(new MemoryTransactionLog(), { maxKeyBytes: 64, maxValueBytes: 4096 });
  await store.restore();
  frontend = new RestFrontend(
    store,
    { host: '127.0.0.1', port: 0, ...options },
    { logger: serverLog.logger, pipeline: new PolicyPipeline([], [noteArrival]) },
  );
  port = (await frontend.start()).port;
}

afterEach(() => frontend.stop());

/** A raw connection whose received bytes and closing are observable. */
class Connection {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  readonly closed: Promise<void>;

  constructor(first?: string) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    if (first !== undefined) this.socket.write(first);
  }

  get responses(): RawResponse[] {
    return parseResponses(this.received).responses;
  }

  async response(): Promise<RawResponse> {
    while (this.responses.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.responses[0];
  }
}

const put = (key: string, length: number, body = ''): string =>
  `PUT /v1/key/${key} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n${body}`;

describe('request bodies in flight', () => {
  it('beyond the budget, new bodies get 503 SERVER_BUSY and the connection closes; once it frees up, they succeed', async () => {
    await start({ maxBodyBytesInFlight: 4096 });
    const slow = new Connection(put('slow', 3000, 'x'.repeat(10)));
    // The slow body holds 3000 of the 4096 bytes from the moment its headers are parsed.
    while (arrived.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const [busy] = (await rawExchange('127.0.0.1', port, put('fast', 3000, 'y'.repeat(3000)), 1)).responses;
    expect(busy.status).toBe(503);
    expect([busy.headers.connection, busy.headers['retry-after'], JSON.parse(busy.body)]).toEqual([
      'close',
      '1',
      { code: 'SERVER_BUSY', message: 'too many request bodies are being received right now; retry later' },
    ]);
    slow.socket.write('x'.repeat(2990));
    expect((await slow.response()).status).toBe(201);
    const after = await rawExchange('127.0.0.1', port, put('fast', 3000, 'y'.repeat(3000)), 1);
    expect(after.responses[0].status).toBe(201);
    slow.socket.destroy();
  });
});

describe('a 413', () => {
  it('closes the connection instead of reading a huge body', async () => {
    await start({});
    const connection = new Connection(put('huge', 100 * 1024 * 1024, 'z'.repeat(1000)));
    await connection.closed;
    expect(connection.responses.map((r) => [r.status, r.headers.connection])).toEqual([[413, 'close']]);
  });
});

describe('Expect: 100-continue', () => {
  const expecting = (key: string, length: number): string =>
    `PUT /v1/key/${key} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${length}\r\n\r\n`;

  it('with an oversized Content-Length gets 413 VALUE_TOO_LARGE and no 100 Continue first', async () => {
    await start({});
    const connection = new Connection(expecting('huge', 5000));
    await connection.closed;
    expect(connection.responses.map((r) => [r.status, r.headers.connection])).toEqual([[413, 'close']]);
    expect(JSON.parse(connection.responses[0].body)).toMatchObject({ code: 'VALUE_TOO_LARGE' });
  });

  it('within the limit gets 100 Continue, then the write is answered 201', async () => {
    await start({});
    const connection = new Connection(expecting('fits', 10));
    expect((await connection.response()).status).toBe(100);
    connection.socket.write('0123456789');
    while (connection.responses.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(connection.responses.map((r) => r.status)).toEqual([100, 201]);
    connection.socket.destroy();
  });
});

describe("Node's HTTP parser refusals carry the JSON error body", () => {
  it.each([
    ['a malformed request line', 400, 'MALFORMED_REQUEST', 'GARBAGE\r\n\r\n'],
    ['an invalid header', 400, 'MALFORMED_REQUEST', 'GET /v1/key/k HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'],
    [
      'headers beyond the parser limit',
      431,
      'HEADERS_TOO_LARGE',
      `GET /v1/key/k HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20 * 1024)}\r\n\r\n`,
    ],
  ])('%s: %i %s, and the connection closes', async (_name, status, code, request) => {
    await start({});
    const { responses, closed } = await rawExchange('127.0.0.1', port, request, 2);
    expect(closed).toBe(true);
    expect(responses.map((r) => [r.status, r.headers['content-type'], r.headers.connection])).toEqual([
      [status, 'application/json; charset=utf-8', 'close'],
    ]);
    expect(JSON.parse(responses[0].body)).toEqual({ code, message: expect.any(String) });
    expect(arrived).toEqual([]);
  });
});

describe('a client that disconnects mid-body', () => {
  it('is logged once at debug, never as an error', async () => {
    await start({});
    const connection = new Connection(put('gone', 1000, 'partial'));
    // Until the server has read the headers, destroying the socket tests nothing.
    while (arrived.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    connection.socket.destroy();
    while (!serverLog.records.some((line) => line.event === 'client_disconnected')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await rawExchange('127.0.0.1', port, 'GET /v1/key/x HTTP/1.1\r\nHost: x\r\n\r\n', 1);
    expect(serverLog.records.map((line) => [line.level, line.event])).toEqual([[20, 'client_disconnected']]);
  });
});

describe('slow clients', () => {
  it('are cut off after KVS_HEADERS_TIMEOUT_MS when their headers never end', async () => {
    await start({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const connection = new Connection('PUT /v1/key/slow HTTP/1.1\r\nHost: x\r\n');
    await connection.closed;
    expect(connection.responses.map((r) => r.status)).toEqual([408]);
    expect(JSON.parse(connection.responses[0].body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it('are cut off after KVS_REQUEST_TIMEOUT_MS when their body never ends', async () => {
    await start({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const connection = new Connection(put('slow', 100, 'only ten b'));
    await connection.closed;
    expect(connection.responses.map((r) => r.status)).toEqual([408]);
  });
});

describe('connections', () => {
  it('beyond KVS_MAX_CONNECTIONS are closed as they arrive', async () => {
    await start({ maxConnections: 2 });
    const open = [new Connection(), new Connection()];
    for (const connection of open) {
      connection.socket.write('GET /v1/key/k HTTP/1.1\r\nHost: x\r\n\r\n');
      expect((await connection.response()).status).toBe(404);
    }
    const third = new Connection('GET /v1/key/k HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    expect(third.received.length).toBe(0);
    open[0].socket.destroy();
    await open[0].closed;
    let answered: RawResponse[] = [];
    // The server notices the closed connection a moment after the client does.
    while (answered.length === 0) {
      answered = (await rawExchange('127.0.0.1', port, 'GET /v1/key/k HTTP/1.1\r\nHost: x\r\n\r\n', 1)).responses;
    }
    expect(answered[0].status).toBe(404);
    open[1].socket.destroy();
  });
});
