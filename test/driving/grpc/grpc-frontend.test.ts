import * as grpc from '@grpc/grpc-js';
import { maxRequestBytes } from '../../../src/driving/grpc/grpc-frontend';
import { GRPC_STATUS_BY_CODE, GrpcFrontend } from '../../../src/driving/grpc';
import { KvsClient, KvsClientError } from '../../../src/client/kvs-client';
import { recordingLogger } from '../../support/recording-logger';
import {
  KeyValueStore,
  LogUnavailableError,
  type CoreErrorCode as KvsErrorCode,
  type ReplayedRecord,
  type TransactionLog,
} from '../../../src/core';
import { MemoryTransactionLog, restoredStore } from '../../support/memory-transaction-log';
import { startGrpc, type RunningGrpc } from './grpc-driver';

/** The rejection of a call, for assertions on its status and kvs code. */
async function failure(call: Promise<unknown>): Promise<KvsClientError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KvsClientError)) throw new Error(`expected a KvsClientError, got ${String(error)}`);
  return error;
}

/** One protobuf length-delimited field (short payloads only). */
function field(number: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2, payload.length]), payload]);
}

/** Sends hand-encoded request bytes, bypassing every encoder, and resolves with the status. */
function rawCall(address: string, method: string, request: Buffer, service = 'KeyValue'): Promise<grpc.StatusObject> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client
      .makeUnaryRequest(
        `/${service}/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        () => undefined,
      )
      .on('status', (status: grpc.StatusObject) => {
        client.close();
        resolve(status);
      });
  });
}

describe('GrpcFrontend', () => {
  let log: MemoryTransactionLog;
  let running: RunningGrpc;

  beforeEach(async () => {
    log = new MemoryTransactionLog();
    running = await startGrpc(await restoredStore(log, { maxKeyBytes: 64, maxValueBytes: 4096 }));
  });

  afterEach(async () => {
    log.release();
    await running.close();
  });

  it('serves KvsAdmin/Compact: compacts the log and reports what it did; a failure is UNAVAILABLE', async () => {
    for (let i = 0; i < 4; i++) await running.client.put('k', `${i}`);
    // The memory log keeps the live key's record and the one saying the revision it stands at.
    expect(await running.client.compact()).toEqual({ bytesBefore: 4, bytesAfter: 2, liveBytes: 2, durationMs: 0 });
    expect(log.compactions).toBe(1);
    log.compact = () => Promise.reject(new LogUnavailableError('memory log: compaction failed; retry later'));
    const error = await failure(running.client.compact());
    expect([error.status, error.code]).toEqual([grpc.status.UNAVAILABLE, 'LOG_UNAVAILABLE']);
  });

  it('maps every core error code to a status a client can act on, never INTERNAL, UNKNOWN only for an unknown outcome', () => {
    for (const [code, status] of Object.entries(GRPC_STATUS_BY_CODE)) {
      expect([grpc.status.INTERNAL, grpc.status.OK]).not.toContain(status);
      // UNKNOWN is the documented status of OUTCOME_UNKNOWN (the write may or may not have
      // committed) and of nothing else, so UNAVAILABLE keeps meaning "nothing changed".
      if (code !== 'OUTCOME_UNKNOWN') expect(status).not.toBe(grpc.status.UNKNOWN);
    }
    expect(GRPC_STATUS_BY_CODE.OUTCOME_UNKNOWN).toBe(grpc.status.UNKNOWN);
    expect(GRPC_STATUS_BY_CODE.VALUE_TOO_LARGE).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('reports the status and, in trailing metadata, the kvs error code', async () => {
    const cases: [Promise<unknown>, grpc.status, KvsErrorCode][] = [
      [running.client.get('missing'), grpc.status.NOT_FOUND, 'KEY_NOT_FOUND'],
      [running.client.put('', 'v'), grpc.status.INVALID_ARGUMENT, 'INVALID_KEY'],
      [running.client.get('k'.repeat(65)), grpc.status.INVALID_ARGUMENT, 'KEY_TOO_LARGE'],
      [running.client.put('k', 'v'.repeat(4097)), grpc.status.RESOURCE_EXHAUSTED, 'VALUE_TOO_LARGE'],
    ];
    for (const [call, status, code] of cases) {
      const error = await failure(call);
      expect([error.status, error.code]).toEqual([status, code]);
    }
  });

  it('answers UNAVAILABLE with LOG_UNAVAILABLE when the log fails, so clients know to retry', async () => {
    log.failNext();
    const error = await failure(running.client.put('k', 'v'));
    expect([error.status, error.code]).toEqual([grpc.status.UNAVAILABLE, 'LOG_UNAVAILABLE']);
  });

  it('refuses a request over the message size limit with RESOURCE_EXHAUSTED, not UNKNOWN', async () => {
    const error = await failure(running.client.put('k', 'x'.repeat(64 * 1024)));
    expect(error.status).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(log.events).toEqual([]);
  });

  it('refuses bytes that are not a protobuf message with INVALID_ARGUMENT, storing nothing', async () => {
    const malformed = [
      Buffer.from([0x0a, 0x7f, 0x61, 0x62, 0x63]), // key claims 127 bytes, carries 3
      Buffer.from([0x0f]), // wire type 7
      Buffer.from([0x0a, 0x01, 0x6b, 0xff]), // a tag cut short after a complete key
      Buffer.from([0x08, 0x96]), // an unknown varint field cut short
      Buffer.from([0x08, 0x01]), // key (field 1) sent as a varint
      Buffer.from([0x00, 0x00]), // field number 0
    ];
    for (const method of ['Put', 'Get', 'Delete']) {
      for (const bytes of malformed) {
        const answer = await rawCall(running.address, method, bytes);
        expect([method, bytes.toString('hex'), answer.code, answer.metadata.get('kvs-error-code')]).toEqual([
          method,
          bytes.toString('hex'),
          grpc.status.INVALID_ARGUMENT,
          ['INVALID_MESSAGE'],
        ]);
      }
    }
    expect(log.events).toEqual([]);
    // Unknown fields of every wire type are still tolerated (fields 10 to 13: PutRequest has none there).
    const unknownFields = Buffer.from([0x50, 0x05, 0x59, ...Array(8).fill(0), 0x65, 0, 0, 0, 0, 0x6a, 0x01, 0x78]);
    const tolerated = await rawCall(running.address, 'Put', Buffer.concat([field(1, Buffer.from('k')), unknownFields]));
    expect(tolerated.code).toBe(grpc.status.OK);
    expect(log.events.flatMap((record) => record.writes)).toEqual([expect.objectContaining({ key: 'k', value: '' })]);
  });

  it('checks KvsAdmin requests on the wire too: malformed bytes are INVALID_ARGUMENT and compact nothing', async () => {
    const malformed = [
      Buffer.from([0x0a, 0x7f, 0x61, 0x62, 0x63]), // a field claiming 127 bytes, carrying 3
      Buffer.from([0x0f]), // wire type 7
      Buffer.from([0x08, 0x96]), // a varint cut short
      Buffer.from([0x00, 0x00]), // field number 0
    ];
    for (const bytes of malformed) {
      const answer = await rawCall(running.address, 'Compact', bytes, 'KvsAdmin');
      expect([bytes.toString('hex'), answer.code, answer.metadata.get('kvs-error-code')]).toEqual([
        bytes.toString('hex'),
        grpc.status.INVALID_ARGUMENT,
        ['INVALID_MESSAGE'],
      ]);
    }
    expect(log.compactions).toBe(0);
    // Unknown fields are tolerated: the request is an empty message.
    expect((await rawCall(running.address, 'Compact', Buffer.from([0x08, 0x01]), 'KvsAdmin')).code).toBe(
      grpc.status.OK,
    );
    expect(log.compactions).toBe(1);
  });

  it('rejects keys and values that are not valid UTF-8 instead of decoding them to U+FFFD', async () => {
    const badKey = Buffer.from([0x6b, 0xff, 0x6b]);
    const put = await rawCall(running.address, 'Put', Buffer.concat([field(1, badKey), field(2, Buffer.from('v'))]));
    const badValue = await rawCall(
      running.address,
      'Put',
      Buffer.concat([field(1, Buffer.from('k')), field(2, Buffer.from([0xc3]))]),
    );
    const get = await rawCall(running.address, 'Get', field(1, badKey));
    expect([put.code, put.metadata.get('kvs-error-code')]).toEqual([grpc.status.INVALID_ARGUMENT, ['INVALID_KEY']]);
    expect([badValue.code, badValue.metadata.get('kvs-error-code')]).toEqual([
      grpc.status.INVALID_ARGUMENT,
      ['INVALID_VALUE'],
    ]);
    expect(get.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(log.events).toEqual([]);

    const valid = await rawCall(
      running.address,
      'Put',
      Buffer.concat([field(1, Buffer.from('k\uFFFD')), field(2, Buffer.from('é'))]),
    );
    expect(valid.code).toBe(grpc.status.OK);
    await expect(running.client.get('k\uFFFD')).resolves.toBe('é');
  });

  it('honours the client deadline; a write already handed to the log still completes', async () => {
    log.holdAppends();
    // The deadline leaves the server ample time to hand the write to the (held) log first: with
    // 100 ms a loaded machine sometimes let it pass before the request arrived, and then no write
    // existed to complete.
    const failed = failure(running.client.put('slow', 'v', { timeoutMs: 2000 }));
    const handedToLog = (): boolean => log.events.some((record) => record.writes.some((write) => write.key === 'slow'));
    while (!handedToLog()) await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await failed;
    expect(error.status).toBe(grpc.status.DEADLINE_EXCEEDED);
    log.release();
    await expect(running.client.get('slow')).resolves.toBe('v');
  });

  it('changes nothing for a call whose deadline passed before it was sent', async () => {
    const error = await failure(running.client.put('late', 'v', { timeoutMs: 0 }));
    expect(error.status).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(log.events).toEqual([]);
  });
});

describe('GrpcFrontend message size', () => {
  it("follows the configured value limit beyond grpc-js's 4 MiB default", async () => {
    const limits = { maxKeyBytes: 1024, maxValueBytes: 5 * 1024 * 1024 };
    expect(maxRequestBytes(limits)).toBeGreaterThan(limits.maxKeyBytes + limits.maxValueBytes);
    const running = await startGrpc(await restoredStore(new MemoryTransactionLog(), limits));
    try {
      const value = '€'.repeat(Math.floor(limits.maxValueBytes / 3)) + 'xx'; // exactly the limit
      await running.client.put('k'.repeat(1024), value);
      await expect(running.client.get('k'.repeat(1024))).resolves.toBe(value);
      const error = await failure(running.client.put('k', `${value}x`));
      expect([error.status, error.code]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'VALUE_TOO_LARGE']);
    } finally {
      await running.close();
    }
  });
});

describe('GrpcFrontend log errors', () => {
  const detail = 'file log: /var/lib/kvs/transactions.log: write failed (ENOSPC: no space left on device, write)';

  for (const [retryable, details] of [
    [true, 'the transaction log cannot accept writes right now; retry later'],
    [false, 'the transaction log has failed; the service is restarting'],
  ] as const) {
    it(`names the condition only (${retryable ? 'retryable' : 'failed for good'}), never a path or errno; the detail is logged`, async () => {
      const log = new MemoryTransactionLog();
      const server = recordingLogger();
      const frontend = new GrpcFrontend(
        await restoredStore(log),
        { host: '127.0.0.1', port: 0 },
        { logger: server.logger },
      );
      const client = new KvsClient(`127.0.0.1:${(await frontend.start()).port}`);
      try {
        log.failNext(1, new LogUnavailableError(detail, retryable));
        const error = await failure(client.put('k', 'v'));
        expect([error.status, error.code, error.details]).toEqual([
          grpc.status.UNAVAILABLE,
          'LOG_UNAVAILABLE',
          details,
        ]);
        expect(server.records).toEqual([expect.objectContaining({ event: 'request_refused', detail })]);
      } finally {
        client.close();
        await frontend.stop();
      }
    });
  }
});

describe('GrpcFrontend server faults', () => {
  it('answers INTERNAL without details and logs the cause server-side', async () => {
    const broken: TransactionLog = {
      async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {},
      append: () => Promise.reject(new Error('disk on fire at /var/lib/kvs')),
      close: async () => undefined,
      attachLiveState: () => undefined,
      compact: () => Promise.reject(new Error('not used')),
      health: () => 'ok',
      onHealthChange: () => () => undefined,
    };
    const log = recordingLogger();
    const frontend = new GrpcFrontend(
      new KeyValueStore(broken),
      { host: '127.0.0.1', port: 0 },
      { logger: log.logger },
    );
    const { port } = await frontend.start();
    const client = new KvsClient(`127.0.0.1:${port}`);
    try {
      const error = await failure(client.put('k', 'v'));
      expect([error.status, error.details, error.code]).toEqual([grpc.status.INTERNAL, 'internal error', undefined]);
      expect(log.records).toEqual([
        expect.objectContaining({
          event: 'request_failed',
          err: expect.objectContaining({ message: expect.stringContaining('disk on fire') }),
        }),
      ]);
    } finally {
      client.close();
      await frontend.stop();
    }
  });
});
