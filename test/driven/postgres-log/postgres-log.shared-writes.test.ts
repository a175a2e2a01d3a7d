import { Client } from 'pg';
import {
  HistoryMovedError,
  KeyValueStore,
  PreconditionFailedError,
  systemClock,
  type TransactionLog,
} from '../../../src/core';
import { eventually } from '../../support/eventually';
import { usePostgresLoggers } from '../../support/postgres-loggers';
import { recordingLogger, type RecordingLogger } from '../../support/recording-logger';

const fixture = usePostgresLoggers();

/** The advisory lock class every shared write takes (postgres-log-statements.ts: "kvw"). */
const WRITE_LOCK_CLASS = 0x6b7677;

describe('PostgreSQL log with KVS_REPLICAS=shared: writes racing for the revision lock', () => {
  interface Replica {
    readonly store: KeyValueStore;
    readonly log: RecordingLogger;
    readonly transactionLog: TransactionLog;
  }

  /** A replica's store on `table`; its poll is slow, so only its writes and notifications move it. */
  async function replica(table: string): Promise<Replica> {
    const log = recordingLogger();
    const transactionLog = fixture.open(
      {
        ...fixture.postgres.logEnv(table),
        KVS_REPLICAS: 'shared',
        KVS_PG_POLL_MS: '60000',
        KVS_MAX_STALENESS_MS: '120000',
      },
      { logger: log.logger },
    );
    const store = new KeyValueStore(transactionLog, undefined, undefined, transactionLog.clock ?? systemClock);
    await store.restore();
    return { store, log, transactionLog };
  }

  /** Writes waiting for the write lock of the test's table (held by `holder`). */
  async function waiting(): Promise<number> {
    const { rows } = await fixture.postgres.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND NOT granted",
      [WRITE_LOCK_CLASS],
    );
    return rows[0].n;
  }

  it('decides a write that lost the race again under the lock, in the same transaction, against the winner', async () => {
    const table = fixture.postgres.newTable();
    const a = await replica(table);
    const b = await replica(table);
    const holder = new Client(fixture.postgres.connection);
    await holder.connect();
    try {
      // Both replicas decide their write at revision 1, then wait for the lock the test holds.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WRITE_LOCK_CLASS, `"${table}"`]);
      const plain = a.store.put('k', 'a');
      const create = b.store.put('k', 'b', { exists: false }).catch((error: unknown) => error);
      await eventually(async () => (await waiting()) === 2, { describe: () => 'both writes waiting for the lock' });
      await holder.query('COMMIT');
      const [put, created] = await Promise.all([plain, create]);

      if (created instanceof PreconditionFailedError) {
        // A won revision 1; B, next under the lock, read it there and found the key existing.
        expect(put.entry).toMatchObject({ modRevision: 1, createRevision: 1, version: 1, value: 'a' });
      } else {
        // B won revision 1; A read B's create under the lock and put the key's second version.
        expect(created).toMatchObject({ revision: 1, entry: { createRevision: 1, version: 1, value: 'b' } });
        expect(put.entry).toMatchObject({ modRevision: 2, createRevision: 1, version: 2, value: 'a' });
      }
      // Neither rolled back to catch up outside the lock and decide again in a new transaction.
      for (const { log } of [a, b])
        expect(log.records.filter((record) => record.event === 'postgres_history_moved')).toEqual([]);
      await eventually(() => a.store.revision === b.store.revision, { describe: () => 'both at the head' });
      expect(b.store.getEntry('k')).toEqual(a.store.getEntry('k'));
      const { rows } = await fixture.postgres.query<{ revision: string }>(
        `SELECT revision FROM "${table}" WHERE key = $1 ORDER BY revision`,
        [Buffer.from('k')],
      );
      expect(rows.map((row) => Number(row.revision))).toEqual(
        created instanceof PreconditionFailedError ? [1] : [1, 2],
      );
    } finally {
      await holder.end();
    }
  });

  it('never commits a batch numbered right after a head it has not read: it hands those records over and has the write decided again', async () => {
    const table = fixture.postgres.newTable();
    const a = await replica(table);
    const b = await replica(table);
    await b.store.put('b', '1');
    // A has it: its LISTEN connection is up (its poll is slow), so nothing else moves A now.
    await eventually(() => a.store.revision === 1, { describe: () => 'A at revision 1' });
    // Another writer's revision 2, whose notification never comes.
    await fixture.postgres.query(
      `INSERT INTO "${table}" (revision, event_type, key, value, create_revision, version) VALUES (2, 'put', $1, $2, 2, 1)`,
      [Buffer.from('other'), Buffer.from('2')],
    );
    // A batch A decided at revision 3 without having revision 2.
    const append = a.transactionLog.append({
      revision: 3,
      writes: [{ type: 'put', key: 'mine', value: '3', createRevision: 3, version: 1 }],
    });
    await expect(append).rejects.toBeInstanceOf(HistoryMovedError);
    expect([a.store.revision, a.store.get('other')]).toEqual([2, '2']);
    const { rows } = await fixture.postgres.query(`SELECT max(revision)::int AS head FROM "${table}"`);
    expect(rows).toEqual([{ head: 2 }]);
  });
});
