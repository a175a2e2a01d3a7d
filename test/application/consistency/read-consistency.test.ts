import { ReadConsistency } from '../../../src/application/consistency/read-consistency';
import { LogUnavailableError, ownHead, ReplicaBehindError, type HeadRevision } from '../../../src/core';
import { MemoryTransactionLog, restoredStore } from '../../support/memory-transaction-log';

/** A head the test sets: a revision, a failure, or no answer at all. */
function headOf(answer: () => Promise<number>): HeadRevision & { calls: number } {
  const head = {
    calls: 0,
    confirm: () => {
      head.calls++;
      return answer();
    },
  };
  return head;
}

/** What a pending satisfy() came to: 'reached' or the error's code. */
function outcomeOf(waiting: Promise<void> | undefined): Promise<string> {
  if (waiting === undefined) return Promise.resolve('at once');
  return waiting.then(
    () => 'reached',
    (error: unknown) => (error instanceof ReplicaBehindError ? error.code : String(error)),
  );
}

describe('ReadConsistency: a read waits, bounded, for the revision it asks for', () => {
  it('answers at once (synchronously) when nothing is asked or the store already has the revision', async () => {
    const store = await restoredStore();
    await store.put('k', 'v');
    const reads = new ReadConsistency(store, ownHead(store), { maxWaitMs: 50 });
    expect(reads.satisfy({})).toBeUndefined();
    expect(reads.satisfy({ minRevision: 1 })).toBeUndefined();
    expect(reads.satisfy({ minRevision: 0 })).toBeUndefined();
  });

  it('waits for a write in flight to be applied, then answers', async () => {
    const log = new MemoryTransactionLog();
    const store = await restoredStore(log);
    log.holdAppends();
    const write = store.put('k', 'v');
    const reads = new ReadConsistency(store, ownHead(store), { maxWaitMs: 5000 });
    const waiting = reads.satisfy({ minRevision: 1 });
    expect(waiting).toBeDefined();
    let done = false;
    void waiting!.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([done, store.revision]).toEqual([false, 0]);
    log.release();
    await write;
    await expect(outcomeOf(waiting)).resolves.toBe('reached');
    expect(store.revision).toBe(1);
  });

  it('fails with REPLICA_BEHIND once the configured wait, or the caller’s earlier deadline, passes', async () => {
    const store = await restoredStore();
    const reads = new ReadConsistency(store, ownHead(store), { maxWaitMs: 30 });
    await expect(outcomeOf(reads.satisfy({ minRevision: 9 }))).resolves.toBe('REPLICA_BEHIND');
    const patient = new ReadConsistency(store, ownHead(store), { maxWaitMs: 60_000 });
    await expect(outcomeOf(patient.satisfy({ minRevision: 9 }, Date.now() + 20))).resolves.toBe('REPLICA_BEHIND');
  });

  it('leaves no waiter behind after a timeout (a lagging replica does not pile them up)', async () => {
    const log = new MemoryTransactionLog();
    const store = await restoredStore(log);
    const reads = new ReadConsistency(store, ownHead(store), { maxWaitMs: 10 });
    for (let i = 0; i < 5; i++) await outcomeOf(reads.satisfy({ minRevision: 3 }));
    let called = 0;
    store.whenRevision(3, () => called++);
    await store.put('a', '1');
    await store.put('b', '2');
    await store.put('c', '3');
    expect(called).toBe(1);
  });

  it('linearizable: confirms the head and waits for it; on a single instance it is answered at once', async () => {
    const log = new MemoryTransactionLog();
    const store = await restoredStore(log);
    await store.put('a', '1');
    await expect(outcomeOf(new ReadConsistency(store).satisfy({ linearizable: true }))).resolves.toBe('reached');

    log.holdAppends();
    const write = store.put('b', '2');
    const head = headOf(() => Promise.resolve(2));
    const reads = new ReadConsistency(store, head, { maxWaitMs: 5000 });
    const waiting = reads.satisfy({ linearizable: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    log.release();
    await write;
    await expect(outcomeOf(waiting)).resolves.toBe('reached');
    expect(head.calls).toBe(1);
  });

  it('linearizable: REPLICA_BEHIND when the head cannot be confirmed, or not in time', async () => {
    const store = await restoredStore();
    const failing = headOf(() => Promise.reject(new LogUnavailableError('down')));
    await expect(
      outcomeOf(new ReadConsistency(store, failing, { maxWaitMs: 5000 }).satisfy({ linearizable: true })),
    ).resolves.toBe('REPLICA_BEHIND');
    const silent = headOf(() => new Promise<number>(() => undefined));
    await expect(
      outcomeOf(new ReadConsistency(store, silent, { maxWaitMs: 20 }).satisfy({ linearizable: true })),
    ).resolves.toBe('REPLICA_BEHIND');
  });

  it('wakes for a revision that changes no key (a lease grant)', async () => {
    const log = new MemoryTransactionLog();
    const store = await restoredStore(log);
    log.holdAppends();
    const grant = store.grantLease(60_000);
    const waiting = new ReadConsistency(store, ownHead(store), { maxWaitMs: 5000 }).satisfy({ minRevision: 1 });
    log.release();
    await grant;
    await expect(outcomeOf(waiting)).resolves.toBe('reached');
  });

  it('refuses at once, while the replica is stale, every read it cannot satisfy now; answers those it can', async () => {
    const log = new MemoryTransactionLog();
    const store = await restoredStore(log);
    await store.put('a', '1');
    const staleness = { stale: true, ageMs: 7000, maxMs: 5000 };
    const head = headOf(() => Promise.resolve(1));
    const reads = new ReadConsistency(store, head, { maxWaitMs: 60_000 }, staleness);
    expect(reads.satisfy({})).toBeUndefined();
    expect(reads.satisfy({ minRevision: 1 })).toBeUndefined();
    const started = Date.now();
    await expect(reads.satisfy({ minRevision: 2 })).rejects.toThrow(
      'this replica has not confirmed the head revision for 7000 ms (its bound is 5000 ms)',
    );
    await expect(outcomeOf(reads.satisfy({ linearizable: true }))).resolves.toBe('REPLICA_BEHIND');
    // Refused without waiting, and without asking the log.
    expect([Date.now() - started < 1000, head.calls]).toEqual([true, 0]);

    // Fresh again: the same reads wait and are answered.
    const fresh = new ReadConsistency(store, head, { maxWaitMs: 60_000 }, { ...staleness, stale: false });
    await expect(outcomeOf(fresh.satisfy({ linearizable: true }))).resolves.toBe('reached');
  });
});
