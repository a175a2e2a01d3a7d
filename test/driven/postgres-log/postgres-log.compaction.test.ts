import { COMPACTED_KEY } from '../../../src/driven/postgres-log/postgres-log-statements';
import { Pool } from 'pg';
import { compactPostgresLog } from '../../../src/driven/postgres-log/postgres-compaction';
import type { PostgresLoggerOptions, PostgresTransactionLog } from '../../../src/driven/postgres-log';
import { stateOf } from '../../contracts/transaction-log.contract';
import { collectEvents, appendMutation, type Event, type Mutation, liveStateOf } from '../../support/collect-events';
import { usePostgresLoggers } from '../../support/postgres-loggers';
import { recordingLogger } from '../../support/recording-logger';

const fixture = usePostgresLoggers();

async function replayed(
  env: Record<string, string>,
  live: Map<string, string>,
  options: PostgresLoggerOptions = {},
): Promise<PostgresTransactionLog> {
  const log = fixture.open(env, options);
  for (const event of await collectEvents(log)) apply(live, event);
  log.attachLiveState(liveStateOf(live));
  return log;
}

function apply(live: Map<string, string>, event: Event): Event {
  if (event.type === 'put') live.set(event.key, event.value);
  else live.delete(event.key);
  return event;
}

/** Overwrites and deletes of 40 keys, in concurrent groups of 50, applied to `live` as acknowledged. */
async function writeHistory(log: PostgresTransactionLog, live: Map<string, string>, count: number, tag: string) {
  for (let start = 0; start < count; start += 50) {
    const group = Array.from({ length: Math.min(50, count - start) }, (_, j): Mutation => {
      const i = start + j;
      const key = `key-${i % 40}`;
      return i % 9 === 8 ? { type: 'delete', key } : { type: 'put', key, value: `${tag}-${i}` };
    });
    const events = await Promise.all(group.map((mutation) => appendMutation(log, mutation)));
    events.forEach((event) => apply(live, event));
  }
}

async function lastSequence(table: string): Promise<number> {
  const result = await fixture.postgres.query(`SELECT max(revision)::int AS n FROM "${table}"`);
  return (result.rows[0] as { n: number }).n;
}

/** Rows of writes in the table (compaction markers are none). */
async function rowCount(table: string): Promise<number> {
  const result = await fixture.postgres.query(`SELECT count(*)::int AS n FROM "${table}" WHERE key <> $1`, [
    COMPACTED_KEY,
  ]);
  return (result.rows[0] as { n: number }).n;
}

describe('PostgresTransactionLog compaction', () => {
  it('deletes superseded rows in small batches while writes go on; replay gives the same state', async () => {
    const env = fixture.postgres.logEnv();
    const live = new Map<string, string>();
    const log = await replayed(env, live, { compactionBatchRows: 100 });
    await writeHistory(log, live, 3000, 'a');
    const [report] = await Promise.all([log.compact(), writeHistory(log, live, 500, 'during')]);
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore);
    await log.close();

    const replay = await collectEvents(fixture.open(env));
    expect(stateOf(replay)).toEqual(live);
    // What remains: the live keys' latest rows, and rows written during the compaction.
    expect(await rowCount(env.TLOG_DB_TABLE)).toBeLessThanOrEqual(40 + 500);
  });

  it('leaves only the live rows when nothing is written meanwhile, deletions included', async () => {
    const env = fixture.postgres.logEnv();
    const live = new Map<string, string>();
    const log = await replayed(env, live, { compactionBatchRows: 64 });
    await writeHistory(log, live, 2000, 'a');
    for (let i = 0; i < 10; i++) apply(live, await appendMutation(log, { type: 'delete', key: `key-${i}` }));
    await log.compact();
    // The live keys' rows, and the last delete: it holds the revision the table stands at.
    expect(await rowCount(env.TLOG_DB_TABLE)).toBe(live.size + 1);
    const indexes = await fixture.postgres.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [
      env.TLOG_DB_TABLE,
    ]);
    expect(indexes.rows).toContainEqual({
      indexdef: expect.stringContaining(
        `${env.TLOG_DB_TABLE}_key_revision ON public.${env.TLOG_DB_TABLE} USING btree (key, revision)`,
      ),
    });
    const next = await appendMutation(log, { type: 'put', key: 'next', value: 'v' });
    apply(live, next);
    await log.close();
    const replay = await collectEvents(fixture.open(env));
    expect(stateOf(replay)).toEqual(live);
    expect(replay.at(-1)).toEqual(next);
  });

  it('lets several sessions compact one table at the same moment (advisory lock), losing nothing', async () => {
    const env = fixture.postgres.logEnv();
    const live = new Map<string, string>();
    const writer = await replayed(env, live, { compactionBatchRows: 50 });
    await writeHistory(writer, live, 3000, 'a');
    const lines = recordingLogger();
    // Compactions from pools of their own (their own sessions), as several processes would run them.
    const pools = Array.from({ length: 3 }, () => new Pool({ ...fixture.postgres.connection, max: 1 }));
    const upTo = await lastSequence(env.TLOG_DB_TABLE);
    const others = pools.map((pool) =>
      compactPostgresLog({
        pool,
        table: `"${env.TLOG_DB_TABLE}"`,
        upTo,
        batchRows: 50,
        bytesBefore: 0,
        logger: lines.logger,
      }),
    );
    const reports = await Promise.all([writer.compact(), ...others]);
    await Promise.all(pools.map((pool) => pool.end()));
    expect(reports.filter((report) => report.bytesAfter < report.bytesBefore).length).toBeGreaterThanOrEqual(1);
    await writer.close();
    const replay = await collectEvents(fixture.open(env));
    expect(stateOf(replay)).toEqual(live);
    expect(await rowCount(env.TLOG_DB_TABLE)).toBe(live.size);
  });

  it('compacts by itself past the thresholds', async () => {
    const env: Record<string, string> = {
      ...fixture.postgres.logEnv(),
      KVS_COMPACT_MIN_BYTES: '20000',
      KVS_COMPACT_RATIO: '2',
    };
    const live = new Map<string, string>();
    const lines = recordingLogger();
    const log = await replayed(env, live, { logger: lines.logger });
    await writeHistory(log, live, 4000, 'auto');
    await log.close();
    const done = lines.records.filter((record) => record.event === 'compaction_done');
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((record) => record.trigger === 'automatic')).toBe(true);
    expect(stateOf(await collectEvents(fixture.open(env)))).toEqual(live);
    expect(await rowCount(env.TLOG_DB_TABLE)).toBeLessThan(4000);
  });
});
