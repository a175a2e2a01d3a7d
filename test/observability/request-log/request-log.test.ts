import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { GrpcFrontend } from '../../../src/driving/grpc';
import { RequestLogObserver, type RequestLogOptions } from '../../../src/observability/request-log';
import { PolicyPipeline } from '../../../src/application/pipeline';
import { RestFrontend } from '../../../src/driving/rest';
import { KeyValueStore, type LogRecord as KvsLogRecord } from '../../../src/core';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';
import { recordingLogger, type LogRecord, type RecordingLogger } from '../../support/recording-logger';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A memory log whose appends fail with a plain Error (a server fault) while `broken` is set. */
class BreakableLog extends MemoryTransactionLog {
  broken = false;
  override append(record: KvsLogRecord): Promise<void> {
    return this.broken ? Promise.reject(new Error('disk on fire')) : super.append(record);
  }
}

/** Request lines only (the frontends' own lines, such as request_failed, are left out). */
function requestLines(recording: RecordingLogger): LogRecord[] {
  return recording.records.filter((record) => record.event === 'request');
}

/** The debug lines naming request keys, as [level, requestId, key]. */
function keyLines(recording: RecordingLogger): unknown[][] {
  return recording.records
    .filter((record) => record.event === 'request_key')
    .map((record) => [record.level, record.requestId, record.key]);
}

/**
 * The request lines once `count` have been written: a response can reach the client a moment
 * before the server's 'finish' handler writes its line.
 */
async function linesWritten(recording: RecordingLogger, count: number): Promise<LogRecord[]> {
  while (requestLines(recording).length < count) await new Promise((resolve) => setImmediate(resolve));
  return requestLines(recording);
}

/** A recording logger at `level` (the recording stream itself keeps everything it is given). */
function recordingAt(level: 'debug' | 'info'): RecordingLogger {
  const recording = recordingLogger();
  recording.logger.level = level;
  return recording;
}

/** A pipeline with the request-log observer alone, logging to `recording`. */
function observing(recording: RecordingLogger, options: Partial<RequestLogOptions>): PolicyPipeline {
  return new PolicyPipeline([], [new RequestLogObserver({ logger: recording.logger, ...options })]);
}

describe('request logs', () => {
  let log: BreakableLog;
  let store: KeyValueStore;

  beforeEach(async () => {
    log = new BreakableLog();
    store = new KeyValueStore(log);
    await store.restore();
  });

  describe('REST', () => {
    let frontend: RestFrontend;
    let url: string;

    async function start(recording: RecordingLogger, options: Partial<RequestLogOptions> = {}): Promise<void> {
      frontend = new RestFrontend(
        store,
        { host: '127.0.0.1', port: 0 },
        { logger: recording.logger, pipeline: observing(recording, options) },
      );
      url = `http://127.0.0.1:${(await frontend.start()).port}`;
    }

    afterEach(() => frontend.stop());

    it('logs method, route template, status, duration, bytes and the caller’s request id, never the value', async () => {
      const recording = recordingAt('debug');
      await start(recording);
      const put = await fetch(`${url}/v1/key/secret%20key`, {
        method: 'PUT',
        body: 'secret value',
        headers: { 'X-Request-Id': 'caller-id-1' },
      });
      expect(put.status).toBe(201);
      expect(put.headers.get('x-request-id')).toBe('caller-id-1');

      const [line] = await linesWritten(recording, 1);
      expect(line).toMatchObject({
        level: pino.levels.values.info,
        frontend: 'rest',
        requestId: 'caller-id-1',
        method: 'PUT',
        route: '/v1/key/:key',
        status: 201,
      });
      // The key is on a debug line of its own, never on the info line.
      expect(line.key).toBeUndefined();
      expect(keyLines(recording)).toEqual([[pino.levels.values.debug, 'caller-id-1', 'secret key']]);
      expect(line.durationMs).toEqual(expect.any(Number));
      expect(line.bytesOut).toBeGreaterThan(0);
      expect(JSON.stringify(recording.records)).not.toContain('secret value');
    });

    it('generates a request id when the caller sends none (or an unusable one) and returns it', async () => {
      const recording = recordingAt('info');
      await start(recording);
      const plain = await fetch(`${url}/v1/key/a`);
      const bad = await fetch(`${url}/v1/key/a`, { headers: { 'X-Request-Id': 'x'.repeat(500) } });
      const ids = [plain.headers.get('x-request-id'), bad.headers.get('x-request-id')];
      for (const id of ids) expect(id).toMatch(UUID);
      expect((await linesWritten(recording, 2)).map((line) => line.requestId)).toEqual(ids);
    });

    it('leaves the key out at info and logs client mistakes at info, not error', async () => {
      const recording = recordingAt('info');
      await start(recording);
      expect((await fetch(`${url}/v1/key/private-key`)).status).toBe(404);
      expect((await fetch(`${url}/somewhere/private-key`)).status).toBe(404);
      expect((await fetch(`${url}/v1/key/private-key`, { method: 'POST' })).status).toBe(405);
      const lines = await linesWritten(recording, 3);
      expect(lines.map((line) => [line.level, line.route, line.status])).toEqual([
        [pino.levels.values.info, '/v1/key/:key', 404],
        [pino.levels.values.info, '(unmatched)', 404],
        [pino.levels.values.info, '/v1/key/:key', 405],
      ]);
      expect(JSON.stringify(recording.records)).not.toContain('private-key');
    });

    it('logs a server fault once at error (the detail) and its request line at warn', async () => {
      const recording = recordingAt('info');
      await start(recording);
      log.broken = true;
      expect((await fetch(`${url}/v1/key/k`, { method: 'PUT', body: 'v' })).status).toBe(500);
      expect(recording.messages('error')).toHaveLength(1);
      expect(await linesWritten(recording, 1)).toMatchObject([{ level: pino.levels.values.warn, status: 500 }]);
    });

    it('writes no line while disabled, but still returns the request id', async () => {
      const recording = recordingAt('info');
      let enabled = false;
      await start(recording, { enabled: () => enabled });
      const quiet = await fetch(`${url}/v1/key/a`, { headers: { 'X-Request-Id': 'quiet' } });
      expect(quiet.headers.get('x-request-id')).toBe('quiet');
      expect(requestLines(recording)).toHaveLength(0);
      enabled = true;
      await fetch(`${url}/v1/key/a`);
      expect(await linesWritten(recording, 1)).toHaveLength(1);
    });

    it('adds the trace id the tracing hook reports', async () => {
      const recording = recordingAt('info');
      await start(recording, { traceIdOf: () => '0af7651916cd43dd8448eb211c80319c' });
      await fetch(`${url}/v1/key/a`);
      expect((await linesWritten(recording, 1))[0].traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    });
  });

  describe('gRPC', () => {
    let frontend: GrpcFrontend;
    let client: grpc.Client;

    async function start(recording: RecordingLogger, options: Partial<RequestLogOptions> = {}): Promise<void> {
      frontend = new GrpcFrontend(
        store,
        { host: '127.0.0.1', port: 0 },
        { logger: recording.logger, pipeline: observing(recording, options) },
      );
      const { port } = await frontend.start();
      client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    }

    afterEach(async () => {
      client.close();
      await frontend.stop();
    });

    /** Calls /KeyValue/{method} with hand-encoded fields 1 (key) and 2 (value); resolves with the status. */
    function call(method: string, fields: string[], requestId?: string): Promise<grpc.StatusObject> {
      const request = Buffer.concat(
        fields.map((text, index) => {
          const bytes = Buffer.from(text);
          return Buffer.concat([Buffer.from([((index + 1) << 3) | 2, bytes.length]), bytes]);
        }),
      );
      const metadata = new grpc.Metadata();
      if (requestId) metadata.set('x-request-id', requestId);
      return new Promise((resolve) => {
        client
          .makeUnaryRequest(
            `/KeyValue/${method}`,
            (b: Buffer) => b,
            (b: Buffer) => b,
            request,
            metadata,
            () => undefined,
          )
          .on('status', resolve);
      });
    }

    it('logs the same shape as REST and returns the request id in the trailers', async () => {
      const recording = recordingAt('debug');
      await start(recording);
      const put = await call('Put', ['grpc key', 'grpc value'], 'caller-id-2');
      expect(put.code).toBe(grpc.status.OK);
      expect(put.metadata.get('x-request-id')).toEqual(['caller-id-2']);
      const missing = await call('Get', ['absent']);
      expect(missing.code).toBe(grpc.status.NOT_FOUND);
      expect(String(missing.metadata.get('x-request-id')[0])).toMatch(UUID);

      const lines = await linesWritten(recording, 2);
      expect(lines).toMatchObject([
        {
          level: pino.levels.values.info,
          frontend: 'grpc',
          requestId: 'caller-id-2',
          method: 'Put',
          route: '/KeyValue/Put',
          status: 'OK',
        },
        { level: pino.levels.values.info, method: 'Get', status: 'NOT_FOUND' },
      ]);
      expect(lines.map((line) => line.key)).toEqual([undefined, undefined]);
      expect(keyLines(recording)).toEqual([
        [pino.levels.values.debug, 'caller-id-2', 'grpc key'],
        [pino.levels.values.debug, lines[1].requestId, 'absent'],
      ]);
      expect(lines[0].durationMs).toEqual(expect.any(Number));
      expect(JSON.stringify(recording.records)).not.toContain('grpc value');
    });

    it('leaves the key out at info and logs a server fault’s line at warn', async () => {
      const recording = recordingAt('info');
      await start(recording);
      log.broken = true;
      expect((await call('Put', ['hidden-key', 'v'])).code).toBe(grpc.status.INTERNAL);
      expect(await linesWritten(recording, 1)).toMatchObject([{ level: pino.levels.values.warn, status: 'INTERNAL' }]);
      expect(recording.messages('error')).toHaveLength(1);
      expect(JSON.stringify(recording.records)).not.toContain('hidden-key');
    });

    it('writes no line while disabled', async () => {
      const recording = recordingAt('info');
      await start(recording, { enabled: () => false });
      expect((await call('Get', ['a'])).code).toBe(grpc.status.NOT_FOUND);
      expect(requestLines(recording)).toHaveLength(0);
    });
  });
});
