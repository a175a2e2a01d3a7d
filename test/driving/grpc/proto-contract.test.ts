import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_DIR = path.resolve(__dirname, '../../../proto');
const text = readFileSync(path.join(PROTO_DIR, 'keyvalue.proto'), 'utf8');
const definition = protoLoader.loadSync('keyvalue.proto', { includeDirs: [PROTO_DIR], keepCase: true });

interface Descriptor {
  field: { name: string; number: number }[];
  reservedRange: { start: number; end: number }[];
}
const message = (name: string): Descriptor => (definition[name] as unknown as { type: Descriptor }).type;
const numbers = (name: string): Record<string, number> =>
  Object.fromEntries(message(name).field.map((field) => [field.name, field.number]));

/** The wire contract of proto/keyvalue.proto's data model (issue 17), as the issue fixes it. */
describe('proto/keyvalue.proto', () => {
  it('keeps the field numbers the data-model issue fixes', () => {
    expect(numbers('GetResponse')).toMatchObject({
      value: 1,
      create_revision: 2,
      mod_revision: 3,
      version: 4,
      revision: 5,
    });
    expect(numbers('PutRequest')).toMatchObject({ key: 1, value: 2, expected_mod_revision: 3, require_exists: 5 });
    expect(numbers('PutResponse')).toEqual({ revision: 1 });
    expect(numbers('DeleteRequest')).toMatchObject({ key: 1, expected_mod_revision: 2, require_exists: 3 });
    expect(numbers('DeleteResponse')).toEqual({ revision: 1, deleted: 2 });
    expect(numbers('RangeRequest')).toMatchObject({
      prefix: 1,
      start_after: 2,
      limit: 3,
      keys_only: 4,
      start: 5,
      end: 6,
    });
    expect(numbers('RangeResponse')).toEqual({ entries: 1, revision: 2, next_start_after: 3, more: 4 });
    expect(numbers('Compare')).toEqual({ key: 1, target: 2, op: 3, number: 4, value: 5, exists: 6 });
    expect(numbers('RequestOp')).toEqual({ put: 1, delete: 2, get: 3 });
    expect(numbers('TxnRequest')).toEqual({ compare: 1, success: 2, failure: 3 });
    expect(numbers('TxnResponse')).toEqual({ succeeded: 1, revision: 2, results: 3 });
  });

  it('gives the read-consistency fields the numbers reserved for them: GetRequest 2, 3 and RangeRequest 7, 8', () => {
    expect(numbers('GetRequest')).toEqual({ key: 1, min_revision: 2, linearizable: 3 });
    expect(numbers('RangeRequest')).toMatchObject({ min_revision: 7, linearizable: 8 });
  });

  it("gives the TTL and lease fields new numbers only: expires_at_ms 6 and lease 7 in Entry and GetResponse, PutRequest's ttl_ms 4 and lease 6", () => {
    expect(numbers('Entry')).toEqual({
      key: 1,
      value: 2,
      create_revision: 3,
      mod_revision: 4,
      version: 5,
      expires_at_ms: 6,
      lease: 7,
    });
    expect(numbers('GetResponse')).toEqual({
      value: 1,
      create_revision: 2,
      mod_revision: 3,
      version: 4,
      revision: 5,
      expires_at_ms: 6,
      lease: 7,
    });
    expect(numbers('PutRequest')).toMatchObject({ ttl_ms: 4, lease: 6 });
  });

  it('offers Range, DeleteRange and Txn on KeyValue, with the book’s method names unchanged', () => {
    const service = definition.KeyValue as unknown as Record<string, { path: string }>;
    expect(Object.values(service).map((method) => method.path)).toEqual([
      '/KeyValue/Get',
      '/KeyValue/Put',
      '/KeyValue/Delete',
      '/KeyValue/Watch',
      '/KeyValue/Range',
      '/KeyValue/DeleteRange',
      '/KeyValue/Txn',
    ]);
  });

  it('names packages for generated code in Java, Go and C# without a proto package', () => {
    expect(text).toMatch(/^option java_package = "[a-z.]+";$/m);
    expect(text).toMatch(/^option java_multiple_files = true;$/m);
    expect(text).toMatch(/^option go_package = "[^"]+";$/m);
    expect(text).toMatch(/^option csharp_namespace = "[A-Za-z.]+";$/m);
    expect(text).not.toMatch(/^package /m);
  });

  it('comments every message, enum, field, value and RPC', () => {
    const lines = text.split('\n');
    const declaration =
      /^\s*(message |enum |service |rpc |oneof |(optional |repeated )?[\w.]+ \w+ = \d+;|[A-Z_]+ = \d+;)/;
    const uncommented = lines
      .map((line, i) => ({ line, previous: lines[i - 1] ?? '' }))
      .filter(({ line, previous }) => declaration.test(line) && !/^\s*\/\//.test(previous))
      .map(({ line }) => line.trim());
    expect(uncommented).toEqual([]);
  });
});
