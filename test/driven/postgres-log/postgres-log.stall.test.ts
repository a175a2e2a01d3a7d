import { KeyValueStore, LogUnavailableError, OutcomeUnknownError } from '../../../src/core';
import { writerApplicationName } from '../../../src/driven/postgres-log/postgres-backends';
import { backendPids, signalAll } from '../../support/postgres-backends';
import { usePostgresLoggers } from '../../support/postgres-loggers';
import { collectEvents, appendMutation } from '../../support/collect-events';
import { eventually } from '../../support/eventually';

const fixture = usePostgresLoggers();
let stopped: number[] = [];

afterEach(() => signalAll(stopped.splice(0), 'SIGCONT'));

describe('PostgresTransactionLog with a stalled backend', () => {
  it('answers outcome unknown, refuses later writes until settled, and applies a batch that turns out committed to memory', async () => {
    const env: Record<string, string> = { ...fixture.postgres.logEnv(), TLOG_DB_WRITE_TIMEOUT_MS: '600' };
    const table = env.TLOG_DB_TABLE;
    const log = fixture.open(env);
    const store = new KeyValueStore(log);
    await store.restore();
    await store.put('k', 'acknowledged');

    stopped = await backendPids(fixture.postgres, writerApplicationName(table));
    signalAll(stopped, 'SIGSTOP');
    const stalled = await store.put('k', 'stalled').catch((error: unknown) => error);
    expect(stalled).toBeInstanceOf(OutcomeUnknownError);
    expect(log.health()).toBe('unavailable');
    // Nothing is sent behind the unsettled batch, so this refusal is true.
    await expect(store.put('other', 'x')).rejects.toBeInstanceOf(LogUnavailableError);
    expect(store.get('k')).toBe('acknowledged');

    // As if the stopped INSERT had committed just before the stop: its row is in the table.
    await fixture.postgres.query(
      `INSERT INTO "${table}" (revision, event_type, key, value, create_revision, version) VALUES (2, 'put', 'k', 'stalled', 1, 2)`,
    );
    signalAll(stopped.splice(0), 'SIGCONT');
    const outcome = await (stalled as OutcomeUnknownError).outcome;
    expect(outcome).toBe(true);
    // Memory follows the log once settled, before any later write is taken.
    await eventually(() => store.get('k') === 'stalled');
    await eventually(() => log.health() === 'ok');
    await store.put('after', 'y');
    await log.close();

    const replay = await collectEvents(fixture.open(env));
    expect(replay.map((event) => [event.key, event.type === 'put' ? event.value : null])).toEqual([
      ['k', 'acknowledged'],
      ['k', 'stalled'],
      ['after', 'y'],
    ]);
  });

  it('settles within the deadline when the reply is lost but the backend can be ended: a write that did not commit is refused', async () => {
    const env: Record<string, string> = { ...fixture.postgres.logEnv(), TLOG_DB_WRITE_TIMEOUT_MS: '8000' };
    const log = fixture.open(env);
    await collectEvents(log);
    await appendMutation(log, { type: 'put', key: 'a', value: '1' });
    stopped = await backendPids(fixture.postgres, writerApplicationName(env.TLOG_DB_TABLE));
    signalAll(stopped, 'SIGSTOP');
    const pending = appendMutation(log, { type: 'put', key: 'b', value: '2' });
    // Let the backend go on once the INSERT has timed out on the client and its termination is
    // pending: it ends without running the INSERT, and the logger can confirm it.
    await eventually(async () => {
      const result = await fixture.postgres.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'kvs' AND query LIKE 'SELECT pid FROM pg_stat_activity WHERE pid = ANY%'`,
      );
      return result.rows[0].n > 0;
    });
    signalAll(stopped.splice(0), 'SIGCONT');
    await expect(pending).rejects.toThrow(/ended without committing/);
    expect((await appendMutation(log, { type: 'put', key: 'c', value: '3' })).key).toBe('c');
  });
});
