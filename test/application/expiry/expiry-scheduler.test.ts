import { KeyValueStore, LogUnavailableError } from '../../../src/core';
import { ExpiryScheduler } from '../../../src/application/expiry/expiry-scheduler';
import { eventually } from '../../support/eventually';
import { ManualClock, MemoryTransactionLog } from '../../support/memory-transaction-log';
import { recordingLogger } from '../../support/recording-logger';

async function setUp(keys: number) {
  const clock = new ManualClock();
  const log = new MemoryTransactionLog();
  const store = new KeyValueStore(log, undefined, undefined, clock);
  await store.restore();
  for (let i = 0; i < keys; i++) await store.put(`k${i}`, 'v', undefined, { ttlMs: 10 });
  return { clock, log, store };
}

describe('ExpiryScheduler', () => {
  it('drains what is due in bounded batches, one record each, counting them', async () => {
    const { clock, log, store } = await setUp(25);
    const counted: number[] = [];
    const scheduler = new ExpiryScheduler(store, {
      paused: () => false,
      expired: (keys) => counted.push(keys),
      logger: recordingLogger().logger,
      batchKeys: 10,
    });
    expect(await scheduler.drain()).toBe(0);
    clock.advance(10);
    expect(await scheduler.drain()).toBe(25);
    expect(counted).toEqual([10, 10, 5]);
    expect(log.events.slice(-3).map((record) => record.writes.length)).toEqual([10, 10, 5]);
  });

  it('logs nothing while paused (read-only), everything once the pause ends', async () => {
    const { clock, store } = await setUp(3);
    let readOnly = true;
    const scheduler = new ExpiryScheduler(store, {
      paused: () => readOnly,
      logger: recordingLogger().logger,
      intervalMs: 5,
    });
    clock.advance(10);
    scheduler.start();
    try {
      expect(await scheduler.drain()).toBe(0);
      expect(store.size).toBe(3);
      expect(store.range({}).entries).toEqual([]);
      readOnly = false;
      await eventually(() => store.size === 0, { describe: () => 'the expiries to be logged once read-only ends' });
    } finally {
      await scheduler.stop();
    }
  });

  it('warns once while the log refuses, and retries until it takes the deletes', async () => {
    const { clock, log, store } = await setUp(1);
    const recorded = recordingLogger();
    const scheduler = new ExpiryScheduler(store, { paused: () => false, logger: recorded.logger, intervalMs: 5 });
    clock.advance(10);
    log.failNext(3, new LogUnavailableError('disk full'));
    scheduler.start();
    try {
      await eventually(() => store.size === 0, { describe: () => 'the expiry to be logged after the failures' });
      expect(recorded.records.filter((record) => record.event === 'expiry_failed')).toHaveLength(1);
      await eventually(() => recorded.records.some((record) => record.event === 'expiry_recovered'), {
        describe: () => 'the recovery line',
      });
    } finally {
      await scheduler.stop();
    }
  });
});
