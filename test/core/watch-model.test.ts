import { keyFilter, prefixFilter, WatchHub, type ChangeBatch, type WatchFilter, type Watcher } from '../../src/core';
import { SeededRandom } from '../support/seeded-random';
import { Feed } from '../support/watch-feed';

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

/** Concurrent writers of puts, deletes and multi-key transactions. */
async function runWriter(feed: Feed, random: SeededRandom, writes: number): Promise<void> {
  for (let i = 0; i < writes; i++) {
    const roll = random.next();
    if (roll < 0.5) feed.put(random.pick(KEYS), `v${random.int(0, 99)}`);
    else if (roll < 0.7) feed.delete(random.pick(KEYS));
    else {
      const keys = [...new Set(Array.from({ length: random.int(2, 4) }, () => random.pick(KEYS)))];
      feed.commit(keys.map((key) => (random.chance(0.3) ? { key } : { key, value: `t${random.int(0, 99)}` })));
    }
    await pause(random);
  }
}

describe('watch: randomized model', () => {
  it.each([1, 2, 3, 4, 5])(
    'seed %i: every watcher sees exactly the committed history of its keys from its start, once, in order',
    async (seed) => {
      const random = new SeededRandom(seed);
      // A small buffer, so that slow readers are dropped and resume too.
      const hub = new WatchHub(0, { historyBytes: 64 << 20, bufferBytes: 2048 });
      const committed: ChangeBatch[] = [];
      const feed = new Feed({
        observe: (batch: ChangeBatch) => (committed.push(batch), hub.observe(batch)),
      } as unknown as WatchHub);
      let writing = true;
      const clients: Promise<{ filter: WatchFilter; start: number; result: Awaited<ReturnType<typeof runClient>> }>[] =
        [];
      const startClient = () => {
        const { filter } = random.pick(FILTERS);
        const start = random.int(1, feed.revision + 1);
        const clientRandom = new SeededRandom(random.int(0, 2 ** 31));
        clients.push(
          runClient(hub, filter, start, clientRandom, () => !writing).then((result) => ({ filter, start, result })),
        );
      };
      for (let i = 0; i < 8; i++) startClient();
      const writers = Array.from({ length: 4 }, () => runWriter(feed, new SeededRandom(random.int(0, 2 ** 31)), 150));
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
      expect(committed.length).toBe(600);
    },
  );
});
