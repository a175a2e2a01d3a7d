import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { MemoryTransactionLog, restoredStore } from '../../support/memory-transaction-log';
import { startGrpc, type RunningGrpc } from './grpc-driver';

/** A unary method of a client made from a proto we know nothing about but its names. */
type UnaryMethod = (request: object, callback: (error: grpc.ServiceError | null, response?: object) => void) => void;

describe("a client generated from the book's proto", () => {
  let running: RunningGrpc;
  let foreign: grpc.Client;

  beforeAll(async () => {
    running = await startGrpc(await restoredStore(new MemoryTransactionLog()));
    // Loaded with proto-loader's defaults, not ours: nothing is shared with kvs but the wire.
    const definition = protoLoader.loadSync(path.join(__dirname, '../../fixtures/book-keyvalue.proto'));
    const KeyValue = grpc.loadPackageDefinition(definition).KeyValue as grpc.ServiceClientConstructor;
    foreign = new KeyValue(running.address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    foreign.close();
    await running.close();
  });

  function call(method: 'Get' | 'Put' | 'Delete', request: object): Promise<object> {
    const unary = (foreign as unknown as Record<string, UnaryMethod>)[method].bind(foreign);
    return new Promise((resolve, reject) =>
      unary(request, (error, response) => (error ? reject(error) : resolve(response ?? {}))),
    );
  }

  it('uses the full method names /KeyValue/Get, /KeyValue/Put and /KeyValue/Delete', () => {
    const service = (foreign.constructor as grpc.ServiceClientConstructor).service;
    expect(
      Object.values(service)
        .map((method) => method.path)
        .sort(),
    ).toEqual(['/KeyValue/Delete', '/KeyValue/Get', '/KeyValue/Put']);
  });

  it('round-trips put, get and delete', async () => {
    await expect(call('Put', { key: 'book', value: 'Cloud Native Go 🐹' })).resolves.toEqual({});
    await expect(call('Get', { key: 'book' })).resolves.toEqual({ value: 'Cloud Native Go 🐹' });
    await expect(call('Delete', { key: 'book' })).resolves.toEqual({});
    await expect(call('Get', { key: 'book' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('gets INVALID_ARGUMENT, not UNKNOWN, for an empty key', async () => {
    await expect(call('Put', { key: '', value: 'v' })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});
