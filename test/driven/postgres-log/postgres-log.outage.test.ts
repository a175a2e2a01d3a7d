import { COMPACTED_KEY } from '../../../src/driven/postgres-log/postgres-log-statements';
import { appendMutation, type Event, type Mutation } from '../../support/collect-events';
import { EnvReader } from '../../../src/config/env-reader';
import { LogUnavailableError, OutcomeUnknownError, type LogHealth } from '../../../src/core';
import { PostgresTransactionLog, readPostgresLogConfig } from '../../../src/driven/postgres-log';
import { loggerInto, recordingLogger } from '../../support/recording-logger';
import { postgresOutage, type PostgresOutage } from '../../support/postgres-outage';
import { TestPostgres } from '../../support/test-postgres';
import { eventually } from '../../support/eventually';

let postgres: TestPostgres;
let outage: PostgresOutage;
const loggers: PostgresTransactionLog[] = [];
const failFast: Record<string, string> = { TLOG_DB_CONNECT_TIMEOUT_MS: '1000', TLOG_DB_STATEMENT_TIMEOUT_MS: '2000' };

beforeAll(async () => {
  postgres = await TestPostgres.start();
  outage = await postgresOutage(postgres);
});

afterEach(async () => {
  await Promise.all(loggers.splice(0).map((logger) => logger.close()));
});

afterAll(async () => {
  await outage?.close();
  await postgres?.close();
});

async function openLogger(env: Record<string, string>, lines: string[] = []) {
  const logger = new PostgresTransactionLog(readPostgresLogConfig(new EnvReader(env)), {
    logger: loggerInto(lines),
  });
  loggers.push(logger);
  for await (const _ of logger.readEvents()) throw new Error('expected an empty log');
  return logger;
}

/** The table's rows of writes, in order. */
async function tableRows(table: string): Promise<Event[]> {
  const result = await postgres.query<{
    revision: string;
    event_type: 'put' | 'delete';
    key: Buffer;
    value: Buffer | null;
  }>(`SELECT revision, event_type, key, value FROM "${table}" WHERE key <> $1 ORDER BY revision, sequence`, [
    COMPACTED_KEY, // the compaction marker is no write
  ]);
  return result.rows.map((row) =>
    row.event_type === 'put'
      ? { type: 'put', key: row.key.toString(), value: row.value!.toString(), sequence: Number(row.revision) }
      : { type: 'delete', key: row.key.toString(), sequence: Number(row.revision) },
  );
}

/** Inserts a put row at `revision` behind the logger's back, as appendMutation would have written it. */
async function insertPut(table: string, revision: number, key: string, value: string): Promise<void> {
  await postgres.query(
    `INSERT INTO "${table}" (revision, event_type, key, value, create_revision, version)
     VALUES ($1, 'put', convert_to($2, 'UTF8'), convert_to($3, 'UTF8'), $1, 1)`,
    [revision, key, value],
  );
}

describe('PostgresTransactionLog when the database goes away', () => {
  it('fails writes fast during an outage, recovers without a restart, and loses no acknowledged write', async () => {
    const env = { ...outage.env(), ...failFast };
    const lines: string[] = [];
    const logger = await openLogger(env, lines);
    const acked: Event[] = [];
    const rejected: Mutation[] = [];
    // Writes in flight when the server crashed cannot be settled while it is down: outcome unknown,
    // then settled (committed or not) once it is back.
    const unknown: Promise<Mutation | undefined>[] = [];
    const unexpected: unknown[] = [];
    let stop = false;

    async function writer(id: number): Promise<void> {
      for (let n = 0; !stop; n++) {
        const mutation: Mutation =
          n % 4 === 3
            ? { type: 'delete', key: `w${id}-${n - 1}` }
            : { type: 'put', key: `w${id}-${n}`, value: `v${n}\u0000` };
        try {
          acked.push(await appendMutation(logger, mutation));
        } catch (error) {
          if (error instanceof LogUnavailableError) rejected.push(mutation);
          else if (error instanceof OutcomeUnknownError && error.outcome) {
            unknown.push(error.outcome.then((committed) => (committed ? mutation : undefined)));
          } else unexpected.push(error);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    }

    const writers = Array.from({ length: 8 }, (_, id) => writer(id));
    const state = () =>
      `acked ${acked.length}, rejected ${rejected.length}, unknown ${unknown.length}, health ${logger.health()}; log: ${lines.join(' | ')}`;
    let ackedBeforeOutage = 0;
    try {
      await eventually(() => acked.length >= 300, { describe: () => `300 acks before the outage (${state()})` });
      await outage.cut();
      ackedBeforeOutage = acked.length;
      // Writers keep going; each of these rejections came back while the database was down
      // (the wait would give up if appends hung instead of failing fast).
      await eventually(() => rejected.length >= 50, { describe: () => `50 rejections in the outage (${state()})` });
      await outage.restore();
      await eventually(() => acked.length >= ackedBeforeOutage + 300, {
        describe: () => `300 acks after the outage, from ${ackedBeforeOutage} (${state()})`,
      });
    } finally {
      // Also when a wait gives up: looping writers would keep jest from exiting.
      stop = true;
      await Promise.all(writers);
    }

    expect(unexpected).toEqual([]);
    // The same logger instance writes again after the outage.
    expect(acked.length).toBeGreaterThanOrEqual(ackedBeforeOutage + 300);
    // Writing again means every unknown outcome was settled first.
    const lateCommits = (await Promise.all(unknown)).filter((mutation) => mutation !== undefined);
    // The table holds exactly the acknowledged writes, at their revisions, and the late commits:
    // none lost, and none of the rejected ones (a write the client was told failed is not in the log).
    const rows = await tableRows(env.TLOG_DB_TABLE);
    const ackedRevisions = new Set(acked.map((event) => event.sequence));
    expect(rows.filter((row) => ackedRevisions.has(row.sequence))).toEqual(acked);
    expect(
      rows.filter((row) => !ackedRevisions.has(row.sequence)).map(({ sequence: _, ...mutation }) => mutation),
    ).toEqual(lateCommits);
    const rowKeys = new Set(rows.map((row) => JSON.stringify([row.type, row.key])));
    expect(rejected.filter((m) => m.type === 'put' && rowKeys.has(JSON.stringify([m.type, m.key])))).toEqual([]);
  }, 90_000);

  it('reports its health: unavailable with one log line when a write fails, ok again by a ping once the database is back', async () => {
    const env = { ...outage.env(), ...failFast };
    const log = recordingLogger();
    const logger = new PostgresTransactionLog(readPostgresLogConfig(new EnvReader(env)), { logger: log.logger });
    loggers.push(logger);
    for await (const _ of logger.readEvents()) throw new Error('expected an empty log');
    const changes: LogHealth[] = [];
    logger.onHealthChange((health) => changes.push(health));
    await appendMutation(logger, { type: 'put', key: 'a', value: '1' });
    expect(logger.health()).toBe('ok');

    await outage.cut();
    await expect(appendMutation(logger, { type: 'put', key: 'b', value: '2' })).rejects.toBeInstanceOf(
      LogUnavailableError,
    );
    await expect(appendMutation(logger, { type: 'put', key: 'c', value: '3' })).rejects.toBeInstanceOf(
      LogUnavailableError,
    );
    expect(logger.health()).toBe('unavailable');
    await outage.restore();
    // No write is sent: a not-ready instance gets no traffic, so the logger must notice by itself.
    await eventually(() => logger.health() === 'ok', { describe: () => `health ok (is ${logger.health()})` });
    expect(changes).toEqual(['unavailable', 'ok']);
    const events = log.records.map((line) => line.event).filter((event) => String(event).startsWith('postgres_log_'));
    expect(events).toEqual(['postgres_log_unavailable', 'postgres_log_recovered']);
  });

  it('refuses to write, deletes nothing and fails for good, when rows from another writer appear', async () => {
    const env = { ...outage.env(), ...failFast };
    const logger = await openLogger(env);
    const mine = await appendMutation(logger, { type: 'put', key: 'mine', value: '1' });
    await outage.cut();
    await expect(appendMutation(logger, { type: 'put', key: 'lost', value: '2' })).rejects.toBeInstanceOf(
      LogUnavailableError,
    );
    await outage.restore();
    await insertPut(env.TLOG_DB_TABLE, mine.sequence + 1, 'theirs', 'x');

    await expect(appendMutation(logger, { type: 'put', key: 'next', value: '3' })).rejects.toThrow(
      /another kvs instance/,
    );
    // Memory no longer matches the table: only a restart and replay can make it whole.
    expect(logger.health()).toBe('failed');
    expect((await tableRows(env.TLOG_DB_TABLE)).map((row) => row.key)).toEqual(['mine', 'theirs']);
  });
});
