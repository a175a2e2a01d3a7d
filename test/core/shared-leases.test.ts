import { KeyValueStore, LeaseNotFoundError, ReadOnlyError, type LogRecord } from '../../src/core';
import { MemoryTransactionLog } from '../support/memory-transaction-log';
import { ManualClock } from '../support/memory-transaction-log';
import { SharedMemoryHistory } from '../support/shared-memory-log';

/** Two replicas' stores on one shared history, reading one clock (the database's, in production). */
async function twoReplicas() {
  const history = new SharedMemoryHistory();
  const clock = new ManualClock();
  const open = async () => {
    const log = history.replica();
    const store = new KeyValueStore(log, undefined, undefined, clock);
    await store.restore();
    return { log, store };
  };
  return { history, clock, open, a: await open(), b: await open() };
}

function revokes(records: readonly LogRecord[]): LogRecord[] {
  return records.filter((record) => record.leases?.some((lease) => lease.type === 'revoke'));
}

describe('leases on a shared log (KVS_REPLICAS=shared)', () => {
  it('refuses a keepalive while frozen (read-only): it would be a logged record; the deadline runs on, and it renews once thawed', async () => {
    const history = new SharedMemoryHistory();
    const clock = new ManualClock();
    let readOnly = false;
    const store = new KeyValueStore(history.replica(), undefined, undefined, clock, undefined, () => readOnly);
    await store.restore();
    const { id } = await store.grantLease(1000);
    const logged = history.records.length;
    readOnly = true;
    clock.advance(500);
    await expect(store.keepAliveLease(id)).rejects.toThrow(ReadOnlyError);
    expect(history.records).toHaveLength(logged);
    expect(store.leaseStatus(id).deadline).toBe(clock.time + 500);
    readOnly = false;
    expect((await store.keepAliveLease(id)).deadline).toBe(clock.time + 1000);
    expect(history.records).toHaveLength(logged + 1);
  });

  it('keeps answering keepalives while frozen with a log of its own: they are not writes there', async () => {
    const clock = new ManualClock();
    const store = new KeyValueStore(new MemoryTransactionLog(), undefined, undefined, clock, undefined, () => true);
    await store.restore();
    const { id } = await store.grantLease(1000);
    clock.advance(500);
    expect((await store.keepAliveLease(id)).deadline).toBe(clock.time + 1000);
  });

  it('logs every keepalive with its new deadline, so the replica that did not get it never expires the lease; once they stop it expires once', async () => {
    const { history, clock, a, b } = await twoReplicas();
    const { id } = await a.store.grantLease(1000);
    await a.store.put('lock', 'owner', undefined, { lease: id });
    b.log.deliver();
    for (let t = 0; t < 5; t++) {
      clock.advance(900);
      expect((await a.store.keepAliveLease(id)).deadline).toBe(clock.time + 1000);
      expect(history.records.at(-1)).toEqual({
        revision: history.records.length,
        writes: [],
        leases: [{ type: 'keepalive', id, ttlMs: 1000, deadline: clock.time + 1000 }],
      });
      b.log.deliver();
      expect(b.store.leaseStatus(id).deadline).toBe(clock.time + 1000);
      expect(await b.store.expireDue()).toBe(0);
      expect(b.store.get('lock')).toBe('owner');
    }
    clock.advance(1000);
    // The first replica to notice logs the expiry; the other's attempt finds it in the history.
    expect(await b.store.expireDue()).toBe(1);
    expect(await a.store.expireDue()).toBe(0);
    expect(revokes(history.records)).toHaveLength(1);
    expect(a.store.read('lock').entry).toBeUndefined();
    await expect(a.store.keepAliveLease(id)).rejects.toThrow(LeaseNotFoundError);
  });

  it('drops an expiry decided by a replica that had not heard of a keepalive logged before it', async () => {
    const { history, clock, a, b } = await twoReplicas();
    const { id } = await a.store.grantLease(1000);
    await a.store.put('lock', 'owner', undefined, { lease: id });
    b.log.deliver();
    clock.advance(999);
    await a.store.keepAliveLease(id);
    clock.advance(1);
    // B judges the lease past its deadline; its revoke meets the keepalive and is decided again.
    expect(await b.store.expireDue()).toBe(0);
    expect(b.store.leaseStatus(id).deadline).toBe(clock.time + 999);
    expect(b.store.get('lock')).toBe('owner');
    expect(revokes(history.records)).toEqual([]);
  });

  it("decides a keepalive or a revoke racing another replica's revoke again: the lease is gone", async () => {
    const { history, a, b } = await twoReplicas();
    const first = await a.store.grantLease(1000);
    const second = await a.store.grantLease(1000);
    b.log.deliver();
    await a.store.revokeLease(first.id);
    await expect(b.store.keepAliveLease(first.id)).rejects.toThrow(LeaseNotFoundError);
    await a.store.revokeLease(second.id);
    await expect(b.store.revokeLease(second.id)).rejects.toThrow(LeaseNotFoundError);
    expect(revokes(history.records)).toHaveLength(2);
  });

  it('gives every lease its full TTL again on a replica started later, whatever the logged keepalives said', async () => {
    const { clock, open, a } = await twoReplicas();
    const { id } = await a.store.grantLease(1000);
    await a.store.keepAliveLease(id);
    clock.advance(5000);
    const late = await open();
    expect(late.store.leaseStatus(id).deadline).toBe(clock.time + 1000);
  });
});
