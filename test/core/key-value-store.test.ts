import {
  InvalidKeyError,
  KeyTooLargeError,
  KeyValueStore,
  LogUnavailableError,
  NoSuchKeyError,
  utf8ByteLength,
  ValueTooLargeError,
} from '../../src/core';
import { MemoryTransactionLog } from '../support/memory-transaction-log';

const limits = { maxKeyBytes: 8, maxValueBytes: 16 };

async function newStore(
  log = new MemoryTransactionLog(),
): Promise<{ store: KeyValueStore; log: MemoryTransactionLog }> {
  const store = new KeyValueStore(log, limits);
  await store.restore();
  return { store, log };
}

describe('KeyValueStore', () => {
  it('puts, gets and deletes', async () => {
    const { store } = await newStore();
    await store.put('k', 'v');
    expect(store.get('k')).toBe('v');
    await store.delete('k');
    expect(() => store.get('k')).toThrow(NoSuchKeyError);
  });

  it('is idempotent: the same put or delete twice leaves the same state', async () => {
    const { store } = await newStore();
    await store.put('k', 'v');
    await store.put('k', 'v');
    expect(store.get('k')).toBe('v');
    expect(store.size).toBe(1);
    await store.delete('k');
    await store.delete('k');
    await store.delete('absent');
    expect(store.size).toBe(0);
  });

  it('logs every write before acknowledging it, and a delete of an absent key not at all', async () => {
    const { store, log } = await newStore();
    await store.put('a', '1');
    await store.delete('a');
    await store.delete('a');
    expect(log.events).toEqual([
      { revision: 1, writes: [{ type: 'put', key: 'a', value: '1', createRevision: 1, version: 1 }] },
      { revision: 2, writes: [{ type: 'delete', key: 'a' }] },
    ]);
  });

  it('changes nothing when the log rejects a write', async () => {
    const { store, log } = await newStore();
    await store.put('k', 'old');
    log.failNext(2);
    await expect(store.put('k', 'new')).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(store.delete('k')).rejects.toBeInstanceOf(LogUnavailableError);
    expect(store.get('k')).toBe('old');
  });

  it('does not show a write before the log has made it durable', async () => {
    const { store, log } = await newStore();
    log.holdAppends();
    const pending = store.put('k', 'v');
    await Promise.resolve();
    expect(() => store.get('k')).toThrow(NoSuchKeyError);
    log.release();
    await pending;
    expect(store.get('k')).toBe('v');
  });

  it('applies concurrent writes in log order', async () => {
    const { store, log } = await newStore();
    log.holdAppends();
    const writes = [store.put('k', '1'), store.delete('k'), store.put('k', '3'), store.put('k', '4')];
    log.release();
    await Promise.all(writes);
    expect(store.get('k')).toBe('4');
  });

  it('restores from the log without writing it again', async () => {
    const log = new MemoryTransactionLog([
      { revision: 1, writes: [{ type: 'put', key: 'a', value: '1' }] },
      { revision: 2, writes: [{ type: 'put', key: 'b', value: '2' }] },
      { revision: 5, writes: [{ type: 'delete', key: 'a' }] },
    ]);
    const store = new KeyValueStore(log, limits);
    expect(await store.restore()).toEqual({ events: 3, keys: 1, revision: 5 });
    expect(store.get('b')).toBe('2');
    expect(() => store.get('a')).toThrow(NoSuchKeyError);
    expect(log.events).toHaveLength(3);
  });

  it('refuses empty and oversized keys and oversized values before logging', async () => {
    const { store, log } = await newStore();
    await expect(store.put('', 'v')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(() => store.get('')).toThrow(InvalidKeyError);
    await expect(store.put('ninebytes', 'v')).rejects.toBeInstanceOf(KeyTooLargeError);
    await expect(store.put('k', 'x'.repeat(17))).rejects.toBeInstanceOf(ValueTooLargeError);
    await expect(store.delete('ééééé')).rejects.toBeInstanceOf(KeyTooLargeError);
    expect(log.events).toEqual([]);
  });

  it('refuses keys and values with lone surrogates, which UTF-8 (and so the log) cannot hold', async () => {
    const { store, log } = await newStore();
    await expect(store.put('k\uD800', 'v')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(store.put('k', '\uDC00v')).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await store.put('🗝️', '🗝️');
    expect(log.events.flatMap((record) => record.writes.map((write) => write.key))).toEqual(['🗝️']);
  });

  it('counts limits in UTF-8 bytes, accepting exactly the limit', async () => {
    const { store } = await newStore();
    await store.put('ключ', '🔑🔑🔑🔑'); // 8-byte key, 16-byte value
    expect(store.get('ключ')).toBe('🔑🔑🔑🔑');
    await store.put('k', '');
    expect(store.get('k')).toBe('');
  });
});

describe('utf8ByteLength', () => {
  it.each(['', 'ascii', 'ünï', '鍵', '🗝️👩‍👩‍👧', '\uD800 lone high', 'lone low \uDC00', 'end \uD800'])(
    'matches Buffer for %p',
    (text) => {
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    },
  );
});
