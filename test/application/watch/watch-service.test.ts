import {
  WatchService,
  WatchersExhaustedError,
  type WatchEnd,
  type WatchSink,
} from '../../../src/application/watch/watch-service';
import { WATCH_DEFAULTS } from '../../../src/application/watch/watch.config';
import { prefixFilter, WatchHub, type WatchMessage } from '../../../src/core';
import { Feed } from '../../support/watch-feed';

/** A sink that records what it is given; `blocked` makes every write wait for a drain that never comes. */
class RecordingSink implements WatchSink {
  readonly messages: WatchMessage[] = [];
  readonly ends: WatchEnd[] = [];
  blocked = false;

  send(message: WatchMessage): void | Promise<void> {
    this.messages.push(message);
    return this.blocked ? new Promise<void>(() => undefined) : undefined;
  }

  close(end: WatchEnd): void {
    this.ends.push(end);
  }
}

function setup(config: Partial<typeof WATCH_DEFAULTS> = {}) {
  const hub = new WatchHub(0, { historyBytes: 1 << 20, bufferBytes: config.bufferBytes ?? 4096 });
  const events: string[] = [];
  const service = new WatchService(
    hub,
    { ...WATCH_DEFAULTS, ...config },
    {
      watcherOpened: (transport) => events.push(`open ${transport}`),
      watcherClosed: (transport, reason) => events.push(`close ${transport} ${reason}`),
      delivered: (transport, count) => events.push(`delivered ${transport} ${count}`),
    },
  );
  return { hub, service, feed: new Feed(hub), events };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('WatchService', () => {
  it('streams changes into the sink and reports them; a client that leaves is forgotten', async () => {
    const { service, feed, events } = setup();
    const session = service.open('rest', { filter: prefixFilter('') });
    const sink = new RecordingSink();
    const running = session.run(sink);
    feed.put('a', '1');
    feed.commit([
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ]);
    await settle();
    expect(sink.messages.map((m) => `${m.type} ${m.revision}`)).toEqual(['progress 0', 'change 1', 'change 2']);
    session.cancel();
    await running;
    expect(service.size).toBe(0);
    expect(sink.ends).toEqual([]);
    expect(events).toEqual(['open rest', 'delivered rest 1', 'delivered rest 2', 'close rest client']);
  });

  it('refuses watches beyond KVS_MAX_WATCHERS and takes them again once one ends', () => {
    const { service } = setup({ maxWatchers: 2 });
    const first = service.open('rest', { filter: prefixFilter('') });
    service.open('grpc', { filter: prefixFilter('') });
    expect(() => service.open('grpc', { filter: prefixFilter('') })).toThrow(WatchersExhaustedError);
    first.cancel();
    expect(service.open('grpc', { filter: prefixFilter('') })).toBeDefined();
  });

  it('ends every stream at shutdown at once, even one whose client stopped reading, with the current revision', async () => {
    const { service, feed, events } = setup();
    const stuck = service.open('rest', { filter: prefixFilter('') });
    const idle = service.open('grpc', { filter: prefixFilter('nothing/') });
    const stuckSink = new RecordingSink();
    stuckSink.blocked = true;
    const idleSink = new RecordingSink();
    const runs = [stuck.run(stuckSink), idle.run(idleSink)];
    feed.put('a', '1');
    await settle();
    service.shutdown();
    await Promise.all(runs);
    expect(stuckSink.ends).toEqual([{ reason: 'shutdown', revision: 1 }]);
    expect(idleSink.ends).toEqual([{ reason: 'shutdown', revision: 1 }]);
    expect(events.filter((e) => e.startsWith('close')).sort()).toEqual(['close grpc shutdown', 'close rest shutdown']);
    expect(() => service.open('rest', { filter: prefixFilter('') })).toThrow(WatchersExhaustedError);
  });

  it('closes a stream whose consumer fell behind with WATCH_TOO_SLOW while its write is still stuck', async () => {
    const { service, feed, events } = setup({ bufferBytes: 2048 });
    const session = service.open('grpc', { filter: prefixFilter('') });
    const sink = new RecordingSink();
    const running = session.run(sink);
    feed.put('k', 'v'.repeat(200));
    await settle();
    sink.blocked = true;
    for (let i = 0; i < 50; i++) feed.put('k', 'v'.repeat(200));
    await running;
    expect(sink.ends).toHaveLength(1);
    const end = sink.ends[0];
    expect(end.reason).toBe('too_slow');
    expect(end.reason === 'too_slow' && (end.error as { code?: string }).code).toBe('WATCH_TOO_SLOW');
    expect(session.resumeRevision).toBe(3);
    expect(events).toContain('close grpc too_slow');
  });

  it('ends a stream when its token expires', async () => {
    const { service } = setup();
    const session = service.open('rest', { filter: prefixFilter(''), expiresAt: Date.now() + 50 });
    const sink = new RecordingSink();
    await session.run(sink);
    expect(sink.ends).toEqual([{ reason: 'expired' }]);
  });

  it('starts every stream with a progress message at the revision before its start', async () => {
    const { service, feed } = setup();
    feed.put('a', '1');
    const live = new RecordingSink();
    const past = new RecordingSink();
    const runs = [
      service.open('rest', { filter: prefixFilter('') }).run(live),
      service.open('grpc', { filter: prefixFilter(''), startRevision: 1 }).run(past),
    ];
    await settle();
    expect(live.messages).toEqual([{ type: 'progress', revision: 1 }]);
    expect(past.messages.map((m) => `${m.type} ${m.revision}`)).toEqual(['progress 0', 'change 1']);
    service.shutdown();
    await Promise.all(runs);
  });

  it('sends heartbeats to idle streams every KVS_WATCH_HEARTBEAT_MS', async () => {
    const { service, feed } = setup({ heartbeatMs: 100 });
    service.start();
    const session = service.open('rest', { filter: prefixFilter('quiet/') });
    const sink = new RecordingSink();
    const running = session.run(sink);
    feed.put('loud', '1');
    while (sink.messages.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.messages).toEqual([
      { type: 'progress', revision: 0 },
      { type: 'progress', revision: 1 },
    ]);
    service.shutdown();
    await running;
  });
});
