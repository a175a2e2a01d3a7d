import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { MemoryTransactionLog, restoredStore } from '../../support/memory-transaction-log';
import { startGrpc, type RunningGrpc } from './grpc-driver';

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, enums: String, defaults: true, oneofs: true };

/** A client of a service from a standard proto, typed only as far as these tests need. */
type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

function standardClient(address: string, protoFile: string, includeDir: string, service: string): AnyClient {
  const definition = protoLoader.loadSync(protoFile, { ...LOADER_OPTIONS, includeDirs: [includeDir] });
  const Client = definition[service] as unknown as grpc.ServiceClientConstructor;
  return new (grpc.makeClientConstructor(Client as unknown as grpc.ServiceDefinition, service))(
    address,
    grpc.credentials.createInsecure(),
  ) as AnyClient;
}

function healthClient(address: string): AnyClient {
  return standardClient(
    address,
    'health/v1/health.proto',
    path.resolve(healthProtoPath, '../../..'),
    'grpc.health.v1.Health',
  );
}

function check(client: AnyClient, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    client.Check({ service }, (error: grpc.ServiceError | null, response: { status: string }) =>
      error ? reject(error) : resolve(response.status),
    ),
  );
}

/** Sends one reflection request over a ServerReflectionInfo stream and resolves with the answer. */
function reflect(address: string, version: 'v1' | 'v1alpha', request: object): Promise<Record<string, any>> {
  const protoDir = path.resolve(require.resolve('@grpc/reflection'), '../../proto');
  const client = standardClient(
    address,
    `grpc/reflection/${version}/reflection.proto`,
    protoDir,
    `grpc.reflection.${version}.ServerReflection`,
  );
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo() as grpc.ClientDuplexStream<object, Record<string, any>>;
    stream.on('data', (response) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.on('end', () => client.close());
    stream.write(request);
  });
}

describe('GrpcFrontend standard services', () => {
  let log: MemoryTransactionLog;
  let running: RunningGrpc;

  beforeEach(async () => {
    log = new MemoryTransactionLog();
    running = await startGrpc(await restoredStore(log), 60_000);
  });

  afterEach(async () => {
    log.release();
    await running.close();
  });

  it('reports SERVING for the server and for KeyValue once started, NOT_FOUND for other services', async () => {
    const health = healthClient(running.address);
    try {
      await expect(check(health, '')).resolves.toBe('SERVING');
      await expect(check(health, 'KeyValue')).resolves.toBe('SERVING');
      await expect(check(health, 'NoSuchService')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      health.close();
    }
  });

  it('tells health watchers NOT_SERVING when stop begins, then ends their streams so stop completes', async () => {
    const health = healthClient(running.address);
    const watch = health.Watch({ service: 'KeyValue' }) as grpc.ClientReadableStream<{ status: string }>;
    const seen: string[] = [];
    const ended = new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve));
    const firstUpdate = new Promise((resolve) => watch.once('data', resolve));
    watch.on('data', ({ status }) => seen.push(status));
    await firstUpdate;

    // The grace period is 60 s, longer than the test timeout: stop() must not wait on the watch.
    await running.frontend.stop();
    expect((await ended).code).toBe(grpc.status.OK);
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    health.close();
  });

  it('lets an in-flight write finish during stop, and accepts no new connections', async () => {
    log.holdAppends();
    const write = running.client.put('in-flight', 'v');
    await new Promise<void>((resolve) => {
      const poll = (): void => (log.events.length > 0 ? resolve() : void setImmediate(poll));
      poll();
    });
    const stopped = running.frontend.stop();
    log.release();
    await expect(write).resolves.toEqual({ revision: '1' });
    await stopped;

    const late = healthClient(running.address);
    await expect(check(late, '')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    late.close();
  });

  it('lists KeyValue, Health and the reflection services through reflection v1 and v1alpha', async () => {
    const expected = [
      'KeyValue',
      'Lease',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ];
    for (const version of ['v1', 'v1alpha'] as const) {
      const response = await reflect(running.address, version, { list_services: '' });
      const names = response.list_services_response.service.map((s: { name: string }) => s.name);
      expect([version, [...names].sort()]).toEqual([version, expected]);
    }
  });

  it('resolves the symbol KeyValue to a file descriptor that defines the service and its messages', async () => {
    const response = await reflect(running.address, 'v1', { file_containing_symbol: 'KeyValue' });
    expect(response.message_response).toBe('file_descriptor_response');
    const [file] = response.file_descriptor_response.file_descriptor_proto as Buffer[];
    const dataModel = ['Range', 'RangeRequest', 'DeleteRange', 'DeleteRangeRequest', 'Txn', 'TxnRequest', 'Compare'];
    for (const name of ['KeyValue', 'GetRequest', 'GetResponse', 'PutRequest', 'DeleteRequest', ...dataModel]) {
      expect([name, file.includes(name)]).toEqual([name, true]);
    }
  });
});

describe('GrpcFrontend shutdown deadline', () => {
  it('forces connections closed after the grace period; the write handed to the log still lands', async () => {
    const log = new MemoryTransactionLog();
    const store = await restoredStore(log);
    const running = await startGrpc(store, 100);
    log.holdAppends();
    const write = running.client.put('stuck', 'v');
    await new Promise<void>((resolve) => {
      const poll = (): void => (log.events.length > 0 ? resolve() : void setImmediate(poll));
      poll();
    });
    await running.frontend.stop();
    // The forced close resets the stream (CANCELLED) or drops the connection (UNAVAILABLE).
    const { status } = await write.then(
      () => ({ status: grpc.status.OK }),
      (error: { status: grpc.status }) => error,
    );
    expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE]).toContain(status);
    log.release();
    running.client.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.get('stuck')).toBe('v');
  });
});
