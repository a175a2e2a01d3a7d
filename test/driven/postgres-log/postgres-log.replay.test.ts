import type { PostgresLoggerOptions, PostgresTransactionLog } from '../../../src/driven/postgres-log';
import { usePostgresLoggers } from '../../support/postgres-loggers';
import { appendMutation, collectEvents, eventsOf, type Event } from '../../support/collect-events';

const ROWS = 100_000;

const fixture = usePostgresLoggers();

function logger(table: string, options: PostgresLoggerOptions = {}): PostgresTransactionLog {
  return fixture.open(fixture.postgres.logEnv(table), options);
}

/** Creates the table through the logger, then fills it server-side with `select` (columns event_type, key, value over i; revision i). */
async function fill(table: string, rows: number, select: string): Promise<void> {
  const creator = logger(table);
  for await (const _ of creator.readEvents()) throw new Error('the new table should be empty');
  // One table serves one running instance: the creator makes way for the logger under test.
  await creator.close();
  await fixture.postgres.query(
    `INSERT INTO "${table}" (revision, event_type, key, value) SELECT i, ${select} FROM generate_series(1, $1::int) AS i ORDER BY i`,
    [rows],
  );
}

/** What generate_series row i holds: every tenth a delete, the rest puts with NUL and non-ASCII text. */
function expectedEvent(i: number): Event {
  const key = `key-${i % 1000}\u0000ü`;
  return i % 10 === 0
    ? { type: 'delete', key, sequence: i }
    : { type: 'put', key, value: `value-${i} 🗝️`, sequence: i };
}

const SELECT_100K = `
  CASE WHEN i % 10 = 0 THEN 'delete' ELSE 'put' END,
  convert_to('key-' || (i % 1000), 'UTF8') || '\\x00'::bytea || convert_to('ü', 'UTF8'),
  CASE WHEN i % 10 = 0 THEN NULL ELSE convert_to('value-' || i || ' 🗝️', 'UTF8') END`;

describe('PostgresTransactionLog replay', () => {
  it(`replays ${ROWS.toLocaleString('en')} rows in sequence order with their exact content`, async () => {
    const table = fixture.postgres.newTable();
    await fill(table, ROWS, SELECT_100K);

    let count = 0;
    let mismatch: { got: Event; want: Event } | undefined;
    for await (const page of logger(table).readEvents()) {
      for (const event of eventsOf(page)) {
        count++;
        const want = expectedEvent(count);
        if (mismatch === undefined && JSON.stringify(event) !== JSON.stringify(want)) mismatch = { got: event, want };
      }
    }
    expect(mismatch).toBeUndefined();
    expect(count).toBe(ROWS);
  });

  it('holds one page of rows at a time: rows deleted behind the first page are never yielded', async () => {
    const table = fixture.postgres.newTable();
    await fill(table, 5000, SELECT_100K);
    const pages = logger(table, { replayPageRows: 1000 }).readEvents()[Symbol.asyncIterator]();

    const first = await pages.next();
    expect(first.value).toHaveLength(1000);
    expect(eventsOf(first.value ?? [])[0]).toEqual(expectedEvent(1));
    // Had replay loaded everything up front, these rows would still come out.
    await fixture.postgres.query(`DELETE FROM "${table}" WHERE sequence > 1000`);
    expect((await pages.next()).done).toBe(true);
  });

  it('caps a page by bytes too, so pages of large values stay small', async () => {
    const table = fixture.postgres.newTable();
    // Ten 100 kB values; with a 250 kB page budget a page takes rows until 250 kB precede the next.
    await fill(table, 10, `'put', convert_to('big-' || i, 'UTF8'), convert_to(repeat('v', 100000), 'UTF8')`);
    const events = logger(table, { replayPageRows: 1000, replayPageBytes: 250_000 }).readEvents();
    const pages = events[Symbol.asyncIterator]();

    const first: readonly Event[] = eventsOf((await pages.next()).value ?? []);
    expect(first.map((event) => event.key)).toEqual(['big-1', 'big-2', 'big-3']);
    expect(first[2]).toEqual({ type: 'put', key: 'big-3', value: 'v'.repeat(100_000), sequence: 3 });
    // The rows behind the first page were not read yet.
    await fixture.postgres.query(`DELETE FROM "${table}" WHERE sequence > 3`);
    expect((await pages.next()).done).toBe(true);
  });

  it('continues the sequence after replay: the next append follows the last replayed row', async () => {
    const table = fixture.postgres.newTable();
    await fill(table, 3, `'put', convert_to('k' || i, 'UTF8'), convert_to('v', 'UTF8')`);
    const log = logger(table);
    const replayed = await collectEvents(log);
    const next = await appendMutation(log, { type: 'put', key: 'k4', value: 'v' });
    expect(replayed.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(next.sequence).toBeGreaterThan(3);
  });
});
