import {
  KeyValueStore,
  keyFilter,
  prefixFilter,
  WatchHub,
  type ChangeBatch,
  type KeyEntry,
  type ReplayedRecord,
  type WatchFilter,
  type Watcher,
} from '../../src/core';
import { MemoryTransactionLog } from '../support/memory-transaction-log';
import { SeededRandom } from '../support/seeded-random';

const KEYS = ['a/1', 'a/2', 'a/3', 'b/1', 'b/2', 'c'];
const FILTERS: { name: string; filter: WatchFilter }[] = [
  ...KEYS.map((key) => ({ name: `key ${key}`, filter: keyFilter(key) })),
  ...['a/', 'b/', ''].map((prefix) => ({ name: `prefix '${prefix}'`, filter: prefixFilter(prefix) })),
];

/** A revision as a watcher saw it, in a form deep equality compares. */
type Seen = { revision: number; events: string[] };

function describeBatch(batch: Pick<ChangeBatch, 'revision' | 'events'>, filter: WatchFilter): Seen {
  const events = batch.events
    .filter((event) => filter.includes(event.entry.key))
    .map(({ type, entry, previous }) =>
      [
        type,
        entry.key,
        entry.value,
        entry.createRevision,
        entry.modRevision,
        entry.version,
        previous?.value ?? '-',
      ].join(' '),
    );
  return { revision: batch.revision, events };
}

const pause = (random: SeededRandom): Promise<void> =>
  random.chance(0.5)
    ? new Promise((resolve) => setImmediate(resolve))
    : new Promise((resolve) => setTimeout(resolve, random.int(0, 3)));

/**
 * One client of the watch API: starts at a revision, reads at its own pace, drops its connection
 * at random points (or is dropped as too slow) and resumes from the last revision it saw.
 */
async function runClient(
  hub: WatchHub,
  filter: WatchFilter,
  start: number,
  random: SeededRandom,
  done: () => boolean,
): Promise<{ seen: Seen[]; resumes: number }> {
  const seen: Seen[] = [];
  let resumes = 0;
  let watcher: Watcher = hub.watch({ filter, startRevision: start });
  for (;;) {
    let message;
    try {
      message = await watcher.receive();
    } catch (error) {
      expect((error as { code: string }).code).toBe('WATCH_TOO_SLOW');
      message = undefined;
    }
    if (message?.type === 'change') seen.push(describeBatch(message, filter));
    if (done() && message?.type === 'progress') return { seen, resumes };
    if (message === undefined || random.chance(0.08)) {
      const resumeAt = watcher.resumeRevision;
      watcher.cancel();
      await pause(random);
      watcher = hub.watch({ filter, startRevision: resumeAt });
      resumes++;
    }
    if (random.chance(0.3)) await pause(random);
  }
}

/** One of four concurrent writers: puts, deletes, conditional puts, deletes of a prefix and transactions. */
async function runWriter(store: KeyValueStore, random: SeededRandom, writes: number): Promise<void> {
  for (let i = 0; i < writes; i++) {
    const roll = random.next();
    const key = random.pick(KEYS);
    try {
      if (roll < 0.45) await store.put(key, `v${random.int(0, 99)}`);
      else if (roll < 0.6) await store.delete(key);
      else if (roll < 0.7) await store.put(key, 'if-absent', { exists: false });
      else if (roll < 0.75) await store.deleteRange({ prefix: random.pick(['a/', 'b/']) });
      else {
        const keys = [...new Set(Array.from({ length: random.int(2, 4) }, () => random.pick(KEYS)))];
        const ops = keys.map((k) =>
          random.chance(0.3)
            ? { type: 'delete' as const, key: k }
            : { type: 'put' as const, key: k, value: `t${random.int(0, 99)}` },
        );
        const compare = [{ key, target: 'version' as const, op: '>' as const, operand: random.int(0, 3) }];
        await store.txn({ compare, success: ops, failure: ops.slice(0, 1) });
      }
    } catch (error) {
      // A conditional put on a present key fails and changes nothing.
      expect((error as { code: string }).code).toBe('PRECONDITION_FAILED');
    }
    await pause(random);
  }
}

/** The committed history as the log holds it, turned into batches independently of the store's own feed. */
function historyOf(records: readonly ReplayedRecord[]): ChangeBatch[] {
  const live = new Map<string, KeyEntry>();
  return records.map(({ revision, writes }) => ({
    revision,
    events: writes.map((write) => {
      const previous = live.get(write.key);
      if (write.type === 'delete') {
        live.delete(write.key);
        const entry = { key: write.key, value: '', createRevision: 0, modRevision: revision, version: 0 };
        return { type: 'delete' as const, entry, previous };
      }
      const entry = {
        key: write.key,
        value: write.value,
        createRevision: previous?.createRevision ?? revision,
        modRevision: revision,
        version: (previous?.version ?? 0) + 1,
      };
      live.set(write.key, entry);
      return { type: 'put' as const, entry, previous };
    }),
  }));
}

describe('watch: randomized model', () => {
  it.each([1, 2, 3, 4, 5])(
    'seed %i: every watcher sees exactly the committed history of its keys from its start, once, in order',
    async (seed) => {
      const random = new SeededRandom(seed);
      // A small buffer, so that slow readers are dropped and resume too.
      const hub = new WatchHub(0, { historyBytes: 64 << 20, bufferBytes: 2048 });
      const log = new MemoryTransactionLog();
      const store = new KeyValueStore(log, undefined, hub.observe);
      await store.restore();
      let writing = true;
      const clients: Promise<{ filter: WatchFilter; start: number; result: Awaited<ReturnType<typeof runClient>> }>[] =
        [];
      const startClient = () => {
        const { filter } = random.pick(FILTERS);
        const start = random.int(1, store.revision + 1);
        const clientRandom = new SeededRandom(random.int(0, 2 ** 31));
        clients.push(
          runClient(hub, filter, start, clientRandom, () => !writing).then((result) => ({ filter, start, result })),
        );
      };
      for (let i = 0; i < 8; i++) startClient();
      const writers = Array.from({ length: 4 }, () => runWriter(store, new SeededRandom(random.int(0, 2 ** 31)), 150));
      // More clients join while the writers run, at revisions in the past.
      const joining = (async () => {
        for (let i = 0; i < 12; i++) {
          await new Promise((resolve) => setTimeout(resolve, random.int(1, 20)));
          startClient();
        }
      })();
      await Promise.all([...writers, joining]);
      writing = false;
      const heartbeats = setInterval(() => hub.tick(), 5);
      const results = await Promise.all(clients);
      clearInterval(heartbeats);
      const committed = historyOf(log.events);
      let resumes = 0;
      for (const { filter, start, result } of results) {
        const expected = committed
          .filter((batch) => batch.revision >= start)
          .map((batch) => describeBatch(batch, filter))
          .filter((batch) => batch.events.length > 0);
        expect(result.seen).toEqual(expected);
        resumes += result.resumes;
      }
      // The run exercised what it claims to: resumes happened and history was written.
      expect(resumes).toBeGreaterThan(5);
      expect(committed.length).toBeGreaterThan(300);
      expect(committed.some((batch) => batch.events.length > 1)).toBe(true);
    },
  );
});
