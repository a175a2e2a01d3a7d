import {
  KeyValueStore,
  keyFilter,
  OutcomeUnknownError,
  prefixFilter,
  RevisionCompactedError,
  WatchHub,
  type LogFollower,
  type LogRecord,
  type ReplayedRecord,
} from '../../src/core';
import { ManualClock, MemoryTransactionLog } from '../support/memory-transaction-log';
import { SeededRandom } from '../support/seeded-random';

const sizes = { historyBytes: 1 << 24, bufferBytes: 1 << 24 };

/** A log shared with other writers, as the store sees one: it keeps the follower the store gives it. */
class FollowedLog extends MemoryTransactionLog {
  follower: LogFollower | undefined;

  follow(follower: LogFollower): void {
    this.follower = follower;
  }
}

/** A replica: a store on a followed log holding `records`, its commits and rebases feeding a hub. */
async function replica(records: ReplayedRecord[], clock: ManualClock) {
  const log = new FollowedLog(records);
  const hub = new WatchHub(0, sizes);
  const store = new KeyValueStore(log, undefined, hub.observe, clock, hub.rebased);
  await store.restore(hub.seeding());
  hub.startAt(store.revision);
  return { store, hub, follower: log.follower! };
}

/** Everything a store holds that clients can see: entries with their revisions, and leases with their keys. */
function contentOf(store: KeyValueStore, leaseIds: readonly number[]) {
  const entries = store.range({ prefix: '', limit: 1000 }).entries;
  const leases = leaseIds.flatMap((id) => {
    try {
      const { ttlMs, keys } = store.leaseStatus(id);
      return [{ id, ttlMs, keys: [...keys].sort() }];
    } catch {
      return [];
    }
  });
  return { revision: store.revision, entries, leases };
}

/** Random writes of every kind on `store`; returns the lease ids it granted. */
async function randomWrites(store: KeyValueStore, random: SeededRandom, count: number, leases: number[]) {
  const key = () => `k${random.int(0, 15)}`;
  for (let i = 0; i < count; i++) {
    const choice = random.int(0, 7);
    if (choice <= 2) await store.put(key(), `v${i}`, undefined, random.int(0, 3) === 0 ? { ttlMs: 60_000 } : {});
    else if (choice === 3) await store.delete(key());
    else if (choice === 4) {
      await store.txn({
        compare: [],
        success: [
          { type: 'put', key: `t${random.int(0, 3)}`, value: `t${i}` },
          { type: 'delete', key: key() },
        ],
        failure: [],
      });
    } else if (choice === 5) {
      leases.push((await store.grantLease(60_000)).id);
      await store.put(key(), `leased ${i}`, undefined, { lease: leases.at(-1) });
    } else if (choice === 6 && leases.length > 0) {
      const id = leases[random.int(0, leases.length - 1)];
      // A lease revoked already is refused (synchronously): no write.
      await Promise.resolve()
        .then(() => store.revokeLease(id))
        .catch(() => undefined);
    } else await store.deleteRange({ prefix: `k${random.int(0, 1)}` });
  }
}

/** The records a compaction of `log` leaves through its head, in revision order (as the PostgreSQL table returns them). */
async function compactedBase(log: MemoryTransactionLog): Promise<ReplayedRecord[]> {
  await log.compact();
  return [...log.events].sort((a, b) => a.revision - b.revision);
}

describe('a replica whose position on a shared log was compacted away (LogFollower.rebase)', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'takes the compacted state and then holds exactly what the writer holds (seed %i)',
    async (seed) => {
      const random = new SeededRandom(seed);
      const clock = new ManualClock();
      const writerLog = new MemoryTransactionLog();
      const writer = new KeyValueStore(writerLog, undefined, undefined, clock);
      await writer.restore();
      const leases: number[] = [];
      await randomWrites(writer, random, 40, leases);
      // The lagging replica saw the history up to here...
      const lagging = await replica(writerLog.events.slice(), clock);
      // ...then missed these, and the writer's compaction thinned them.
      await randomWrites(writer, random, 60, leases);
      const through = writer.revision;
      lagging.follower.rebase(await compactedBase(writerLog), through);
      expect(contentOf(lagging.store, leases)).toEqual(contentOf(writer, leases));

      // And it follows the whole records after the compaction like any replica.
      const before = writerLog.events.length;
      await randomWrites(writer, random, 20, leases);
      lagging.follower.apply(writerLog.events.slice(before) as LogRecord[]);
      expect(contentOf(lagging.store, leases)).toEqual(contentOf(writer, leases));
    },
  );

  it('ends the watchers that have not passed the compacted revisions with REVISION_COMPACTED, and only those', async () => {
    const clock = new ManualClock();
    const writerLog = new MemoryTransactionLog();
    const writer = new KeyValueStore(writerLog, undefined, undefined, clock);
    await writer.restore();
    await writer.put('a', '1');
    await writer.put('gone', '1');
    const lagging = await replica(writerLog.events.slice(), clock);
    const everything = lagging.hub.watch({ filter: prefixFilter(''), startRevision: 1 });
    const later = lagging.hub.watch({ filter: keyFilter('a'), startRevision: 10 });
    expect((await everything.receive())?.revision).toBe(1);

    await writer.delete('gone');
    await writer.put('a', '2');
    await writer.put('a', '3');
    lagging.follower.rebase(await compactedBase(writerLog), writer.revision);

    // The first watcher would silently miss revisions 3 to 5 (the delete of `gone` is not even in the log any more).
    await expect(everything.receive()).rejects.toThrow(RevisionCompactedError);
    expect(() => lagging.hub.watch({ filter: prefixFilter(''), startRevision: 5 })).toThrow(RevisionCompactedError);
    expect(lagging.store.read('gone').entry).toBeUndefined();
    expect(lagging.store.get('a')).toBe('3');

    // Watches from after the compaction go on: they get the whole records that follow it.
    const resumed = lagging.hub.watch({ filter: prefixFilter(''), startRevision: 6 });
    const before = writerLog.events.length;
    for (let i = 4; i <= 10; i++) await writer.put('a', String(i));
    lagging.follower.apply(writerLog.events.slice(before) as LogRecord[]);
    await expect(resumed.receive()).resolves.toMatchObject({ revision: 6 });
    await expect(later.receive()).resolves.toMatchObject({ revision: 10 });
  });
});

describe('a replica on a shared log after a write of unknown outcome', () => {
  /** The revision the next put gets on `log` after a put whose outcome was unknown turned out not committed. */
  async function revisionAfterUnknown(log: MemoryTransactionLog): Promise<number> {
    const store = new KeyValueStore(log);
    await store.restore();
    let report!: (committed: boolean) => void;
    const outcome = new Promise<boolean>((resolve) => (report = resolve));
    log.failNext(1, new OutcomeUnknownError('stalled', outcome));
    await expect(store.put('a', '1')).rejects.toThrow(OutcomeUnknownError);
    report(false);
    await outcome;
    await Promise.resolve();
    return (await store.put('b', '2')).revision;
  }

  it('gives its revision back once it is known not committed (the shared log gives each revision once, by its head check)', async () => {
    expect(await revisionAfterUnknown(new FollowedLog())).toBe(1);
  });

  it('keeps it spent on a log with one writer (never reuse a revision that may have reached the log)', async () => {
    expect(await revisionAfterUnknown(new MemoryTransactionLog())).toBe(2);
  });

  it("spends only that write's revision, not those of the writes refused unsent behind it", async () => {
    const log = new FollowedLog();
    const store = new KeyValueStore(log);
    await store.restore();
    let report!: (committed: boolean) => void;
    const outcome = new Promise<boolean>((resolve) => (report = resolve));
    log.failNext(1, new OutcomeUnknownError('stalled', outcome));
    log.failNext(1);
    const stalled = expect(store.put('a', '1')).rejects.toThrow(OutcomeUnknownError);
    const queued = expect(store.put('b', '1')).rejects.toThrow('simulated failure');
    await Promise.all([stalled, queued]);
    report(true);
    await outcome;
    await Promise.resolve();
    expect(store.revision).toBe(1);
    // Revision 3 would follow a head of 2 this replica never had: it could commit over another
    // writer's record 2, which the replica would then skip.
    expect((await store.put('c', '1')).revision).toBe(2);
  });
});
