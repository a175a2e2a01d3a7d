import { createServer } from 'node:net';
import type { PostgresTransactionLog } from '../../../src/driven/postgres-log';
import { usePostgresLoggers } from '../../support/postgres-loggers';
import { collectEvents, appendMutation } from '../../support/collect-events';
import { loggerInto } from '../../support/recording-logger';

const fixture = usePostgresLoggers();

function logger(env: Record<string, string>, lines: string[] = []): PostgresTransactionLog {
  return fixture.open(env, { logger: loggerInto(lines) });
}

/** A loopback port nothing listens on: connections to it are refused at once. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('PostgresTransactionLog start-up', () => {
  it('lets several instances race to start on one empty table: one gets it, the others are refused naming it, the table is created once', async () => {
    for (let round = 0; round < 5; round++) {
      const env = fixture.postgres.logEnv();
      const racers = Array.from({ length: 4 }, () => logger(env));
      const replays = await Promise.allSettled(racers.map((racer) => collectEvents(racer)));
      const winners = replays.flatMap((replay, i) => (replay.status === 'fulfilled' ? [racers[i]] : []));
      expect(winners).toHaveLength(1);
      for (const replay of replays) {
        if (replay.status === 'rejected') {
          expect(String(replay.reason)).toContain(
            `table ${env.TLOG_DB_TABLE} is in use by another running kvs instance`,
          );
        }
      }
      const first = await appendMutation(winners[0], { type: 'put', key: 'k', value: `round ${round}` });
      // Once the instance stops, the table is free for the next one.
      await winners[0].close();
      expect(await collectEvents(logger(env))).toEqual([first]);
      const tables = await fixture.postgres.query('SELECT count(*)::int AS n FROM pg_tables WHERE tablename = $1', [
        env.TLOG_DB_TABLE,
      ]);
      expect(tables.rows[0]).toEqual({ n: 1 });
    }
  });

  it('stores key and value as bytea and the event type under a CHECK constraint', async () => {
    const env = fixture.postgres.logEnv();
    await collectEvents(logger(env));
    const columns = await fixture.postgres.query(
      'SELECT column_name, data_type, is_nullable, is_identity FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [env.TLOG_DB_TABLE],
    );
    expect(columns.rows).toEqual([
      { column_name: 'sequence', data_type: 'bigint', is_nullable: 'NO', is_identity: 'YES' },
      { column_name: 'revision', data_type: 'bigint', is_nullable: 'NO', is_identity: 'NO' },
      { column_name: 'event_type', data_type: 'text', is_nullable: 'NO', is_identity: 'NO' },
      { column_name: 'key', data_type: 'bytea', is_nullable: 'NO', is_identity: 'NO' },
      { column_name: 'value', data_type: 'bytea', is_nullable: 'YES', is_identity: 'NO' },
      { column_name: 'create_revision', data_type: 'bigint', is_nullable: 'YES', is_identity: 'NO' },
      { column_name: 'version', data_type: 'bigint', is_nullable: 'YES', is_identity: 'NO' },
      { column_name: 'expires_at', data_type: 'bigint', is_nullable: 'YES', is_identity: 'NO' },
      { column_name: 'lease', data_type: 'bigint', is_nullable: 'YES', is_identity: 'NO' },
    ]);
    const insert = (type: string, value: string | null): Promise<unknown> =>
      fixture.postgres.query(
        `INSERT INTO "${env.TLOG_DB_TABLE}" (revision, event_type, key, value) VALUES (1, $1, 'k', $2)`,
        [type, value],
      );
    await expect(insert('upsert', 'v')).rejects.toThrow(/check constraint/);
    await expect(insert('delete', 'v')).rejects.toThrow(/check constraint/);
  });

  it('retries an unreachable database with growing, jittered delays, then fails with a clear error', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const env = { ...fixture.postgres.logEnv(), TLOG_DB_PORT: String(port), TLOG_DB_CONNECT_RETRIES: '3' };
    const unreachable = logger(env, lines);

    const failure = collectEvents(unreachable);
    await expect(failure).rejects.toThrow(
      `cannot connect to 127.0.0.1:${port} (database ${fixture.postgres.connection.database}, user ${fixture.postgres.connection.user}) after 4 attempt(s)`,
    );
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    expect(lines).toHaveLength(3);
    const delays = lines.map((line) => Number(/retrying in (\d+) ms/.exec(line)?.[1]));
    // Attempt n waits between half and all of 250 ms * 2^(n-1): the ranges do not overlap, so delays grow.
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(125 * 2 ** i);
      expect(delay).toBeLessThanOrEqual(250 * 2 ** i);
    });
    expect(lines[0]).toMatch(/^postgres log: attempt 1\/4 to connect to 127\.0\.0\.1:\d+ .* failed: .*ECONNREFUSED/);
    // Appends on a logger that never started fail as unavailable instead of hanging.
    await expect(appendMutation(unreachable, { type: 'put', key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'LOG_UNAVAILABLE',
    });
  });

  it('gives up at once on a wrong password, never printing it', async () => {
    const wrong = 'not-the-Password-42';
    const lines: string[] = [];
    const env = { ...fixture.postgres.logEnv(), TLOG_DB_PASSWORD: wrong, TLOG_DB_CONNECT_RETRIES: '5' };
    const failure = collectEvents(logger(env, lines));
    await expect(failure).rejects.toThrow(/after 1 attempt\(s\): password authentication failed for user/);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(fixture.postgres.connection.password || 'no password configured');
    expect(lines).toEqual([]);
  });

  it('gives up at once when the database does not exist', async () => {
    const env = { ...fixture.postgres.logEnv(), TLOG_DB_DATABASE: 'kvs_no_such_database' };
    await expect(collectEvents(logger(env))).rejects.toThrow(
      /after 1 attempt\(s\): database "kvs_no_such_database" does not exist/,
    );
  });
});
