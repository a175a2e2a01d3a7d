import { KeyValueStore, LogUnavailableError, type KeyEntry, type LogRecord, type TransactionLog } from '../../src/core';
import { appendMutation, collectEvents, collectRecords, type Event, type Mutation } from '../support/collect-events';
import { HOSTILE_STRINGS } from '../support/hostile-strings';

/** One empty log store an adapter test provides; `open` may be called again after `close`. */
export interface LogFixture {
  /** Opens a logger on this fixture's storage (the same storage every time). */
  open(): Promise<TransactionLog>;
  /** Removes the storage. */
  dispose(): Promise<void>;
}

/** How the contract suite gets a fresh, empty log for each test. */
export interface LoggerContractOptions {
  newFixture(): Promise<LogFixture>;
}

/** Every entry of a store, in key order. */
function everything(store: KeyValueStore): KeyEntry[] {
  return store.range({ limit: 1000 }).entries.slice();
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
 * The behaviour every TransactionLog adapter must show, run by each adapter's own test file
 * so the file log and the Postgres log are held to the very same rules.
 */
export function runTransactionLogContract(adapter: string, options: LoggerContractOptions): void {
  describe(`TransactionLog contract: ${adapter}`, () => {
    let fixture: LogFixture;
    const open: TransactionLog[] = [];

    async function openLog(): Promise<TransactionLog> {
      const log = await fixture.open();
      open.push(log);
      return log;
    }

    async function reopen(log: TransactionLog): Promise<TransactionLog> {
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
      expect(await collectEvents(log)).toEqual([]);
    });

    it('gives appends increasing sequence numbers and replays them in order', async () => {
      let log = await openLog();
      await collectEvents(log);
      const a = await appendMutation(log, { type: 'put', key: 'a', value: '1' });
      const b = await appendMutation(log, { type: 'put', key: 'b', value: '2' });
      const c = await appendMutation(log, { type: 'delete', key: 'a' });
      expect(a.sequence).toBeLessThan(b.sequence);
      expect(b.sequence).toBeLessThan(c.sequence);
      expect(c).toEqual({ type: 'delete', key: 'a', sequence: c.sequence });

      log = await reopen(log);
      expect(await collectEvents(log)).toEqual([a, b, c]);
    });

    it('refuses a record whose revision does not exceed the last durable one, writing nothing', async () => {
      let log = await openLog();
      await collectRecords(log);
      const put = (revision: number, value: string) =>
        log.append({ revision, writes: [{ type: 'put', key: 'k', value, createRevision: 1, version: revision }] });
      await put(1, 'first');
      await expect(put(1, 'again')).rejects.toThrow(/not after the last durable revision 1/);
      await put(2, 'second');
      log = await reopen(log);
      expect((await collectRecords(log)).map((record) => record.revision)).toEqual([1, 2]);
    });

    it('continues the sequence after a reopen', async () => {
      let log = await openLog();
      await collectEvents(log);
      const first = await appendMutation(log, { type: 'put', key: 'k', value: 'v1' });
      log = await reopen(log);
      await collectEvents(log);
      const second = await appendMutation(log, { type: 'put', key: 'k', value: 'v2' });
      expect(second.sequence).toBeGreaterThan(first.sequence);
      log = await reopen(log);
      expect((await collectEvents(log)).map(strip)).toEqual([
        { type: 'put', key: 'k', value: 'v1' },
        { type: 'put', key: 'k', value: 'v2' },
      ]);
    });

    it('round-trips hostile keys and values and a 1 MiB value exactly', async () => {
      let log = await openLog();
      await collectEvents(log);
      const big = 'x'.repeat(1024 * 1024 - 4) + '🔑';
      const written: Mutation[] = [
        ...HOSTILE_STRINGS.map((s): Mutation => ({ type: 'put', key: s, value: s })),
        { type: 'put', key: 'big', value: big },
        { type: 'put', key: 'empty value', value: '' },
        { type: 'delete', key: HOSTILE_STRINGS[0] },
      ];
      for (const mutation of written) await appendMutation(log, mutation);
      log = await reopen(log);
      const replayed = (await collectEvents(log)).map(strip);
      expect(replayed).toEqual(written);
      expect(replayed.find((m) => m.key === 'big')).toEqual({ type: 'put', key: 'big', value: big });
    });

    it('keeps 1,000 concurrent appends to mixed keys, resolving in call order', async () => {
      let log = await openLog();
      await collectEvents(log);
      const mutations: Mutation[] = Array.from({ length: 1000 }, (_, i) =>
        i % 7 === 3
          ? { type: 'delete', key: `key-${i % 37}` }
          : { type: 'put', key: `key-${i % 37}`, value: `value-${i}` },
      );
      const resolvedOrder: number[] = [];
      const events = await Promise.all(
        mutations.map((m, i) =>
          appendMutation(log, m).then((event) => {
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
      const replayed = await collectEvents(log);
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
      await collectEvents(log);
      const pending = Array.from({ length: 50 }, (_, i) =>
        appendMutation(log, { type: 'put', key: `k${i}`, value: `${i}` }),
      );
      await log.close();
      const events = await Promise.all(pending);
      log = await openLog();
      expect(await collectEvents(log)).toEqual(events);
    });

    it('is replayed once, before the first append', async () => {
      const log = await openLog();
      await expect(appendMutation(log, { type: 'put', key: 'early', value: 'v' })).rejects.toBeInstanceOf(
        LogUnavailableError,
      );
      await collectEvents(log);
      await expect(collectEvents(log)).rejects.toThrow(/only once/);
      const event = await appendMutation(log, { type: 'put', key: 'k', value: 'v' });
      expect(event).toMatchObject({ type: 'put', key: 'k', value: 'v' });
      const reopened = await reopen(log);
      expect((await collectEvents(reopened)).map(strip)).toEqual([{ type: 'put', key: 'k', value: 'v' }]);
    });

    it('replays multi-key records whole, with every revision and version as appended', async () => {
      let log = await openLog();
      await collectRecords(log);
      const records: LogRecord[] = [
        { revision: 1, writes: [{ type: 'put', key: 'a', value: '1', createRevision: 1, version: 1 }] },
        {
          revision: 2,
          writes: [
            { type: 'put', key: 'a', value: '2', createRevision: 1, version: 2 },
            { type: 'put', key: 'b', value: '', createRevision: 2, version: 1 },
            { type: 'delete', key: 'c' },
          ],
        },
        { revision: 7, writes: HOSTILE_STRINGS.map((key) => ({ type: 'delete' as const, key })) },
        {
          revision: 8,
          writes: [{ type: 'put', key: 'big', value: 'x'.repeat(200_000), createRevision: 3, version: 9 }],
        },
      ];
      for (const record of records) await log.append(record);
      log = await reopen(log);
      expect(await collectRecords(log)).toEqual(records);
    });

    it('restores a store exactly: revisions, metadata and the store revision, after compaction too', async () => {
      let log = await openLog();
      const store = new KeyValueStore(log);
      await store.restore();
      for (let i = 0; i < 200; i++) {
        const key = `k${i % 13}`;
        if (i % 10 === 9) await store.delete(key);
        else await store.put(key, `v${i}`);
      }
      await store.txn({
        compare: [{ key: 'k1', target: 'exists', op: '==', operand: true }],
        success: [
          { type: 'put', key: 'txn-a', value: 'A' },
          { type: 'delete', key: 'k2' },
          { type: 'put', key: 'k3', value: 'three' },
        ],
        failure: [],
      });
      await store.deleteRange({ prefix: 'k1' });
      const during = Array.from({ length: 40 }, (_, i) => store.put(`during-${i % 7}`, `${i}`));
      const report = await store.compact();
      await Promise.all(during);
      expect(report.bytesAfter).toBeLessThan(report.bytesBefore);
      await store.put('after', 'compaction');
      // The history ends with a delete: the revision it made must survive the next compaction.
      await store.delete('after');
      await store.compact();
      const expected = everything(store);
      const revision = store.revision;

      log = await reopen(log);
      const restored = new KeyValueStore(log);
      expect((await restored.restore()).revision).toBe(revision);
      expect(everything(restored)).toEqual(expected);
      const next = await restored.put('next', 'v');
      expect(next.revision).toBe(revision + 1);
      log = await reopen(log);
      const again = new KeyValueStore(log);
      await again.restore();
      expect(again.revision).toBe(revision + 1);
      expect(again.getEntry('next')).toEqual(next.entry);
    });

    it('replays base every record a compaction rewrote, and whole and unmarked every record appended after it', async () => {
      let log = await openLog();
      const store = new KeyValueStore(log);
      await store.restore();
      for (let i = 0; i < 30; i++) await store.put(`k${i % 4}`, `v${i}`);
      await store.delete('k0');
      log = await reopen(log);
      // Never compacted: nothing is base.
      expect((await collectRecords(log)).filter((record) => record.base)).toEqual([]);
      log = await reopen(log);
      const restored = new KeyValueStore(log);
      await restored.restore();
      await restored.compact();
      const compactedAt = restored.revision;
      await restored.put('k1', 'after');
      await restored.txn({
        compare: [],
        success: [
          { type: 'put', key: 'k2', value: 'x' },
          { type: 'delete', key: 'k3' },
        ],
        failure: [],
      });
      log = await reopen(log);
      const records = await collectRecords(log);
      const rewritten = records.filter((record) => record.revision <= compactedAt);
      expect(rewritten.length).toBeGreaterThan(0);
      expect(rewritten.filter((record) => record.base !== true)).toEqual([]);
      expect(records.filter((record) => record.revision > compactedAt)).toEqual([
        {
          revision: compactedAt + 1,
          writes: [{ type: 'put', key: 'k1', value: 'after', createRevision: 2, version: 9 }],
        },
        {
          revision: compactedAt + 2,
          writes: [
            { type: 'put', key: 'k2', value: 'x', createRevision: 3, version: 8 },
            { type: 'delete', key: 'k3' },
          ],
        },
      ]);
    });

    it('keeps deadlines, lease attachments and lease grants and revokes, through compaction too', async () => {
      const records: LogRecord[] = [
        { revision: 1, writes: [], leases: [{ type: 'grant', id: 2 ** 52 + 7, ttlMs: 10_000 }] },
        {
          revision: 2,
          writes: [
            { type: 'put', key: 'ttl', value: 't', createRevision: 2, version: 1, expiresAt: 4_102_444_800_000 },
            { type: 'put', key: 'leased', value: 'l', createRevision: 2, version: 1, lease: 2 ** 52 + 7 },
          ],
        },
        { revision: 3, writes: [], leases: [{ type: 'grant', id: 5, ttlMs: 1 }] },
        { revision: 4, writes: [{ type: 'delete', key: 'gone' }], leases: [{ type: 'revoke', id: 5 }] },
      ];
      let log = await openLog();
      await collectRecords(log);
      for (const record of records) await log.append(record);
      log = await reopen(log);
      expect(await collectRecords(log)).toEqual(records);
      log = await reopen(log);
      const store = new KeyValueStore(log);
      await store.restore();
      const { id } = await store.grantLease(60_000);
      await store.put('mine', 'm', undefined, { lease: id });
      await store.put('ttl2', 'x', undefined, { ttlMs: 3_600_000 });
      await store.put('ttl', 'overwritten');
      await store.compact();
      const expected = everything(store);
      const leases = [2 ** 52 + 7, id].map((lease) => ({
        ...store.leaseStatus(lease),
        deadline: undefined,
        remainingMs: undefined,
      }));
      log = await reopen(log);
      const restored = new KeyValueStore(log);
      await restored.restore();
      expect(everything(restored)).toEqual(expected);
      expect(expected.find((entry) => entry.key === 'ttl2')?.expiresAt).toBeGreaterThan(Date.now());
      expect(
        [2 ** 52 + 7, id].map((lease) => ({
          ...restored.leaseStatus(lease),
          deadline: undefined,
          remainingMs: undefined,
        })),
      ).toEqual(leases);
      expect(() => restored.leaseStatus(5)).toThrow('not found');
    });

    it('rejects appends after close', async () => {
      const log = await openLog();
      await collectEvents(log);
      await log.close();
      await expect(appendMutation(log, { type: 'put', key: 'late', value: 'v' })).rejects.toThrow();
    });
  });
}
