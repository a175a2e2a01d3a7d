import { LogUnavailableError, type Event, type Mutation, type TransactionLogger } from '../../src/core';
import { collectEvents } from '../support/collect-events';
import { HOSTILE_STRINGS } from '../support/hostile-strings';

/** One empty log store an adapter test provides; `open` may be called again after `close`. */
export interface LogFixture {
  /** Opens a logger on this fixture's storage (the same storage every time). */
  open(): Promise<TransactionLogger>;
  /** Removes the storage. */
  dispose(): Promise<void>;
}

/** How the contract suite gets a fresh, empty log for each test. */
export interface LoggerContractOptions {
  newFixture(): Promise<LogFixture>;
}

/** The state a sequence of events leaves: key to value. */
export function stateOf(events: readonly Event[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'put') state.set(event.key, event.value);
    else state.delete(event.key);
  }
  return state;
}

function strip({ sequence: _sequence, ...mutation }: Event): Mutation {
  return mutation;
}

/**
 * The behaviour every TransactionLogger adapter must show, run by each adapter's own test file
 * so the file log and the Postgres log are held to the very same rules.
 */
export function runTransactionLoggerContract(adapter: string, options: LoggerContractOptions): void {
  describe(`TransactionLogger contract: ${adapter}`, () => {
    let fixture: LogFixture;
    const open: TransactionLogger[] = [];

    async function openLog(): Promise<TransactionLogger> {
      const log = await fixture.open();
      open.push(log);
      return log;
    }

    async function reopen(log: TransactionLogger): Promise<TransactionLogger> {
      await log.close();
      return openLog();
    }

    beforeEach(async () => {
      fixture = await options.newFixture();
    });

    afterEach(async () => {
      await Promise.all(open.splice(0).map((log) => log.close().catch(() => undefined)));
      await fixture.dispose();
    });

    it('replays nothing from an empty log', async () => {
      const log = await openLog();
      expect(await collectEvents(log.readEvents())).toEqual([]);
    });

    it('gives appends increasing sequence numbers and replays them in order', async () => {
      let log = await openLog();
      await collectEvents(log.readEvents());
      const a = await log.append({ type: 'put', key: 'a', value: '1' });
      const b = await log.append({ type: 'put', key: 'b', value: '2' });
      const c = await log.append({ type: 'delete', key: 'a' });
      expect(a.sequence).toBeLessThan(b.sequence);
      expect(b.sequence).toBeLessThan(c.sequence);
      expect(c).toEqual({ type: 'delete', key: 'a', sequence: c.sequence });

      log = await reopen(log);
      expect(await collectEvents(log.readEvents())).toEqual([a, b, c]);
    });

    it('continues the sequence after a reopen', async () => {
      let log = await openLog();
      await collectEvents(log.readEvents());
      const first = await log.append({ type: 'put', key: 'k', value: 'v1' });
      log = await reopen(log);
      await collectEvents(log.readEvents());
      const second = await log.append({ type: 'put', key: 'k', value: 'v2' });
      expect(second.sequence).toBeGreaterThan(first.sequence);
      log = await reopen(log);
      expect((await collectEvents(log.readEvents())).map(strip)).toEqual([
        { type: 'put', key: 'k', value: 'v1' },
        { type: 'put', key: 'k', value: 'v2' },
      ]);
    });

    it('round-trips hostile keys and values and a 1 MiB value exactly', async () => {
      let log = await openLog();
      await collectEvents(log.readEvents());
      const big = 'x'.repeat(1024 * 1024 - 4) + '🔑';
      const written: Mutation[] = [
        ...HOSTILE_STRINGS.map((s): Mutation => ({ type: 'put', key: s, value: s })),
        { type: 'put', key: 'big', value: big },
        { type: 'put', key: 'empty value', value: '' },
        { type: 'delete', key: HOSTILE_STRINGS[0] },
      ];
      for (const mutation of written) await log.append(mutation);
      log = await reopen(log);
      const replayed = (await collectEvents(log.readEvents())).map(strip);
      expect(replayed).toEqual(written);
      expect(replayed.find((m) => m.key === 'big')).toEqual({ type: 'put', key: 'big', value: big });
    });

    it('keeps 1,000 concurrent appends to mixed keys, resolving in call order', async () => {
      let log = await openLog();
      await collectEvents(log.readEvents());
      const mutations: Mutation[] = Array.from({ length: 1000 }, (_, i) =>
        i % 7 === 3
          ? { type: 'delete', key: `key-${i % 37}` }
          : { type: 'put', key: `key-${i % 37}`, value: `value-${i}` },
      );
      const resolvedOrder: number[] = [];
      const events = await Promise.all(
        mutations.map((m, i) =>
          log.append(m).then((event) => {
            resolvedOrder.push(i);
            return event;
          }),
        ),
      );
      expect(resolvedOrder).toEqual(mutations.map((_, i) => i));
      expect(events.map(strip)).toEqual(mutations);
      for (let i = 1; i < events.length; i++) expect(events[i].sequence).toBeGreaterThan(events[i - 1].sequence);

      const expected = new Map<string, string>();
      for (const m of mutations) {
        if (m.type === 'put') expected.set(m.key, m.value);
        else expected.delete(m.key);
      }
      log = await reopen(log);
      const replayed = await collectEvents(log.readEvents());
      expect(replayed).toEqual(events);
      const state = new Map<string, string>();
      for (const e of replayed) {
        if (e.type === 'put') state.set(e.key, e.value);
        else state.delete(e.key);
      }
      expect(state).toEqual(expected);
    });

    it('lets close finish appends already in flight', async () => {
      let log = await openLog();
      await collectEvents(log.readEvents());
      const pending = Array.from({ length: 50 }, (_, i) => log.append({ type: 'put', key: `k${i}`, value: `${i}` }));
      await log.close();
      const events = await Promise.all(pending);
      log = await openLog();
      expect(await collectEvents(log.readEvents())).toEqual(events);
    });

    it('is replayed once, before the first append', async () => {
      const log = await openLog();
      await expect(log.append({ type: 'put', key: 'early', value: 'v' })).rejects.toBeInstanceOf(LogUnavailableError);
      await collectEvents(log.readEvents());
      await expect(collectEvents(log.readEvents())).rejects.toThrow(/only once/);
      const event = await log.append({ type: 'put', key: 'k', value: 'v' });
      expect(event).toMatchObject({ type: 'put', key: 'k', value: 'v' });
      const reopened = await reopen(log);
      expect((await collectEvents(reopened.readEvents())).map(strip)).toEqual([{ type: 'put', key: 'k', value: 'v' }]);
    });

    it('compacts to the same state while appends go on, and the sequence keeps increasing', async () => {
      let log = await openLog();
      await collectEvents(log.readEvents());
      const live = new Map<string, string>();
      log.attachLiveState(live);
      const applied: Event[] = [];
      const apply = (event: Event): Event => {
        if (event.type === 'put') live.set(event.key, event.value);
        else live.delete(event.key);
        applied.push(event);
        return event;
      };
      for (let i = 0; i < 300; i++) {
        const key = `k${i % 13}`;
        apply(await log.append(i % 10 === 9 ? { type: 'delete', key } : { type: 'put', key, value: `v${i}` }));
      }
      const during = Array.from({ length: 60 }, (_, i) =>
        log.append({ type: 'put', key: `during-${i % 7}`, value: `${i}` }).then(apply),
      );
      const report = await log.compact();
      await Promise.all(during);
      expect(report.bytesAfter).toBeLessThan(report.bytesBefore);
      const after = apply(await log.append({ type: 'delete', key: 'k0' }));
      expect(after.sequence).toBeGreaterThan(Math.max(...applied.slice(0, -1).map((event) => event.sequence)));

      log = await reopen(log);
      const replayed = await collectEvents(log.readEvents());
      expect(stateOf(replayed)).toEqual(live);
      expect(replayed.length).toBeLessThan(applied.length);
      for (let i = 1; i < replayed.length; i++) {
        expect(replayed[i].sequence).toBeGreaterThanOrEqual(replayed[i - 1].sequence);
      }
      const next = await log.append({ type: 'put', key: 'next', value: 'v' });
      expect(next.sequence).toBeGreaterThan(after.sequence);
    });

    it('rejects appends after close', async () => {
      const log = await openLog();
      await collectEvents(log.readEvents());
      await log.close();
      await expect(log.append({ type: 'put', key: 'late', value: 'v' })).rejects.toThrow();
    });
  });
}
