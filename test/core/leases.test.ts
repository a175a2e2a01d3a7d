import { KeyAccessDeniedError, KeyValueStore, LeaseNotFoundError, type ChangeBatch } from '../../src/core';
import { ManualClock, MemoryTransactionLog } from '../support/memory-transaction-log';

async function leaseStore(log = new MemoryTransactionLog(), clock = new ManualClock()) {
  const batches: ChangeBatch[] = [];
  const store = new KeyValueStore(log, undefined, (batch) => batches.push(batch), clock);
  await store.restore();
  return { store, log, clock, batches };
}

describe('leases in the core', () => {
  it('grant, attach 100 keys, keepalive past several TTLs, stop: all 100 deleted in one revision, watchers see the deletes', async () => {
    const { store, clock, log, batches } = await leaseStore();
    const { id, ttlMs } = await store.grantLease(1000);
    expect(ttlMs).toBe(1000);
    expect(log.events.at(-1)).toEqual({ revision: 1, writes: [], leases: [{ type: 'grant', id, ttlMs: 1000 }] });
    for (let i = 0; i < 100; i++) await store.put(`lock/${i}`, 'owner', undefined, { lease: id });
    const records = log.events.length;
    for (let t = 0; t < 5; t++) {
      clock.advance(900);
      expect((await store.keepAliveLease(id)).deadline).toBe(clock.time + 1000);
      expect(await store.expireDue()).toBe(0);
    }
    // Keepalives are not writes.
    expect(log.events.length).toBe(records);
    expect(store.leaseStatus(id).keys).toHaveLength(100);
    clock.advance(1000);
    // Past the deadline the keys are invisible at once, before the revoke is logged.
    expect(store.range({ prefix: 'lock/' }).entries).toEqual([]);
    await expect(store.keepAliveLease(id)).rejects.toThrow(LeaseNotFoundError);
    expect(await store.expireDue()).toBe(100);
    const last = log.events.at(-1);
    expect(last?.writes).toHaveLength(100);
    expect(last?.leases).toEqual([{ type: 'revoke', id }]);
    expect(batches.at(-1)?.events.filter((event) => event.type === 'delete')).toHaveLength(100);
    expect(store.size).toBe(0);
    expect(store.expiryStats.leases).toBe(0);
  });

  it('refuses a revoke whose caller may not delete every key of the lease, changing nothing', async () => {
    const { store, log } = await leaseStore();
    const { id } = await store.grantLease(1000);
    await store.put('mine/a', 'x', undefined, { lease: id });
    await store.put('theirs/b', 'y', undefined, { lease: id });
    const records = log.events.length;
    const mine = (key: string) => key.startsWith('mine/');
    await expect(store.revokeLease(id, mine)).rejects.toThrow(KeyAccessDeniedError);
    await expect(store.revokeLease(id, mine)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(log.events.length).toBe(records);
    expect([...store.leaseStatus(id).keys].sort()).toEqual(['mine/a', 'theirs/b']);
    // Once the other key has left the lease, the same caller may revoke it.
    await store.put('theirs/b', 'detached');
    expect(await store.revokeLease(id, mine)).toMatchObject({ deleted: 1 });
    expect(store.read('theirs/b').entry?.value).toBe('detached');
  });

  it('revoke deletes every key of the lease in one revision; the lease is gone afterwards', async () => {
    const { store, log } = await leaseStore();
    const { id } = await store.grantLease(60_000);
    await store.put('a', '1', undefined, { lease: id });
    await store.put('b', '2', undefined, { lease: id });
    await store.put('c', '3');
    // A put without the lease detaches the key.
    await store.put('b', '2b');
    expect(await store.revokeLease(id)).toEqual({ revision: 6, deleted: 1 });
    expect(log.events.at(-1)).toEqual({
      revision: 6,
      writes: [{ type: 'delete', key: 'a' }],
      leases: [{ type: 'revoke', id }],
    });
    expect(store.range({ prefix: '' }).entries.map((e) => e.key)).toEqual(['b', 'c']);
    expect(() => store.revokeLease(id)).toThrow(LeaseNotFoundError);
    expect(() => store.leaseStatus(id)).toThrow(LeaseNotFoundError);
    await expect(store.put('d', '4', undefined, { lease: id })).rejects.toThrow(LeaseNotFoundError);
  });

  it('a put attaching a key while the revoke waits is deleted with the lease; a put after it is refused', async () => {
    const { store, log } = await leaseStore();
    const { id } = await store.grantLease(60_000);
    log.holdAppends();
    const attach = store.put('a', '1', undefined, { lease: id });
    const revoke = store.revokeLease(id);
    await expect(store.put('b', '2', undefined, { lease: id })).rejects.toThrow(LeaseNotFoundError);
    log.release();
    await attach;
    expect((await revoke).deleted).toBe(1);
    expect(store.read('a').entry).toBeUndefined();
  });

  it('refuses unknown leases, a put with both a TTL and a lease', async () => {
    const { store } = await leaseStore();
    await expect(store.keepAliveLease(42)).rejects.toThrow(LeaseNotFoundError);
    await expect(store.put('a', '1', undefined, { lease: 42 })).rejects.toThrow(LeaseNotFoundError);
    const { id } = await store.grantLease(1000);
    await expect(store.put('a', '1', undefined, { lease: id, ttlMs: 10 })).rejects.toThrow('not both');
  });

  it('after a restart (and a compaction) every lease has its full TTL again and keeps its keys', async () => {
    const first = await leaseStore();
    const { id } = await first.store.grantLease(1000);
    const gone = await first.store.grantLease(1000);
    await first.store.put('a', '1', undefined, { lease: id });
    await first.store.put('x', '1', undefined, { lease: gone.id });
    await first.store.revokeLease(gone.id);
    first.clock.advance(900);
    await first.store.compact();
    const clock = new ManualClock(first.clock.time + 5000);
    const { store } = await leaseStore(new MemoryTransactionLog([...first.log.events]), clock);
    expect(store.leaseStatus(id)).toEqual({
      id,
      ttlMs: 1000,
      deadline: clock.time + 1000,
      remainingMs: 1000,
      keys: ['a'],
    });
    expect(() => store.leaseStatus(gone.id)).toThrow(LeaseNotFoundError);
    expect(store.get('a')).toBe('1');
    expect(store.read('x').entry).toBeUndefined();
  });
});
