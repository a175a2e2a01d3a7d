import { connect } from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { KvsClient } from '../../src/client/kvs-client';
import { errorLogLines, startService, type ServiceProcess } from '../support/service-process';
import { SeededRandom } from '../support/seeded-random';
import { runCases } from '../support/run-cases';

// Bounded and seeded: the same cases on every run, a few seconds each.
const REST_CASES = 600;
const GRPC_CASES = 600;
const CONCURRENCY = 8;

let dir: string;
let service: ServiceProcess;
let logFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvs-fuzz-'));
  logFile = join(dir, 'tx.log');
  service = await startService({ TLOG_FILENAME: logFile, KVS_MAX_VALUE_BYTES: '65536', LOG_LEVEL: 'info' });
});

afterAll(async () => {
  service.process.kill('SIGKILL');
  await service.exited();
  await rm(dir, { recursive: true, force: true });
});

describe('gRPC malformed messages (seed 9)', () => {
  it('answer only INVALID_ARGUMENT or RESOURCE_EXHAUSTED, and store nothing', async () => {
    const random = new SeededRandom(9);
    const sizeBefore = (await stat(logFile)).size;
    const cases = Array.from({ length: GRPC_CASES }, () => malformedMessage(random));
    const client = new grpc.Client(service.grpcAddress!, grpc.credentials.createInsecure());
    try {
      const codes = await runCases(GRPC_CASES, CONCURRENCY, (i) =>
        rawUnary(client, random.pick(['Put', 'Get', 'Delete']), cases[i]),
      );
      const unexpected = codes
        .map((code, i) => ({ code: grpc.status[code], bytes: cases[i].toString('hex') }))
        .filter(({ code }) => code !== 'INVALID_ARGUMENT' && code !== 'RESOURCE_EXHAUSTED');
      expect(unexpected).toEqual([]);
    } finally {
      client.close();
    }
    expect((await stat(logFile)).size).toBe(sizeBefore);
    expect(errorLogLines(service)).toEqual([]);
    const kvs = new KvsClient(service.grpcAddress!);
    try {
      await kvs.put('after-grpc-fuzz', 'fine');
      expect(await kvs.get('after-grpc-fuzz')).toBe('fine');
    } finally {
      kvs.close();
    }
  });
});

describe('REST fuzz (seed 7)', () => {
  it('never crashes the server, never answers 5xx, and the API works afterwards', async () => {
    const random = new SeededRandom(7);
    const port = Number(new URL(service.restUrl!).port);
    const cases = Array.from({ length: REST_CASES }, () => hostileRequest(random));
    // A quarter of the clients hang up (with a reset) part-way through their request.
    const cuts = cases.map((bytes) =>
      random.chance(0.25) ? random.int(bytes.indexOf('\r\n\r\n') + 4, bytes.length) : undefined,
    );
    const statuses = await runCases(REST_CASES, CONCURRENCY, (i) => firstStatus(port, cases[i], cuts[i]));
    const serverErrors = statuses
      .map((status, i) => ({ status, request: cases[i].subarray(0, 200).toString('latin1') }))
      .filter(({ status }) => status >= 500);
    expect(serverErrors).toEqual([]);
    // Some cases must have reached the API and some must have been refused, or the fuzz tests nothing.
    expect(statuses.filter((status) => status >= 200 && status < 300).length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status >= 400 && status < 500).length).toBeGreaterThan(100);

    expect(service.process.exitCode).toBeNull();
    expect(errorLogLines(service)).toEqual([]);
    const put = await fetch(`${service.restUrl}/v1/key/after-fuzz`, { method: 'PUT', body: 'still fine' });
    expect(put.status).toBe(201);
    expect(await (await fetch(`${service.restUrl}/v1/key/after-fuzz`)).text()).toBe('still fine');
  });
});

/** Sends raw bytes as one unary call (identity serializers) and resolves with the status code. */
function rawUnary(client: grpc.Client, method: string, request: Buffer): Promise<grpc.status> {
  return new Promise((resolve) => {
    client
      .makeUnaryRequest(
        `/KeyValue/${method}`,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        request,
        { deadline: Date.now() + 10_000 },
        () => undefined,
      )
      .on('status', (status: grpc.StatusObject) => resolve(status.code));
  });
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

function stringField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

/** A protobuf message that is certainly malformed (random, truncated, over-claiming, bad wire types). */
function malformedMessage(random: SeededRandom): Buffer {
  const key = Buffer.from(`fz-${random.int(0, 1e6)}`);
  const value = Buffer.from('v'.repeat(random.int(0, 40)));
  const valid = Buffer.concat([stringField(1, key), stringField(2, value)]);
  switch (random.int(0, 4)) {
    case 0: {
      // Cut strictly inside the last field (after its tag, before its end).
      const lastFieldStart = stringField(1, key).length;
      return valid.subarray(0, random.int(lastFieldStart + 1, valid.length - 1));
    }
    case 1: {
      // A length-delimited field claiming more bytes than follow.
      const carried = random.bytes(random.int(0, 20));
      return Buffer.concat([varint((random.int(1, 3) << 3) | 2), varint(carried.length + random.int(1, 1e6)), carried]);
    }
    case 2: {
      // A valid prefix, then a tag of a wire type this service does not accept (3, 4, 6, 7).
      const wireType = random.pick([3, 4, 6, 7]);
      return Buffer.concat([valid, varint((random.int(1, 20) << 3) | wireType), random.bytes(random.int(0, 8))]);
    }
    case 3:
      // A valid prefix, then a varint that never ends.
      return Buffer.concat([valid, varint((random.int(3, 20) << 3) | 0), Buffer.alloc(random.int(1, 9), 0xff)]);
    default:
      // Random bytes behind a key claiming 4 GiB.
      return Buffer.concat([Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), random.bytes(random.int(0, 64))]);
  }
}

const METHODS = [
  'GET',
  'PUT',
  'DELETE',
  'HEAD',
  'POST',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'get',
  'PU T',
  'G\x00T',
  'XYZZY',
  '',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'http/1.1', 'HTTP/1.1 extra', ''];

function randomKey(random: SeededRandom): string {
  return random.pick([
    () => `k${random.int(0, 50)}`,
    () => encodeURIComponent(random.bytes(random.int(1, 30)).toString('latin1')),
    () => '%' + random.bytes(2).toString('hex').toUpperCase(),
    () => '%C3%28%FF%FE',
    () => '%ZZ%',
    () => 'a'.repeat(random.int(1000, 3000)),
    () => '..%2F..%2Fetc%2Fpasswd',
    () => 'a/b/c',
    () => '',
    () => 'k?x=1#frag',
  ])();
}

function randomPath(random: SeededRandom): string {
  return random.pick([
    () => `/v1/key/${randomKey(random)}`,
    () => '/v1/key',
    () => '*',
    () => `http://example.com/v1/key/${randomKey(random)}`,
    () => '/healthz',
    () => '/readyz',
    () => '//v1//key//x',
    () => `/${random.bytes(random.int(1, 20)).toString('latin1')}`,
  ])();
}

function randomHeaders(random: SeededRandom, body: Buffer): { lines: string[]; body: Buffer } {
  const lines = ['Host: fuzz'];
  let framedBody = body;
  switch (random.int(0, 9)) {
    case 0:
      lines.push(`Content-Length: ${body.length}`);
      break;
    case 1:
      lines.push(`Content-Length: ${random.pick(['-1', 'abc', '1e3', '0x10', ' 5', '99999999999999999999'])}`);
      break;
    case 2:
      lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
      break;
    case 3:
      lines.push('Transfer-Encoding: chunked');
      framedBody = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 4:
      lines.push('Transfer-Encoding: chunked');
      framedBody = Buffer.concat([Buffer.from(`${random.pick(['zz', '-1', 'ffffffffffff', ''])}\r\n`), body]);
      break;
    case 5:
      lines.push('Transfer-Encoding: chunked', `Content-Length: ${body.length}`);
      break;
    case 6:
      lines.push(`Transfer-Encoding: ${random.pick(['gzip', 'chunked, gzip', 'identity', 'xchunked'])}`);
      break;
    case 7:
      lines.push(`Content-Length: ${body.length}`, 'X-Folded: a', ' continued');
      break;
    case 8:
      lines.push(
        `Content-Length: ${body.length}`,
        random.pick(['NoColonHere', 'Bad\x00Name: x', `X-Long: ${'h'.repeat(random.int(1, 20000))}`, ': empty']),
      );
      break;
    default:
      lines.push(
        `Content-Length: ${body.length}`,
        `Content-Type: ${random.pick(['text/plain', 'application/json', '\x01', ''])}`,
        'Expect: 100-continue',
      );
  }
  return { lines, body: framedBody };
}

/** One hostile HTTP/1.1 request as raw bytes. */
function hostileRequest(random: SeededRandom): Buffer {
  const method = random.chance(0.6) ? random.pick(['GET', 'PUT', 'DELETE']) : random.pick(METHODS);
  const version = random.chance(0.7) ? 'HTTP/1.1' : random.pick(VERSIONS);
  const body = random.pick([
    () => Buffer.from('hello'),
    () => random.bytes(random.int(0, 200)),
    () => Buffer.from('ünïcødé ✓ \u0000'),
    () => Buffer.alloc(0),
    () => Buffer.alloc(random.int(60_000, 70_000), 0x61),
  ])();
  const { lines, body: framed } = randomHeaders(random, body);
  const head = `${method} ${randomPath(random)} ${version}\r\n${lines.join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), framed]);
}

/**
 * Sends the bytes on a fresh connection and half-closes it, or with `cutAt` sends only that many
 * and resets the connection; resolves with the first response's status (0: none).
 */
function firstStatus(port: number, bytes: Buffer, cutAt?: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('connect', () => {
      if (cutAt === undefined) socket.end(bytes);
      else socket.write(bytes.subarray(0, cutAt), () => setTimeout(() => socket.resetAndDestroy(), 5));
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(0));
  });
}
