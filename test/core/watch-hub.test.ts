import {
  keyFilter,
  prefixFilter,
  RevisionCompactedError,
  WatchHub,
  WatchTooSlowError,
  type WatchMessage,
} from '../../src/core';
import { drain, Feed, Reader } from '../support/watch-feed';

const big = { historyBytes: 1 << 20, bufferBytes: 1 << 20 };

function changes(message: WatchMessage | undefined): { revision: number; events: [string, string, string][] } {
  if (message?.type !== 'change') throw new Error(`expected a change, got ${JSON.stringify(message)}`);
  return { revision: message.revision, events: message.events.map((e) => [e.type, e.entry.key, e.entry.value]) };
}

describe('WatchHub', () => {
  it('delivers each revision on the watched key with its entry and previous entry, in order', async () => {
    const hub = new WatchHub(0, big);
    const feed = new Feed(hub);
    const watcher = hub.watch({ filter: keyFilter('a') });
    const first = watcher.receive();
    feed.put('a', '1');
    feed.put('b', 'x');
    feed.put('a', '2');
    feed.delete('a');
    expect(changes(await first)).toEqual({ revision: 1, events: [['put', 'a', '1']] });
    const second = await watcher.receive();
    expect(changes(second)).toEqual({ revision: 3, events: [['put', 'a', '2']] });
    expect(second?.type === 'change' && second.events[0]).toMatchObject({
      entry: { createRevision: 1, modRevision: 3, version: 2 },
      previous: { value: '1', modRevision: 1, version: 1 },
    });
    const deletion = await watcher.receive();
    expect(changes(deletion)).toEqual({ revision: 4, events: [['delete', 'a', '']] });
    expect(deletion?.type === 'change' && deletion.events[0].previous?.value).toBe('2');
    expect(watcher.resumeRevision).toBe(5);
  });

  it('delivers the events of one transaction together, only those on the watched keys', async () => {
    const hub = new WatchHub(0, big);
    const feed = new Feed(hub);
    const watcher = hub.watch({ filter: prefixFilter('p/') });
    feed.commit([
      { key: 'p/1', value: 'a' },
      { key: 'q', value: 'b' },
      { key: 'p/2', value: 'c' },
    ]);
    feed.commit([{ key: 'p/1' }, { key: 'p/2', value: 'd' }]);
    expect((await drain(watcher)).map(changes)).toEqual([
      {
        revision: 1,
        events: [
          ['put', 'p/1', 'a'],
          ['put', 'p/2', 'c'],
        ],
      },
      {
        revision: 2,
        events: [
          ['delete', 'p/1', ''],
          ['put', 'p/2', 'd'],
        ],
      },
    ]);
  });

  it('starts at a past revision from the history, then follows live, with no gap and no duplicate', async () => {
    const hub = new WatchHub(0, big);
    const feed = new Feed(hub);
    for (let i = 1; i <= 5; i++) feed.put(`k${i % 2}`, `v${i}`);
    const watcher = new Reader(hub.watch({ filter: keyFilter('k1'), startRevision: 2 }));
    const caughtUp = await watcher.drain();
    feed.put('k1', 'v6');
    feed.put('k0', 'v7');
    feed.put('k1', 'v8');
    const live = await watcher.drain();
    expect([...caughtUp, ...live].map((m) => changes(m).revision)).toEqual([3, 5, 6, 8]);
  });

  it('refuses a start before the history with REVISION_COMPACTED and the oldest revision still available', () => {
    // Room for about two small events: older revisions fall out of the history.
    const hub = new WatchHub(10, { historyBytes: 400, bufferBytes: 1 << 20 });
    const feed = new Feed(hub, 10);
    expect(() => hub.watch({ filter: prefixFilter(''), startRevision: 10 })).toThrow(RevisionCompactedError);
    for (let i = 0; i < 5; i++) feed.put('k', 'v');
    const oldest = hub.history.oldestAvailable;
    expect(oldest).toBeGreaterThan(11);
    expect(oldest).toBeLessThanOrEqual(15);
    try {
      hub.watch({ filter: prefixFilter(''), startRevision: oldest - 1 });
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(RevisionCompactedError);
      expect((error as RevisionCompactedError).compactRevision).toBe(oldest);
      expect((error as RevisionCompactedError).code).toBe('REVISION_COMPACTED');
    }
    expect(hub.watch({ filter: prefixFilter(''), startRevision: oldest })).toBeDefined();
  });

  it('compaction prunes the history: old starts are refused, live watchers go on undisturbed', async () => {
    const hub = new WatchHub(0, big);
    const feed = new Feed(hub);
    const live = hub.watch({ filter: prefixFilter('') });
    for (let i = 1; i <= 4; i++) feed.put('k', `v${i}`);
    const behind = hub.watch({ filter: prefixFilter(''), startRevision: 1 });
    expect(changes(await behind.receive()).revision).toBe(1);
    hub.compact(3);
    expect(() => hub.watch({ filter: prefixFilter(''), startRevision: 2 })).toThrow(RevisionCompactedError);
    feed.put('k', 'v5');
    expect((await drain(live)).map((m) => changes(m).revision)).toEqual([1, 2, 3, 4, 5]);
    // The watcher still catching up needs revision 2, which is gone: it is told so, not given a gap.
    await expect(behind.receive()).rejects.toMatchObject({ code: 'REVISION_COMPACTED', compactRevision: 3 });
    expect(changes((await drain(hub.watch({ filter: prefixFilter(''), startRevision: 3 })))[0]).revision).toBe(3);
  });

  it('drops a consumer that stops reading once its buffer is full, without touching others; it may resume', async () => {
    const hub = new WatchHub(0, { historyBytes: 1 << 20, bufferBytes: 4096 });
    const feed = new Feed(hub);
    const slow = hub.watch({ filter: prefixFilter('') });
    const fast = new Reader(hub.watch({ filter: prefixFilter('') }));
    feed.put('k', 'x');
    expect(changes(await slow.receive()).revision).toBe(1);
    const delivered: number[] = [];
    for (let i = 0; i < 200; i++) {
      feed.put('k', 'y'.repeat(100));
      delivered.push(...(await fast.drain()).map((m) => changes(m).revision));
      expect(slow.buffered).toBeLessThanOrEqual(4096);
    }
    expect(delivered).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    await expect(slow.receive()).rejects.toBeInstanceOf(WatchTooSlowError);
    expect(slow.buffered).toBe(0);
    expect(hub.size).toBe(1);
    const resumed = hub.watch({ filter: prefixFilter(''), startRevision: slow.resumeRevision });
    expect((await drain(resumed)).map((m) => changes(m).revision)).toEqual(
      Array.from({ length: 201 - 1 }, (_, i) => i + 2),
    );
  });

  it('sends a heartbeat with the current revision to idle watchers only', async () => {
    const hub = new WatchHub(7, big);
    const feed = new Feed(hub, 7);
    const idle = hub.watch({ filter: keyFilter('quiet') });
    const busy = new Reader(hub.watch({ filter: keyFilter('loud') }));
    await busy.drain();
    const waiting = idle.receive();
    feed.put('loud', '1');
    hub.tick();
    expect(await waiting).toEqual({ type: 'progress', revision: 8 });
    expect(changes((await busy.drain())[0]).revision).toBe(8);
    hub.tick();
    // Idle since the last tick now: it gets its heartbeat.
    expect(await busy.drain()).toEqual([{ type: 'progress', revision: 8 }]);
    expect(idle.resumeRevision).toBe(9);
  });

  it('ticks the heartbeats of one slice of the watchers at a time (by opening order); each slice in turn covers them all', async () => {
    const hub = new WatchHub(3, big);
    const watchers = Array.from({ length: 4 }, () => hub.watch({ filter: keyFilter('idle') }));
    const waiting = watchers.map((watcher) => watcher.receive());
    const settled = new Set<number>();
    waiting.forEach((promise, i) => void promise.then(() => settled.add(i)));
    hub.tick(1, 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...settled].sort()).toEqual([1, 3]);
    hub.tick(0, 2);
    expect(await Promise.all(waiting)).toEqual(Array(4).fill({ type: 'progress', revision: 3 }));
  });

  it('offers every watcher of one key, and every watcher of one prefix, the same message object (a transport encodes it once)', async () => {
    const hub = new WatchHub(0, big);
    const feed = new Feed(hub);
    const ofKey = [hub.watch({ filter: keyFilter('p/a') }), hub.watch({ filter: keyFilter('p/a') })];
    const ofPrefix = [hub.watch({ filter: prefixFilter('p/') }), hub.watch({ filter: prefixFilter('p/') })];
    const other = hub.watch({ filter: prefixFilter('p/b') });
    const received = [...ofKey, ...ofPrefix, other].map((watcher) => watcher.receive());
    feed.commit([
      { key: 'p/a', value: '1' },
      { key: 'p/b', value: '2' },
    ]);
    const [keyA, keyB, prefixA, prefixB, otherPrefix] = await Promise.all(received);
    expect(keyA).toBe(keyB);
    expect(prefixA).toBe(prefixB);
    expect(changes(keyA).events).toEqual([['put', 'p/a', '1']]);
    expect(changes(prefixA).events).toEqual([
      ['put', 'p/a', '1'],
      ['put', 'p/b', '2'],
    ]);
    expect(changes(otherPrefix).events).toEqual([['put', 'p/b', '2']]);
    // A watcher that left its group stops being offered; the rest of the group goes on.
    ofPrefix[0].cancel();
    const next = ofPrefix[1].receive();
    feed.put('p/c', '3');
    expect(changes(await next).events).toEqual([['put', 'p/c', '3']]);
  });

  it('waits for a future start revision', async () => {
    const hub = new WatchHub(0, big);
    const feed = new Feed(hub);
    const watcher = hub.watch({ filter: prefixFilter(''), startRevision: 3 });
    for (let i = 0; i < 4; i++) feed.put('k', `${i}`);
    expect((await drain(watcher)).map((m) => changes(m).revision)).toEqual([3, 4]);
  });

  it('ends every watch at close and opens no more; a cancelled watcher is forgotten', async () => {
    const hub = new WatchHub(0, big);
    const a = hub.watch({ filter: keyFilter('a') });
    const b = hub.watch({ filter: prefixFilter('') });
    b.cancel();
    expect(hub.size).toBe(1);
    expect(await b.receive()).toBeUndefined();
    const pending = a.receive();
    hub.close();
    expect(await pending).toBeUndefined();
    expect(hub.size).toBe(0);
    expect(() => hub.watch({ filter: keyFilter('a') })).toThrow(/closed/);
  });
});
