import {
  InvalidRequestError,
  LogUnavailableError,
  MAX_TXN_OPS,
  PreconditionFailedError,
  QuotaExceededError,
  type KeyValueStore,
  type TxnOp,
} from '../../src/core';
import { HOSTILE_STRINGS } from '../support/hostile-strings';
import { MemoryTransactionLog, restoredStore } from '../support/memory-transaction-log';

async function newStore(maxDataBytes?: number): Promise<{ store: KeyValueStore; log: MemoryTransactionLog }> {
  const log = new MemoryTransactionLog();
  const store = await restoredStore(log, { maxKeyBytes: 1024, maxValueBytes: 1024 * 1024, maxDataBytes });
  return { store, log };
}

describe('revisions', () => {
  it('raises the store revision by one per write, and keeps create_revision, mod_revision and version per key', async () => {
    const { store } = await newStore();
    expect(store.revision).toBe(0);
    expect((await store.put('a', '1')).entry).toEqual({
      key: 'a',
      value: '1',
      createRevision: 1,
      modRevision: 1,
      version: 1,
    });
    await store.put('b', 'x');
    expect((await store.put('a', '2')).entry).toEqual({
      key: 'a',
      value: '2',
      createRevision: 1,
      modRevision: 3,
      version: 2,
    });
    expect(await store.delete('a')).toEqual({ revision: 4, deleted: true });
    // A delete of an absent key writes nothing and raises nothing.
    expect(await store.delete('a')).toEqual({ revision: 4, deleted: false });
    // A re-created key starts a new generation.
    expect((await store.put('a', '3')).entry).toEqual({
      key: 'a',
      value: '3',
      createRevision: 5,
      modRevision: 5,
      version: 1,
    });
    expect(store.revision).toBe(5);
    expect(store.read('b')).toEqual({
      revision: 5,
      entry: { key: 'b', value: 'x', createRevision: 2, modRevision: 2, version: 1 },
    });
  });

  it('gives a refused write’s revision to the next write: revisions have no gaps', async () => {
    const { store, log } = await newStore();
    await store.put('a', '1');
    log.failNext(3);
    await Promise.all(
      [store.put('b', '1'), store.put('c', '1'), store.put('d', '1')].map((p) => p.catch(() => undefined)),
    );
    expect(store.revision).toBe(1);
    expect((await store.put('e', '1')).revision).toBe(2);
    expect(log.events.map((record) => record.revision)).toEqual([1, 2]);
  });

  it('pipelines plain puts to one key in call order, each version one above the last', async () => {
    const { store, log } = await newStore();
    log.holdAppends();
    const puts = [1, 2, 3, 4].map((i) => store.put('k', `${i}`));
    log.release();
    const results = await Promise.all(puts);
    expect(results.map((r) => [r.revision, r.entry.version, r.entry.createRevision])).toEqual([
      [1, 1, 1],
      [2, 2, 1],
      [3, 3, 1],
      [4, 4, 1],
    ]);
    expect(store.get('k')).toBe('4');
  });
});

describe('conditional writes', () => {
  it('writes only when the expected mod_revision, absence or presence holds, and says the current mod_revision otherwise', async () => {
    const { store, log } = await newStore();
    const created = await store.put('k', 'v1', { modRevision: 0 });
    await expect(store.put('k', 'again', { modRevision: 0 })).rejects.toEqual(new PreconditionFailedError('k', 1));
    await expect(store.put('k', 'v2', { modRevision: 7 })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      currentModRevision: 1,
    });
    const updated = await store.put('k', 'v2', { modRevision: created.revision });
    expect(updated.entry.version).toBe(2);
    await expect(store.put('absent', 'v', { exists: true })).rejects.toMatchObject({ currentModRevision: 0 });
    await expect(store.put('k', 'v', { exists: false })).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(store.delete('k', { modRevision: 1 })).rejects.toMatchObject({ currentModRevision: 2 });
    await expect(store.delete('absent', { exists: true })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await store.delete('k', { modRevision: 2 })).toEqual({ revision: 3, deleted: true });
    expect(log.events).toHaveLength(3);
  });

  it('decides against durable state: a conditional write waits for the write ahead of it on its key', async () => {
    const { store, log } = await newStore();
    await store.put('k', 'v1');
    log.holdAppends();
    const plain = store.put('k', 'v2');
    const conditional = store.put('k', 'v3', { modRevision: 2 });
    await Promise.resolve();
    expect(log.events).toHaveLength(2);
    log.release();
    await plain;
    await Promise.resolve();
    log.release();
    expect((await conditional).entry).toMatchObject({ value: 'v3', version: 3 });
  });

  it('never answers from a write that then fails', async () => {
    const { store, log } = await newStore();
    await store.put('k', 'v1');
    log.failNext();
    log.holdAppends();
    const failing = store.delete('k');
    const check = store.put('k', 'v2', { exists: true });
    log.release();
    await expect(failing).rejects.toBeInstanceOf(LogUnavailableError);
    log.release();
    // The delete failed, so the key is still there and the condition holds.
    expect((await check).entry).toMatchObject({ value: 'v2', version: 2 });
  });
});

describe('range', () => {
  it('pages through keys in UTF-8 byte order with start_after, prefix, start/end, limit and keys_only', async () => {
    const { store } = await newStore();
    const keys = ['a/1', 'a/2', 'a/3', 'b', '\uffff', '😀', 'a0'];
    for (const key of keys) await store.put(key, `value of ${key}`);
    const all = store.range({ limit: 1000 });
    expect(all.entries.map((e) => e.key)).toEqual(['a/1', 'a/2', 'a/3', 'a0', 'b', '\uffff', '😀']);
    expect(all).toMatchObject({ revision: 7, more: false, nextStartAfter: undefined });

    const first = store.range({ prefix: 'a/', limit: 2 });
    expect(first.entries.map((e) => e.key)).toEqual(['a/1', 'a/2']);
    expect(first).toMatchObject({ more: true, nextStartAfter: 'a/2' });
    const second = store.range({ prefix: 'a/', limit: 2, startAfter: first.nextStartAfter });
    expect(second.entries.map((e) => e.key)).toEqual(['a/3']);
    expect(second.more).toBe(false);

    expect(store.range({ start: 'a0', end: '😀' }).entries.map((e) => e.key)).toEqual(['a0', 'b', '\uffff']);
    expect(store.range({ start: 'b', keysOnly: true }).entries).toEqual([
      { key: 'b', value: '', createRevision: 4, modRevision: 4, version: 1 },
      { key: '\uffff', value: '', createRevision: 5, modRevision: 5, version: 1 },
      { key: '😀', value: '', createRevision: 6, modRevision: 6, version: 1 },
    ]);
    // A start_after before the range's start does not widen it.
    expect(store.range({ prefix: 'b', startAfter: 'a' }).entries.map((e) => e.key)).toEqual(['b']);
  });

  it('refuses bad selectors and limits', async () => {
    const { store } = await newStore();
    expect(() => store.range({ prefix: 'a', start: 'b' })).toThrow(InvalidRequestError);
    expect(() => store.range({ limit: 0 })).toThrow(InvalidRequestError);
    expect(() => store.range({ limit: 1001 })).toThrow(InvalidRequestError);
    expect(() => store.range({ limit: 1000 })).not.toThrow();
    expect(() => store.range({ start: 'x\ud800' })).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });

  it('returns every hostile key once, in UTF-8 byte order, through pages of 3', async () => {
    const { store } = await newStore();
    const keys = [
      ...new Set(HOSTILE_STRINGS.filter((s) => s.length > 0 && s.isWellFormed() && Buffer.byteLength(s) <= 1024)),
    ];
    for (const key of keys) await store.put(key, 'v');
    const seen: string[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = store.range({ limit: 3, startAfter });
      seen.push(...page.entries.map((e) => e.key));
      if (!page.more) break;
      startAfter = page.nextStartAfter;
    }
    const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(seen).toEqual(expected);
  });
});

describe('delete range', () => {
  it('deletes every key of a prefix in one revision and one log record', async () => {
    const { store, log } = await newStore();
    for (const key of ['p/1', 'p/2', 'p/3', 'q']) await store.put(key, 'v');
    expect(await store.deleteRange({ prefix: 'p/' })).toEqual({ revision: 5, deleted: 3 });
    expect(log.events.at(-1)).toEqual({
      revision: 5,
      writes: ['p/1', 'p/2', 'p/3'].map((key) => ({ type: 'delete', key })),
    });
    expect(await store.deleteRange({ prefix: 'p/' })).toEqual({ revision: 5, deleted: 0 });
    expect(await store.deleteRange({ start: 'a', end: 'r' })).toEqual({ revision: 6, deleted: 1 });
    expect(store.size).toBe(0);
  });
});

describe('txn', () => {
  it('runs the success branch when every compare holds, in one revision and one record, gets seeing earlier ops', async () => {
    const { store, log } = await newStore();
    await store.put('balance', '10');
    await store.put('other', 'x');
    const result = await store.txn({
      compare: [
        { key: 'balance', target: 'modRevision', op: '==', operand: 1 },
        { key: 'balance', target: 'value', op: '==', operand: '10' },
        { key: 'other', target: 'version', op: '<', operand: 2 },
        { key: 'missing', target: 'exists', op: '==', operand: false },
        { key: 'missing', target: 'createRevision', op: '==', operand: 0 },
      ],
      success: [
        { type: 'put', key: 'balance', value: '5' },
        { type: 'get', key: 'balance' },
        { type: 'delete', key: 'other' },
        { type: 'delete', key: 'missing' },
        { type: 'put', key: 'new', value: 'n' },
      ],
      failure: [{ type: 'put', key: 'failed', value: 'yes' }],
    });
    expect(result).toEqual({
      succeeded: true,
      revision: 3,
      results: [
        { type: 'put', revision: 3 },
        { type: 'get', entry: { key: 'balance', value: '5', createRevision: 1, modRevision: 3, version: 2 } },
        { type: 'delete', deleted: true },
        { type: 'delete', deleted: false },
        { type: 'put', revision: 3 },
      ],
    });
    expect(log.events).toHaveLength(3);
    expect(log.events[2].writes).toHaveLength(3);
    expect(store.revision).toBe(3);
  });

  it('runs the failure branch when a compare fails; one that only reads writes nothing', async () => {
    const { store, log } = await newStore();
    await store.put('k', 'v');
    const result = await store.txn({
      compare: [{ key: 'k', target: 'value', op: '>', operand: 'w' }],
      success: [{ type: 'delete', key: 'k' }],
      failure: [
        { type: 'get', key: 'k' },
        { type: 'get', key: 'absent' },
      ],
    });
    expect(result).toEqual({
      succeeded: false,
      revision: 1,
      results: [
        { type: 'get', entry: { key: 'k', value: 'v', createRevision: 1, modRevision: 1, version: 1 } },
        { type: 'get', entry: undefined },
      ],
    });
    expect(log.events).toHaveLength(1);
  });

  it('refuses more than 128 ops a branch, a key written twice in a branch, and bad compares, before logging', async () => {
    const { store, log } = await newStore();
    const many: TxnOp[] = Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => ({ type: 'put', key: `k${i}`, value: '' }));
    await expect(store.txn({ compare: [], success: many, failure: [] })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(store.txn({ compare: [], success: many.slice(0, MAX_TXN_OPS), failure: [] })).resolves.toMatchObject({
      revision: 1,
    });
    const twice: TxnOp[] = [
      { type: 'put', key: 'a', value: '1' },
      { type: 'delete', key: 'a' },
    ];
    await expect(store.txn({ compare: [], success: twice, failure: [] })).rejects.toThrow(/same key twice/);
    for (const compare of [
      { key: 'a', target: 'exists', op: '<', operand: true },
      { key: 'a', target: 'version', op: '==', operand: 'one' },
      { key: 'a', target: 'value', op: '==', operand: 1 },
      { key: 'a', target: 'colour', op: '==', operand: 1 },
    ] as const) {
      await expect(store.txn({ compare: [compare as never], success: [], failure: [] })).rejects.toBeInstanceOf(
        InvalidRequestError,
      );
    }
    expect(log.events).toHaveLength(1);
  });

  it('writes nothing of a transaction whose record the log refuses', async () => {
    const { store, log } = await newStore();
    log.failNext();
    const ops: TxnOp[] = [
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
    ];
    await expect(store.txn({ compare: [], success: ops, failure: [] })).rejects.toBeInstanceOf(LogUnavailableError);
    expect(store.size).toBe(0);
    expect(store.revision).toBe(0);
  });
});

describe('data quota', () => {
  it('refuses writes that would take the live data past the quota, and always allows deletes and shrinking', async () => {
    const { store, log } = await newStore(20);
    await store.put('k1', 'x'.repeat(8)); // 10 bytes
    await store.put('k2', 'y'.repeat(8)); // 20 bytes
    expect(store.dataBytes).toBe(20);
    await expect(store.put('k3', '')).rejects.toBeInstanceOf(QuotaExceededError);
    await expect(store.put('k1', 'x'.repeat(9))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await store.put('k1', 'x'); // shrinks to 3 bytes
    expect(store.dataBytes).toBe(13);
    await expect(
      store.txn({ compare: [], success: [{ type: 'put', key: 'k3', value: 'z'.repeat(10) }], failure: [] }),
    ).rejects.toBeInstanceOf(QuotaExceededError);
    // A transaction that frees as much as it adds fits.
    await store.txn({
      compare: [],
      success: [
        { type: 'delete', key: 'k2' },
        { type: 'put', key: 'k3', value: 'z'.repeat(15) },
      ],
      failure: [],
    });
    expect(store.dataBytes).toBe(20);
    await store.deleteRange({ prefix: 'k' });
    expect(store.dataBytes).toBe(0);
    expect(log.events.map((record) => record.revision)).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts UTF-8 bytes and the writes still in flight', async () => {
    const { store, log } = await newStore(12);
    log.holdAppends();
    const first = store.put('é', '🔑'); // 2 + 4
    const second = store.put('ü', '🔑'); // 2 + 4: exactly the quota with the first one in flight
    await expect(store.put('a', 'b')).rejects.toBeInstanceOf(QuotaExceededError);
    log.release();
    await Promise.all([first, second]);
    expect(store.dataBytes).toBe(12);
  });
});
