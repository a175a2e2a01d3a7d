import { KeyValueStore, systemClock } from '../../../src/core';
import type { PostgresTransactionLog } from '../../../src/driven/postgres-log';
import { eventually } from '../../support/eventually';
import { usePostgresLoggers } from '../../support/postgres-loggers';

const fixture = usePostgresLoggers();

/** A lease's rows carry its own key: 0xFF then `lease <id>` (postgres-log-statements.ts). */
function leaseKey(id: number): Buffer {
  return Buffer.concat([Buffer.from([0xff]), Buffer.from(`lease ${id}`, 'latin1')]);
}

/** The PostgreSQL server's clock now, in Unix ms. */
async function databaseNow(): Promise<number> {
  const { rows } = await fixture.postgres.query<{ ms: number }>(
    'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',
  );
  return rows[0].ms;
}

describe('PostgreSQL log with KVS_REPLICAS=shared: leases and deadlines', () => {
  /** A replica's store on `table`, with the clock the composition gives it: the log's (the database's). */
  async function replica(table: string): Promise<{ log: PostgresTransactionLog; store: KeyValueStore }> {
    const log = fixture.open({ ...fixture.postgres.logEnv(table), KVS_REPLICAS: 'shared', KVS_PG_POLL_MS: '50' });
    expect(log.clock).toBeDefined();
    const store = new KeyValueStore(log, undefined, undefined, log.clock ?? systemClock);
    await store.restore();
    return { log, store };
  }

  it('sets deadlines by the database clock', async () => {
    const { store } = await replica(fixture.postgres.newTable());
    const before = await databaseNow();
    const { entry } = await store.put('session', 'x', undefined, { ttlMs: 60_000 });
    const after = await databaseNow();
    // Within the clock estimate's error (half a loopback round trip; ample on a loaded machine).
    expect(entry.expiresAt).toBeGreaterThanOrEqual(Math.floor(before) + 60_000 - 50);
    expect(entry.expiresAt).toBeLessThanOrEqual(Math.ceil(after) + 60_000 + 50);
  });

  it('logs keepalives as rows of the lease: another replica follows the deadline, and a compacted table still holds the lease', async () => {
    const table = fixture.postgres.newTable();
    const a = await replica(table);
    const b = await replica(table);
    const { id } = await a.store.grantLease(60_000);
    await a.store.put('lock', 'owner', undefined, { lease: id });
    await eventually(() => b.store.read('lock').entry !== undefined, { describe: () => 'the key on B' });
    let deadline = 0;
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      deadline = (await a.store.keepAliveLease(id)).deadline;
    }
    await eventually(() => b.store.leaseStatus(id).deadline === deadline, {
      describe: () => `B's deadline ${b.store.leaseStatus(id).deadline}, A's ${deadline}`,
    });
    const { rows } = await fixture.postgres.query<{ expires_at: string | null }>(
      `SELECT expires_at FROM "${table}" WHERE key = $1 ORDER BY revision`,
      [leaseKey(id)],
    );
    // The grant, then one row per keepalive carrying its deadline.
    expect(rows.map((row) => row.expires_at && Number(row.expires_at))).toEqual([
      null,
      expect.any(Number),
      expect.any(Number),
      deadline,
    ]);

    // A compaction keeps only the lease's last row (its last keepalive): a replica replaying the
    // table still holds the lease and its key.
    await a.store.compact();
    const { rows: left } = await fixture.postgres.query(`SELECT 1 FROM "${table}" WHERE key = $1`, [leaseKey(id)]);
    expect(left).toHaveLength(1);
    const c = await replica(table);
    expect(c.store.leaseStatus(id)).toMatchObject({ id, ttlMs: 60_000, keys: ['lock'] });
    expect(c.store.get('lock')).toBe('owner');
  });
});
