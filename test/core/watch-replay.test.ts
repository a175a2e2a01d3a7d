import {
  KeyValueStore,
  prefixFilter,
  RevisionCompactedError,
  WatchHub,
  type ChangeBatch,
  type ReplayedRecord,
  type ReplayObserver,
} from '../../src/core';
import { changeBytesOf } from '../support/collect-events';
import { ManualClock, MemoryTransactionLog } from '../support/memory-transaction-log';
import { SeededRandom } from '../support/seeded-random';
import { Reader } from '../support/watch-feed';

const big = { historyBytes: 1 << 24, bufferBytes: 1 << 24 };

/** A store on `log` whose commits feed a hub, as the service wires them (the hub seeded from the replay). */
async function servedStore(log: MemoryTransactionLog, options = big, clock = new ManualClock()) {
  const hub = new WatchHub(0, options);
  const store = new KeyValueStore(log, undefined, hub.observe, clock);
  await store.restore(hub.seeding());
  hub.startAt(store.revision);
  return { store, hub, clock };
}

/** A history's batches, from the oldest kept, as plain data. */
function historyOf(hub: WatchHub): ChangeBatch[] {
  const batches: ChangeBatch[] = [];
  for (
    let entry = hub.history.firstFrom(0);
    entry !== undefined;
    entry = hub.history.firstFrom(entry.batch.revision + 1)
  )
    batches.push(entry.batch);
  return JSON.parse(JSON.stringify(batches)) as ChangeBatch[];
}

/** Random writes of every kind: puts (some with a TTL or a lease), deletes, range deletes, transactions, lease ends. */
async function randomWrites(store: KeyValueStore, clock: ManualClock, random: SeededRandom, count: number) {
  const key = () => `k/${random.int(0, 12)}`;
  const leases: number[] = [];
  for (let i = 0; i < count; i++) {
    const choice = random.int(0, 9);
    if (choice <= 3) await store.put(key(), `v${i}`, undefined, random.int(0, 4) === 0 ? { ttlMs: 50 } : {});
    else if (choice === 4) await store.delete(key());
    else if (choice === 5) await store.deleteRange({ prefix: `k/${random.int(0, 1)}` });
    else if (choice === 6) {
      const [a, b] = [key(), key()];
      const success =
        a === b
          ? [{ type: 'put' as const, key: a, value: `t${i}` }]
          : [
              { type: 'put' as const, key: a, value: `t${i}` },
              { type: 'delete' as const, key: b },
            ];
      await store.txn({ compare: [], success, failure: [] });
    } else if (choice === 7) {
      leases.push((await store.grantLease(1000)).id);
      await store.put(key(), `leased ${i}`, undefined, { lease: leases.at(-1) });
    } else if (choice === 8 && leases.length > 0) {
      const id = leases.splice(random.int(0, leases.length - 1), 1)[0];
      // The lease may be over already (expired): then the revoke is refused, which is no write.
      if (store.expiryStats.leases > 0)
        await Promise.resolve(id)
          .then((lease) => store.revokeLease(lease))
          .catch(() => 0);
    } else {
      clock.advance(random.int(0, 60));
      await store.expireDue();
    }
  }
}

/**
 * The records with the hint a log gives (ReplayedRecord.changeBytesAfter) at its tightest:
 * writeEventBytes of every key write of the records after each one.
 */
function withHints(records: readonly ReplayedRecord[]): ReplayedRecord[] {
  let after = 0;
  const hinted: ReplayedRecord[] = [];
  for (const record of [...records].reverse()) {
    hinted.push({ ...record, changeBytesAfter: after });
    after += changeBytesOf(record);
  }
  return hinted.reverse();
}

/** Restores `records` into a hub of `historyBytes`; counts the revisions the store built changes for. */
async function seeded(records: ReplayedRecord[], historyBytes: number) {
  const hub = new WatchHub(0, { ...big, historyBytes });
  const store = new KeyValueStore(new MemoryTransactionLog(records), undefined, hub.observe, new ManualClock());
  const seeding = hub.seeding();
  let told = 0;
  const counting: ReplayObserver = {
    ...seeding,
    replayed: (batch) => {
      told++;
      seeding.replayed(batch);
    },
  };
  await store.restore(counting);
  hub.startAt(store.revision);
  return { hub, store, told };
}

describe('the watch history seeded from the log at start-up', () => {
  it('holds the same revisions when the log says what follows each record, building changes for fewer', async () => {
    const log = new MemoryTransactionLog();
    const clock = new ManualClock();
    const { store } = await servedStore(log, big, clock);
    const random = new SeededRandom(23);
    await randomWrites(store, clock, random, 200);
    await store.compact();
    // Puts with large values and one-key lease grants (no change at all) after the base.
    await randomWrites(store, clock, random, 300);
    for (let i = 0; i < 20; i++) await store.put(`big ${i % 3}`, 'x'.repeat(400 + i));
    await randomWrites(store, clock, random, 50);

    for (const historyBytes of [0, 700, 3000, 20_000, 1 << 24]) {
      const plain = await seeded(log.events, historyBytes);
      const hinted = await seeded(withHints(log.events), historyBytes);
      expect(historyOf(hinted.hub)).toEqual(historyOf(plain.hub));
      expect(hinted.hub.history.oldestAvailable).toBe(plain.hub.history.oldestAvailable);
      expect(hinted.hub.history.sizeBytes).toBe(plain.hub.history.sizeBytes);
      expect(hinted.hub.revision).toBe(plain.hub.revision);
      if (historyBytes < 1 << 24) expect(hinted.told).toBeLessThan(plain.told);
      else expect(hinted.told).toBe(plain.told);
    }

    // A watch from the oldest revision kept gets every kept change, then the live ones.
    const { hub, store: restarted } = await seeded(withHints(log.events), 3000);
    const oldest = hub.history.oldestAvailable;
    expect(oldest).toBeGreaterThan(1);
    const kept = historyOf(hub).map((batch) => batch.revision);
    expect(kept.length).toBeGreaterThan(2);
    expect(() => hub.watch({ filter: prefixFilter(''), startRevision: oldest - 1 })).toThrow(
      new RevisionCompactedError(oldest),
    );
    const reader = new Reader(hub.watch({ filter: prefixFilter(''), startRevision: oldest }));
    const revisions = async () =>
      (await reader.drain()).flatMap((message) => (message.type === 'change' ? [message.revision] : []));
    expect(await revisions()).toEqual(kept);
    await restarted.put('after the restart', '1');
    expect(await revisions()).toEqual([store.revision + 1]);
  });

  it('holds, after a restart, exactly the changes the running store delivered (entries and previous entries)', async () => {
    const log = new MemoryTransactionLog();
    const clock = new ManualClock();
    const { store, hub } = await servedStore(log, big, clock);
    await randomWrites(store, clock, new SeededRandom(18), 400);
    const live = historyOf(hub);
    expect(live.length).toBeGreaterThan(250);

    const restarted = await servedStore(new MemoryTransactionLog(log.events), big, clock);
    expect(historyOf(restarted.hub)).toEqual(live);
    expect(restarted.hub.history.oldestAvailable).toBe(1);
    expect(restarted.hub.revision).toBe(store.revision);
  });

  it('starts after what a compaction rewrote, and holds every change appended since', async () => {
    const log = new MemoryTransactionLog();
    const clock = new ManualClock();
    const { store, hub } = await servedStore(log, big, clock);
    const random = new SeededRandom(19);
    await randomWrites(store, clock, random, 150);
    await store.compact();
    const compactedAt = store.revision;
    await randomWrites(store, clock, random, 150);
    const after = historyOf(hub).filter((batch) => batch.revision > compactedAt);

    const restarted = await servedStore(new MemoryTransactionLog(log.events), big, clock);
    expect(restarted.hub.history.oldestAvailable).toBe(compactedAt + 1);
    expect(historyOf(restarted.hub)).toEqual(after);
    expect(() => restarted.hub.watch({ filter: prefixFilter(''), startRevision: compactedAt })).toThrow(
      new RevisionCompactedError(compactedAt + 1),
    );
  });

  it('keeps no more than KVS_WATCH_HISTORY_BYTES of it: the oldest revisions go first', async () => {
    const log = new MemoryTransactionLog();
    const { store } = await servedStore(log);
    for (let i = 0; i < 100; i++) await store.put(`key ${i % 7}`, 'x'.repeat(100));

    const restarted = await servedStore(new MemoryTransactionLog(log.events), { ...big, historyBytes: 5000 });
    const kept = historyOf(restarted.hub);
    expect(restarted.hub.history.sizeBytes).toBeLessThanOrEqual(5000);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(100);
    expect(kept.at(-1)?.revision).toBe(100);
    expect(restarted.hub.history.oldestAvailable).toBe(kept[0].revision);
  });

  it('cuts the history after a record that does not follow from the state before it (a fuzzy base)', async () => {
    // A file log's base may hold a key as written after the base's revision (3 here): its
    // incremental records up to that write cannot be told with their previous entries.
    const put = (key: string, value: string, createRevision: number, version: number) =>
      ({ type: 'put', key, value, createRevision, version }) as const;
    const records: ReplayedRecord[] = [
      { revision: 2, writes: [put('a', 'a2', 1, 2)], base: true },
      { revision: 5, writes: [put('b', 'b5', 4, 2)], base: true },
      { revision: 3, writes: [], base: true },
      { revision: 4, writes: [put('b', 'b4', 4, 1)] }, // creates b: its previous (none) is known
      { revision: 5, writes: [put('b', 'b5', 4, 2)] }, // the base already holds it: previous unknown
      { revision: 6, writes: [{ type: 'delete', key: 'c' }] }, // c is not in the base: deleted later than it
      { revision: 7, writes: [put('a', 'a7', 1, 3)] },
      { revision: 8, writes: [{ type: 'delete', key: 'b' }] },
    ];
    const { hub, store } = await servedStore(new MemoryTransactionLog(records));
    expect(store.revision).toBe(8);
    expect(hub.history.oldestAvailable).toBe(7);
    const kept = historyOf(hub).map(({ revision, events }) => ({
      revision,
      events: events.map(({ type, entry, previous }) => [type, entry.key, entry.value, previous?.value]),
    }));
    expect(kept).toEqual([
      { revision: 7, events: [['put', 'a', 'a7', 'a2']] },
      { revision: 8, events: [['delete', 'b', '', 'b5']] },
    ]);
  });

  it('is not seeded when the hub is not given to the restore: watches start after the restored revision', async () => {
    const log = new MemoryTransactionLog();
    const { store } = await servedStore(log);
    await store.put('a', '1');
    const hub = new WatchHub(0, big);
    const restored = new KeyValueStore(new MemoryTransactionLog(log.events), undefined, hub.observe);
    await restored.restore();
    hub.startAt(restored.revision);
    expect(hub.history.oldestAvailable).toBe(2);
  });
});
