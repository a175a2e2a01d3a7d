import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMessage, type DescService } from '@bufbuild/protobuf';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Message and service code generated from proto/keyvalue.proto by protoc (Debian's
 * protobuf-compiler) with protoc-gen-es, encoded by @bufbuild/protobuf: nothing is shared with
 * kvs's own stubs (proto-loader, protobufjs) but the proto file and the wire.
 */
function generateStubs(outDir: string): Record<string, DescMessage | DescService> {
  const plugin = path.join(ROOT, 'node_modules/.bin/protoc-gen-es');
  try {
    execFileSync('protoc', [
      `--plugin=protoc-gen-es=${plugin}`,
      `--es_out=${outDir}`,
      '--es_opt=target=js,js_import_style=legacy_commonjs',
      `-I${path.join(ROOT, 'proto')}`,
      'keyvalue.proto',
    ]);
  } catch (error) {
    throw new Error(`protoc failed (install the Debian package protobuf-compiler): ${(error as Error).message}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated at run time, CommonJS
  return require(path.join(outDir, 'keyvalue_pb.js')) as Record<string, DescMessage | DescService>;
}

/** A grpc-js client whose every method is described by the generated service descriptor alone. */
function clientOf(service: DescService, address: string): grpc.Client {
  const methods: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methods) {
    methods[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: (message: object) => Buffer.from(toBinary(method.input, message as never)),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: (message: object) => Buffer.from(toBinary(method.output, message as never)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
  }
  const Client = grpc.makeGenericClientConstructor(methods, service.typeName);
  return new Client(address, grpc.credentials.createInsecure());
}

/** What the generated WatchResponse decodes to (int64 fields are bigints). */
interface Response {
  revision: bigint;
  heartbeat: boolean;
  events: {
    type: number;
    entry?: { key: string; value: string; createRevision: bigint; modRevision: bigint; version: bigint };
    prevEntry?: { value: string };
  }[];
}

describe('a client generated independently from proto/keyvalue.proto (protoc + protoc-gen-es)', () => {
  let outDir: string;
  let stubs: Record<string, DescMessage | DescService>;
  let service: InProcessService;
  let client: grpc.Client;

  beforeAll(async () => {
    // Under node_modules, so that the generated module's require finds @bufbuild/protobuf.
    const cache = path.join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    outDir = mkdtempSync(path.join(cache, 'kvs-es-stubs-'));
    stubs = generateStubs(outDir);
    service = await startInProcessService({});
    client = clientOf(stubs.KeyValue as DescService, service.grpcAddress);
  });

  afterAll(async () => {
    client.close();
    await service.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  const message = (name: string, init: object) => create(stubs[`${name}Schema`] as DescMessage, init as never);

  function unary(method: 'Put' | 'Delete', request: object): Promise<void> {
    const call = (client as unknown as Record<string, (r: object, done: (error: Error | null) => void) => void>)[
      method
    ].bind(client);
    return new Promise((resolve, reject) => call(request, (error) => (error ? reject(error) : resolve())));
  }

  function watch(request: object): grpc.ClientReadableStream<Response> {
    return (client as unknown as Record<string, (r: object) => grpc.ClientReadableStream<Response>>).Watch(request);
  }

  it('watches: an opening heartbeat, then one response per revision with entries, versions and previous values', async () => {
    const start = BigInt(service.store.revision + 1);
    const stream = watch(message('WatchRequest', { prefix: 'ind/', prevValue: true }));
    const responses: Response[] = [];
    const changes = new Promise<void>((resolve, reject) => {
      stream.on('data', (response: Response) => {
        responses.push(response);
        if (responses.length === 4) resolve();
      });
      stream.on('error', reject);
    });
    // Once the heartbeat is in, the watch is live: the writes below belong to it.
    await new Promise((resolve) => stream.once('data', resolve));
    await unary('Put', message('PutRequest', { key: 'ind/a', value: '1' }));
    await unary('Put', message('PutRequest', { key: 'elsewhere', value: 'x' }));
    await unary('Put', message('PutRequest', { key: 'ind/a', value: '2' }));
    await unary('Delete', message('DeleteRequest', { key: 'ind/a' }));
    await changes;
    stream.cancel();
    const [opening, first, second, deleted] = responses;
    expect([opening.heartbeat, opening.revision, opening.events]).toEqual([true, start - 1n, []]);
    expect([first.heartbeat, first.revision]).toEqual([false, start]);
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({
      type: 0, // PUT
      entry: { key: 'ind/a', value: '1', createRevision: start, modRevision: start, version: 1n },
    });
    expect(first.events[0].prevEntry).toBeUndefined();
    expect(second.revision).toBe(start + 2n);
    expect(second.events[0]).toMatchObject({
      type: 0,
      entry: { value: '2', createRevision: start, modRevision: start + 2n, version: 2n },
      prevEntry: { value: '1' },
    });
    expect(deleted.revision).toBe(start + 3n);
    expect(deleted.events[0]).toMatchObject({ type: 1, entry: { key: 'ind/a', modRevision: start + 3n } }); // DELETE
  });

  it('fails a compacted start with OUT_OF_RANGE, kvs-error-code REVISION_COMPACTED and kvs-compact-revision', async () => {
    await unary('Put', message('PutRequest', { key: 'ind/b', value: 'v' }));
    service.watches.service.hub.compact(service.store.revision);
    const stream = watch(message('WatchRequest', { prefix: '', startRevision: 1n }));
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('data', () => undefined);
      stream.on('error', resolve);
    });
    expect(error.code).toBe(grpc.status.OUT_OF_RANGE);
    expect(error.metadata.get('kvs-error-code')).toEqual(['REVISION_COMPACTED']);
    expect(error.metadata.get('kvs-compact-revision')).toEqual([String(service.store.revision)]);
  });
});
