import * as grpc from '@grpc/grpc-js';
import { loadKeyValuePackage } from '../../../src/api/keyvalue-proto';
import type { KeyValueClient } from '../../../src/api/generated/KeyValue';
import type { TxnRequest } from '../../../src/api/generated/TxnRequest';
import { KvsClientError } from '../../../src/client/kvs-client';
import { MemoryTransactionLog, restoredStore } from '../../support/memory-transaction-log';
import { rawClient, rawUnary } from '../../support/grpc-raw';
import { startGrpc, type RunningGrpc } from './grpc-driver';

/** The failure of a call, as the typed client reports it. */
async function failure(
  call: Promise<unknown>,
): Promise<Pick<KvsClientError, 'status' | 'code' | 'currentModRevision'>> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof KvsClientError)) throw error;
    return { status: error.status, code: error.code, currentModRevision: error.currentModRevision };
  }
  throw new Error('the call succeeded');
}

const invalid = { status: grpc.status.INVALID_ARGUMENT, code: 'INVALID_REQUEST', currentModRevision: undefined };
const precondition = (current: number) => ({
  status: grpc.status.FAILED_PRECONDITION,
  code: 'PRECONDITION_FAILED',
  currentModRevision: current,
});

describe('gRPC data model v2: revisions, conditional writes, Range, DeleteRange, Txn', () => {
  let log: MemoryTransactionLog;
  let running: RunningGrpc;
  let raw: grpc.Client;
  let stub: KeyValueClient;

  beforeEach(async () => {
    log = new MemoryTransactionLog();
    running = await startGrpc(await restoredStore(log));
    raw = rawClient(running.address);
    stub = new (loadKeyValuePackage().KeyValue)(running.address, grpc.credentials.createInsecure());
  });

  afterEach(async () => {
    raw.close();
    stub.close();
    await running.close();
  });

  it('answers revisions on Get, Put and Delete', async () => {
    const { client } = running;
    expect(await client.put('a', '1')).toEqual({ revision: '1' });
    expect(await client.put('a', '2')).toEqual({ revision: '2' });
    await client.put('b', 'x');
    expect(await client.getEntry('a')).toEqual({
      key: 'a',
      value: '2',
      createRevision: 1,
      modRevision: 2,
      version: 2,
      revision: 3,
    });
    expect(await client.delete('a')).toEqual({ revision: '4', deleted: true });
    expect(await client.delete('a')).toEqual({ revision: '4', deleted: false });
    await client.put('a', 'again');
    expect(await client.getEntry('a')).toMatchObject({ createRevision: 5, modRevision: 5, version: 1 });
  });

  it('writes conditionally; a failed expectation is FAILED_PRECONDITION with the current mod_revision and changes nothing', async () => {
    const { client } = running;
    expect(await client.put('k', 'created', { ifRevision: 0 })).toEqual({ revision: '1' });
    expect(await failure(client.put('k', 'again', { ifRevision: 0 }))).toEqual(precondition(1));
    expect(await client.put('k', 'next', { ifRevision: 1 })).toEqual({ revision: '2' });
    expect(await failure(client.put('k', 'stale', { ifRevision: 1 }))).toEqual(precondition(2));
    expect(await failure(client.put('absent', 'v', { ifExists: true }))).toEqual(precondition(0));
    expect(await client.put('k', 'present', { ifExists: true })).toEqual({ revision: '3' });
    expect(await failure(client.delete('k', { ifRevision: 2 }))).toEqual(precondition(3));
    expect(await failure(client.delete('absent', { ifExists: true }))).toEqual(precondition(0));
    expect(await client.delete('k', { ifRevision: 3 })).toEqual({ revision: '4', deleted: true });
    expect(log.events.map((record) => record.revision)).toEqual([1, 2, 3, 4]);
    expect(await failure(client.put('k', 'v', { ifRevision: 0, ifExists: true }))).toEqual(invalid);
  });

  it('sends PRECONDITION_FAILED and kvs-mod-revision as trailing metadata', async () => {
    await running.client.put('k', 'v');
    const error = await new Promise<grpc.ServiceError>((resolve) =>
      stub.Put({ key: 'k', value: 'w', expected_mod_revision: 7 }, (e) => resolve(e!)),
    );
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.metadata.get('kvs-error-code')).toEqual(['PRECONDITION_FAILED']);
    expect(error.metadata.get('kvs-mod-revision')).toEqual(['1']);
  });

  it('refuses a negative or oversized expected_mod_revision as INVALID_REQUEST', async () => {
    for (const expected of ['-1', '9223372036854775807']) {
      const error = await new Promise<grpc.ServiceError>((resolve) =>
        stub.Put({ key: 'k', value: 'w', expected_mod_revision: expected }, (e) => resolve(e!)),
      );
      expect([expected, error.code, error.metadata.get('kvs-error-code')]).toEqual([
        expected,
        grpc.status.INVALID_ARGUMENT,
        ['INVALID_REQUEST'],
      ]);
    }
    expect(log.events).toEqual([]);
  });

  it('pages through a prefix and a start/end range in UTF-8 byte order, keys only on request', async () => {
    const { client } = running;
    for (const key of ['p/c', 'p/a', 'q', 'p/b', 'p/d', 'o']) await client.put(key, `v:${key}`);
    const first = await client.range({ prefix: 'p/', limit: 3 });
    expect(first.entries.map((entry) => entry.key)).toEqual(['p/a', 'p/b', 'p/c']);
    expect(first).toMatchObject({ more: true, nextStartAfter: 'p/c', revision: 6 });
    expect(first.entries[0]).toEqual({ key: 'p/a', value: 'v:p/a', createRevision: 2, modRevision: 2, version: 1 });
    const second = await client.range({ prefix: 'p/', limit: 3, startAfter: first.nextStartAfter });
    expect(second.entries.map((entry) => entry.key)).toEqual(['p/d']);
    expect(second).toMatchObject({ more: false, nextStartAfter: undefined });
    const range = await client.range({ start: 'o', end: 'p/c', keysOnly: true });
    expect(range.entries.map(({ key, value }) => [key, value])).toEqual([
      ['o', ''],
      ['p/a', ''],
      ['p/b', ''],
    ]);
    expect((await client.range()).entries).toHaveLength(6);
    expect((await client.range({ start: 'p/b' })).entries.map((entry) => entry.key)).toEqual([
      'p/b',
      'p/c',
      'p/d',
      'q',
    ]);
  });

  it('refuses malformed ranges as INVALID_REQUEST', async () => {
    const { client } = running;
    expect(await failure(client.range({ prefix: 'p', start: 'a' }))).toEqual(invalid);
    expect(await failure(client.range({ limit: 1001 }))).toEqual(invalid);
    expect(await failure(client.range({ limit: -1 }))).toEqual(invalid);
    expect(await failure(client.range({ start: 'x'.repeat(2000) }))).toMatchObject({ code: 'KEY_TOO_LARGE' });
  });

  it('deletes a prefix, a range or everything in one revision each', async () => {
    const { client } = running;
    for (const key of ['a/1', 'a/2', 'b/1', 'c', 'd']) await client.put(key, 'v');
    expect(await client.deleteRange({ prefix: 'a/' })).toEqual({ revision: 6, deleted: 2 });
    expect(await client.deleteRange({ prefix: 'a/' })).toEqual({ revision: 6, deleted: 0 });
    expect(await client.deleteRange({ start: 'b', end: 'd' })).toEqual({ revision: 7, deleted: 2 });
    expect(await failure(client.deleteRange({}))).toEqual(invalid);
    expect(await failure(client.deleteRange({ all: true, prefix: 'd' }))).toEqual(invalid);
    expect(await failure(client.deleteRange({ prefix: 'd', end: 'e' }))).toEqual(invalid);
    expect(await client.deleteRange({ all: true })).toEqual({ revision: 8, deleted: 1 });
    expect((await client.range()).entries).toEqual([]);
    expect(log.events.at(-1)?.writes).toEqual([{ type: 'delete', key: 'd' }]);
  });

  it('runs a transaction: compares decide the branch, gets see earlier writes, writes share one revision', async () => {
    const { client } = running;
    await client.put('balance', '10');
    const transfer: TxnRequest = {
      compare: [
        { key: 'balance', target: 'VALUE', op: 'EQUAL', value: '10' },
        { key: 'balance', target: 'MOD_REVISION', op: 'EQUAL', number: 1 },
        { key: 'ledger', target: 'EXISTS', op: 'EQUAL', exists: false },
      ],
      success: [
        { put: { key: 'balance', value: '7' } },
        { put: { key: 'ledger', value: '-3' } },
        { get: { key: 'ledger' } },
        { delete: { key: 'absent' } },
      ],
      failure: [{ get: { key: 'balance' } }],
    };
    const done = await client.txn(transfer);
    expect(done).toMatchObject({ succeeded: true, revision: '2' });
    expect(done.results.map((result) => result.response)).toEqual(['put', 'put', 'get', 'delete']);
    expect(done.results[2].get).toMatchObject({ value: '-3', mod_revision: '2', version: '1' });
    expect(done.results[3].delete).toMatchObject({ deleted: false });
    expect(log.events.at(-1)).toMatchObject({ revision: 2, writes: [{ key: 'balance' }, { key: 'ledger' }] });

    const again = await client.txn(transfer);
    expect(again).toMatchObject({ succeeded: false, revision: '2' });
    expect(again.results[0].get).toMatchObject({ value: '7', mod_revision: '2', create_revision: '1' });
    const absent = await client.txn({ success: [{ get: { key: 'nothing' } }] });
    expect(absent.results[0].get).toMatchObject({ value: '', mod_revision: '0' });
    expect(log.events).toHaveLength(2);
  });

  it('refuses malformed transactions as INVALID_REQUEST and changes nothing', async () => {
    const { client } = running;
    const put = (key: string) => ({ put: { key, value: 'v' } });
    const cases: TxnRequest[] = [
      { success: Array.from({ length: 129 }, (_, i) => put(`k${i}`)) },
      { failure: Array.from({ length: 129 }, (_, i) => put(`k${i}`)) },
      { compare: Array.from({ length: 129 }, () => ({ key: 'k', target: 'VERSION', op: 'EQUAL', number: 0 })) },
      { success: [put('same'), put('same')] },
      { compare: [{ key: 'k', op: 'EQUAL', number: 1 }] },
      { compare: [{ key: 'k', target: 'VERSION', number: 1 }] },
      { compare: [{ key: 'k', target: 'VERSION', op: 'EQUAL' }] },
      { compare: [{ key: 'k', target: 'VERSION', op: 'EQUAL', value: 'text' }] },
      { compare: [{ key: 'k', target: 'VERSION', op: 'LESS', number: -1 }] },
      { compare: [{ key: 'k', target: 'EXISTS', op: 'LESS', exists: true }] },
      { success: [{}] },
      { success: [{ put: { key: 'k', value: 'v', expected_mod_revision: 0 } }] },
      { success: [{ delete: { key: 'k', require_exists: true } }] },
    ];
    for (const [i, txn] of cases.entries()) expect([i, await failure(client.txn(txn))]).toEqual([i, invalid]);
    expect(await failure(client.txn({ success: [put('')] }))).toMatchObject({ code: 'INVALID_KEY' });
    // Exactly 128 ops per branch is allowed.
    const full = await client.txn({ success: Array.from({ length: 128 }, (_, i) => put(`k${i}`)) });
    expect(full).toMatchObject({ succeeded: true, revision: '1' });
    expect(log.events).toHaveLength(1);
  });

  it('refuses invalid UTF-8 inside a transaction message as INVALID_KEY / INVALID_VALUE, storing nothing', async () => {
    const bad = Buffer.from([0x6b, 0xff]);
    const field = (number: number, payload: Buffer) =>
      Buffer.concat([Buffer.from([(number << 3) | 2, payload.length]), payload]);
    const putOp = (key: Buffer, value: Buffer) => field(2, field(1, Buffer.concat([field(1, key), field(2, value)])));
    expect(await rawUnary(raw, '/KeyValue/Txn', putOp(bad, Buffer.from('v')))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      errorCode: 'INVALID_KEY',
    });
    expect(await rawUnary(raw, '/KeyValue/Txn', putOp(Buffer.from('k'), bad))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      errorCode: 'INVALID_VALUE',
    });
    const compare = field(1, Buffer.concat([field(1, bad), Buffer.from([0x10, 0x05, 0x18, 0x01, 0x30, 0x01])]));
    expect(await rawUnary(raw, '/KeyValue/Txn', compare)).toMatchObject({ errorCode: 'INVALID_KEY' });
    expect(await rawUnary(raw, '/KeyValue/Range', field(1, bad))).toMatchObject({ errorCode: 'INVALID_KEY' });
    expect(await rawUnary(raw, '/KeyValue/DeleteRange', field(3, bad))).toMatchObject({ errorCode: 'INVALID_KEY' });
    // The same bytes with valid UTF-8 go through.
    expect(await rawUnary(raw, '/KeyValue/Txn', putOp(Buffer.from('k'), Buffer.from('v')))).toMatchObject({
      code: grpc.status.OK,
    });
    expect(log.events).toHaveLength(1);
  });
});
