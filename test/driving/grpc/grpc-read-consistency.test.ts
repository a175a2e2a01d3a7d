import * as grpc from '@grpc/grpc-js';
import { ReadConsistency } from '../../../src/application/consistency/read-consistency';
import { loadKeyValuePackage } from '../../../src/api/keyvalue-proto';
import type { KeyValueClient } from '../../../src/api/generated/KeyValue';
import { KeyValueStore, LogUnavailableError, ownHead, type HeadRevision } from '../../../src/core';
import { GrpcFrontend } from '../../../src/driving/grpc';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';

/** A gRPC frontend whose reads wait at most `maxWaitMs`, and a generated stub on it. */
async function serve(head?: HeadRevision, maxWaitMs = 2000) {
  const log = new MemoryTransactionLog();
  const store = new KeyValueStore(log);
  await store.restore();
  const reads = new ReadConsistency(store, head ?? ownHead(store), { maxWaitMs });
  const frontend = new GrpcFrontend(store, { host: '127.0.0.1', port: 0 }, { reads });
  const { port } = await frontend.start();
  const stub: KeyValueClient = new (loadKeyValuePackage().KeyValue)(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  return {
    log,
    store,
    stub,
    async stop() {
      stub.close();
      await frontend.stop();
    },
  };
}

/** A unary call as a promise of its response, or of its status and kvs-error-code. */
function unary<Response>(
  start: (callback: (error: grpc.ServiceError | null, response?: Response) => void) => void,
): Promise<Response | { status: grpc.status; code: unknown }> {
  return new Promise((resolve) =>
    start((error, response) =>
      resolve(error ? { status: error.code, code: error.metadata.get('kvs-error-code')[0] } : response!),
    ),
  );
}

const behind = { status: grpc.status.UNAVAILABLE, code: 'REPLICA_BEHIND' };

describe('gRPC read consistency: min_revision and linearizable on Get and Range', () => {
  let service: Awaited<ReturnType<typeof serve>>;

  afterEach(() => service.stop());

  it('waits for min_revision to be applied, and answers the revision it reflects', async () => {
    service = await serve();
    await service.store.put('k', 'old');
    service.log.holdAppends();
    const write = service.store.put('k', 'new');
    const get = unary((done) => service.stub.Get({ key: 'k', min_revision: 2 }, done));
    const range = unary((done) => service.stub.Range({ prefix: 'k', min_revision: 2, linearizable: true }, done));
    await new Promise((resolve) => setTimeout(resolve, 30));
    service.log.release();
    await write;
    expect(await get).toMatchObject({ value: 'new', revision: '2' });
    expect(await range).toMatchObject({ revision: '2', entries: [expect.objectContaining({ value: 'new' })] });
    expect(await unary((done) => service.stub.Get({ key: 'k', linearizable: true }, done))).toMatchObject({
      value: 'new',
    });
  });

  it('is UNAVAILABLE REPLICA_BEHIND past the configured wait or the call deadline', async () => {
    service = await serve(undefined, 30);
    expect(await unary((done) => service.stub.Get({ key: 'k', min_revision: 5 }, done))).toEqual(behind);
    expect(await unary((done) => service.stub.Range({ prefix: '', min_revision: 5 }, done))).toEqual(behind);
    await service.stop();
    service = await serve(undefined, 60_000);
    const deadline = { deadline: Date.now() + 200 };
    const answer = await unary((done) => service.stub.Get({ key: 'k', min_revision: 5 }, deadline, done));
    // Whichever ends the call first: the server's REPLICA_BEHIND at the deadline, or the client's own deadline.
    expect([behind, { status: grpc.status.DEADLINE_EXCEEDED, code: undefined }]).toContainEqual(answer);
  });

  it('is UNAVAILABLE REPLICA_BEHIND for a linearizable read whose head cannot be confirmed', async () => {
    service = await serve({ confirm: () => Promise.reject(new LogUnavailableError('down')) });
    expect(await unary((done) => service.stub.Get({ key: 'k', linearizable: true }, done))).toEqual(behind);
    expect(await unary((done) => service.stub.Range({ prefix: '', linearizable: true }, done))).toEqual(behind);
  });

  it('refuses a negative min_revision with INVALID_ARGUMENT', async () => {
    service = await serve();
    expect(await unary((done) => service.stub.Get({ key: 'k', min_revision: -1 }, done))).toEqual({
      status: grpc.status.INVALID_ARGUMENT,
      code: 'INVALID_REQUEST',
    });
  });
});
