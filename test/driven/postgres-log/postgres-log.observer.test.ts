import { appendMutation } from '../../support/collect-events';
import type { TransactionLogObserver } from '../../../src/driven/log-observer.port';
import { usePostgresLoggers } from '../../support/postgres-loggers';

const fixture = usePostgresLoggers();

/** An observer that keeps every call, for checking what the Postgres log reports. */
function recordingObserver() {
  const calls = {
    batches: [] as [number, number][],
    commits: [] as boolean[],
    pending: [] as number[],
  };
  const observer: TransactionLogObserver = {
    batchStarted: (records, bytes) => calls.batches.push([records, bytes]),
    durabilityWaited: (_seconds, succeeded) => calls.commits.push(succeeded),
    pendingWrites: (count) => calls.pending.push(count),
  };
  return { observer, calls };
}

describe('PostgresTransactionLog observer', () => {
  it('reports each batch with its rows and bytes, each commit, and the writes waiting', async () => {
    const { observer, calls } = recordingObserver();
    const logger = fixture.open(fixture.postgres.logEnv(), { observer });
    for await (const _ of logger.readEvents()) throw new Error('expected an empty log');
    // Appended in one tick: one batch of three rows (keys and values are 2 + 1 bytes each).
    await Promise.all(['k1', 'k2', 'k3'].map((key) => appendMutation(logger, { type: 'put', key, value: 'v' })));
    expect(calls.batches).toEqual([[3, 9]]);
    expect(calls.commits).toEqual([true]);
    expect(calls.pending).toEqual([3, 0]);
  });

  it('reports a failed commit, and the next one', async () => {
    const { observer, calls } = recordingObserver();
    const env = fixture.postgres.logEnv();
    const logger = fixture.open(env, { observer });
    for await (const _ of logger.readEvents()) throw new Error('expected an empty log');
    await fixture.postgres.query(`ALTER TABLE "${env.TLOG_DB_TABLE}" RENAME TO "${env.TLOG_DB_TABLE}_away"`);
    await expect(appendMutation(logger, { type: 'delete', key: 'k' })).rejects.toThrow('write not acknowledged');
    await fixture.postgres.query(`ALTER TABLE "${env.TLOG_DB_TABLE}_away" RENAME TO "${env.TLOG_DB_TABLE}"`);
    await appendMutation(logger, { type: 'delete', key: 'k' });
    expect(calls.commits).toEqual([false, true]);
    expect(logger.health()).toBe('ok');
  });
});
