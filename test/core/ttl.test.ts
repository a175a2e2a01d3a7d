import {
  InvalidRequestError,
  KeyValueStore,
  LogUnavailableError,
  NoSuchKeyError,
  type ChangeBatch,
} from '../../src/core';
import { ManualClock, MemoryTransactionLog } from '../support/memory-transaction-log';

async function ttlStore(log = new MemoryTransactionLog(), clock = new ManualClock()) {
  const batches: ChangeBatch[] = [];
  const limits = { maxKeyBytes: 1024, maxValueBytes: 1024, maxTtlMs: 3_600_000 };
  const store = new KeyValueStore(log, limits, (batch) => batches.push(batch), clock);
  await store.restore();
  return { store, log, clock, batches };
}

describe('TTL in the core', () => {
  it('gives a put an absolute deadline and hides the key on every read path once it passes, before its expiry is logged', async () => {
    const { store, clock, log } = await ttlStore();
    const { entry } = await store.put('a', '1', undefined, { ttlMs: 1000 });
    expect(entry.expiresAt).toBe(clock.time + 1000);
    await store.put('b', '2');
    clock.advance(999);
    expect(store.get('a')).toBe('1');
    expect(store.range({ prefix: '' }).entries.map((e) => e.key)).toEqual(['a', 'b']);
    clock.advance(1);
    expect(() => store.get('a')).toThrow(NoSuchKeyError);
    expect(store.read('a').entry).toBeUndefined();
    expect(store.range({ prefix: '' }).entries.map((e) => e.key)).toEqual(['b']);
    const txn = await store.txn({
      compare: [{ key: 'a', target: 'exists', op: '==', operand: false }],
      success: [{ type: 'get', key: 'a' }],
      failure: [],
    });
    expect(txn.succeeded).toBe(true);
    expect(txn.results).toEqual([{ type: 'get', entry: undefined }]);
    // Nothing logged yet: invisibility does not wait for the delete.
    expect(log.events.at(-1)?.writes).toEqual([{ type: 'put', key: 'b', value: '2', createRevision: 2, version: 1 }]);
    // A delete of an expired key answers "not there" and writes nothing; the expiry will.
    expect(await store.delete('a')).toEqual({ revision: 2, deleted: false });
    expect(await store.deleteRange({ prefix: 'a' })).toEqual({ revision: 2, deleted: 0 });
  });

  it('logs an expiry as a delete with its own revision, which watchers see', async () => {
    const { store, clock, log, batches } = await ttlStore();
    await store.put('a', '1', undefined, { ttlMs: 10 });
    await store.put('b', '2', undefined, { ttlMs: 10 });
    await store.put('c', '3', undefined, { ttlMs: 20 });
    expect(await store.expireDue()).toBe(0);
    clock.advance(10);
    expect(await store.expireDue()).toBe(2);
    expect(log.events.at(-1)).toEqual({
      revision: 4,
      writes: [
        { type: 'delete', key: 'a' },
        { type: 'delete', key: 'b' },
      ],
    });
    expect(batches.at(-1)?.events.map((e) => [e.type, e.entry.key, e.previous?.value])).toEqual([
      ['delete', 'a', '1'],
      ['delete', 'b', '2'],
    ]);
    expect(store.size).toBe(1);
    expect(store.expiryStats.keysWithTtl).toBe(1);
    clock.advance(10);
    expect(await store.expireDue()).toBe(1);
    expect(store.revision).toBe(5);
    expect(await store.expireDue()).toBe(0);
  });

  it('expires in bounded batches: one record of at most the batch size each', async () => {
    const { store, clock, log } = await ttlStore();
    for (let i = 0; i < 25; i++) await store.put(`k${i}`, 'v', undefined, { ttlMs: 5 });
    clock.advance(5);
    expect(await store.expireDue(10)).toBe(10);
    expect(await store.expireDue(10)).toBe(10);
    expect(await store.expireDue(10)).toBe(5);
    expect(log.events.slice(-3).map((record) => record.writes.length)).toEqual([10, 10, 5]);
    expect(store.size).toBe(0);
  });

  it('a put without a TTL clears the deadline, a put with one replaces it', async () => {
    const { store, clock } = await ttlStore();
    await store.put('a', '1', undefined, { ttlMs: 10 });
    await store.put('a', '2');
    clock.advance(10);
    expect(await store.expireDue()).toBe(0);
    expect(store.getEntry('a')).toEqual({ key: 'a', value: '2', createRevision: 1, modRevision: 2, version: 2 });
    await store.put('a', '3', undefined, { ttlMs: 100 });
    await store.put('a', '4', undefined, { ttlMs: 1000 });
    clock.advance(100);
    expect(await store.expireDue()).toBe(0);
    expect(store.get('a')).toBe('4');
    clock.advance(900);
    expect(await store.expireDue()).toBe(1);
    expect(store.read('a').entry).toBeUndefined();
  });

  it('a put landing while an expiry of the same key is in flight survives it', async () => {
    const { store, clock, log } = await ttlStore();
    await store.put('a', 'old', undefined, { ttlMs: 10 });
    clock.advance(10);
    log.holdAppends();
    const expiry = store.expireDue();
    const put = store.put('a', 'new');
    log.release();
    expect(await expiry).toBe(1);
    await put;
    expect(store.getEntry('a')).toMatchObject({ value: 'new', version: 1, createRevision: 3 });
    expect(store.getEntry('a').expiresAt).toBeUndefined();
  });

  it('an expiry decided after a new put of the key leaves the new generation alone', async () => {
    const { store, clock, log } = await ttlStore();
    await store.put('a', 'old', undefined, { ttlMs: 10 });
    log.holdAppends();
    const put = store.put('a', 'new', undefined, { ttlMs: 1000 });
    clock.advance(10);
    // The expiry waits for the pending put, then finds another generation.
    const expiry = store.expireDue();
    log.release();
    await put;
    expect(await expiry).toBe(0);
    expect(store.get('a')).toBe('new');
  });

  it('a put on a key past its deadline starts a new generation', async () => {
    const { store, clock } = await ttlStore();
    await store.put('a', '1', undefined, { ttlMs: 10 });
    clock.advance(10);
    await expect(store.put('a', 'x', { exists: true })).rejects.toThrow('precondition');
    const { entry } = await store.put('a', '2', { exists: false });
    expect(entry).toMatchObject({ createRevision: 2, modRevision: 2, version: 1 });
    expect(await store.expireDue()).toBe(0);
  });

  it('transaction puts carry TTLs', async () => {
    const { store, clock } = await ttlStore();
    await store.txn({
      compare: [],
      success: [
        { type: 'put', key: 'a', value: '1', ttlMs: 10 },
        { type: 'put', key: 'b', value: '2' },
      ],
      failure: [],
    });
    expect(store.getEntry('a').expiresAt).toBe(clock.time + 10);
    clock.advance(10);
    expect(await store.expireDue()).toBe(1);
    expect(store.range({ prefix: '' }).entries.map((e) => e.key)).toEqual(['b']);
  });

  it('refuses a TTL that is not a whole number of ms within the limit', async () => {
    const { store } = await ttlStore();
    for (const ttlMs of [0, -1, 1.5, Number.NaN, 3_600_001]) {
      await expect(store.put('a', '1', undefined, { ttlMs })).rejects.toThrow(InvalidRequestError);
    }
    await expect(
      store.txn({ compare: [], success: [{ type: 'put', key: 'a', value: '1', ttlMs: 0 }], failure: [] }),
    ).rejects.toThrow(InvalidRequestError);
    expect(store.revision).toBe(0);
  });

  it('keeps a deadline it could not log, and logs it on the next try', async () => {
    const { store, clock, log } = await ttlStore();
    await store.put('a', '1', undefined, { ttlMs: 10 });
    clock.advance(10);
    log.failNext(1, new LogUnavailableError('disk full'));
    await expect(store.expireDue()).rejects.toThrow('disk full');
    expect(store.read('a').entry).toBeUndefined();
    expect(await store.expireDue()).toBe(1);
    expect(store.size).toBe(0);
  });

  it('restores deadlines from the log (keys whose deadline passed while down are due at once) and through compaction', async () => {
    const first = await ttlStore();
    await first.store.put('soon', '1', undefined, { ttlMs: 10 });
    await first.store.put('later', '2', undefined, { ttlMs: 1000 });
    await first.store.put('never', '3');
    await first.store.compact();
    const clock = new ManualClock(first.clock.time + 500);
    const second = await ttlStore(new MemoryTransactionLog([...first.log.events]), clock);
    expect(second.store.read('soon').entry).toBeUndefined();
    expect(second.store.getEntry('later').expiresAt).toBe(first.clock.time + 1000);
    expect(await second.store.expireDue()).toBe(1);
    clock.advance(500);
    expect(await second.store.expireDue()).toBe(1);
    expect(second.store.range({ prefix: '' }).entries.map((e) => e.key)).toEqual(['never']);
  });
});
