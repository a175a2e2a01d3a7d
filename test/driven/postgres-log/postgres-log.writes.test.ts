import { COMPACTED_KEY } from '../../../src/driven/postgres-log/postgres-log-statements';
import { appendMutation, type Mutation } from '../../support/collect-events';
import { LogOverloadedError } from '../../../src/core';
import type { PostgresTransactionLog } from '../../../src/driven/postgres-log';
import { usePostgresLoggers } from '../../support/postgres-loggers';

const fixture = usePostgresLoggers();

async function openLogger(env: Record<string, string>): Promise<PostgresTransactionLog> {
  const logger = fixture.open(env);
  for await (const _ of logger.readEvents()) throw new Error('expected an empty log');
  return logger;
}

/**
 * Rows that one INSERT wrote share its transaction id (xmin), so distinct xmins count round
 * trips (the compaction marker replay wrote in the empty table is no append).
 */
async function transactionsIn(table: string): Promise<number> {
  const result = await fixture.postgres.query<{ n: number }>(
    `SELECT count(DISTINCT xmin::text)::int AS n FROM "${table}" WHERE key <> $1`,
    [COMPACTED_KEY],
  );
  return result.rows[0].n;
}

function puts(count: number, prefix: string): Mutation[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'put', key: `${prefix}${i}`, value: `value ${i}` }));
}

describe('PostgresTransactionLog writes', () => {
  it('batches appends made together into one INSERT per 1,000 rows, sequence numbers in call order', async () => {
    const env = fixture.postgres.logEnv();
    const logger = await openLogger(env);
    const events = await Promise.all(puts(2500, 'k').map((m) => appendMutation(logger, m)));
    expect(await transactionsIn(env.TLOG_DB_TABLE)).toBe(3);
    expect(events.map((event) => event.key)).toEqual(puts(2500, 'k').map((m) => m.key));
    for (let i = 1; i < events.length; i++) expect(events[i].sequence).toBeGreaterThan(events[i - 1].sequence);
  });

  it('sends appends that arrive while an INSERT is in flight together in the next one', async () => {
    const env = fixture.postgres.logEnv();
    const logger = await openLogger(env);
    const first = appendMutation(logger, { type: 'put', key: 'first', value: '' });
    // Queued one macrotask later, after the first INSERT has gone out.
    await new Promise((resolve) => setImmediate(resolve));
    const later = puts(200, 'later').map((m) => appendMutation(logger, m));
    await Promise.all([first, ...later]);
    expect(await transactionsIn(env.TLOG_DB_TABLE)).toBe(2);
  });

  it('rejects appends beyond TLOG_DB_MAX_PENDING_WRITES at once, and still writes the ones it took', async () => {
    const env: Record<string, string> = { ...fixture.postgres.logEnv(), TLOG_DB_MAX_PENDING_WRITES: '5' };
    const logger = await openLogger(env);
    const outcomes = await Promise.allSettled(puts(8, 'p').map((m) => appendMutation(logger, m)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      ...Array(5).fill('fulfilled'),
      ...Array(3).fill('rejected'),
    ]);
    for (const outcome of outcomes.slice(5)) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(LogOverloadedError);
    }
    // Once the queue drains, appends are taken again.
    await expect(appendMutation(logger, { type: 'put', key: 'after', value: 'v' })).resolves.toMatchObject({
      key: 'after',
    });
    const rows = await fixture.postgres.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${env.TLOG_DB_TABLE}" WHERE key <> $1`,
      [COMPACTED_KEY], // the compaction marker is no write
    );
    expect(rows.rows[0].n).toBe(6);
  });
});
