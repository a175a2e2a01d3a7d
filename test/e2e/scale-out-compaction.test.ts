import { eventually } from '../support/eventually';
import { expectReplicaHolds, replayTable, stateOf, watchAll } from '../support/scale-out';
import { startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

/**
 * Compaction of a shared table while a replica lags behind it (its process frozen with
 * SIGSTOP): the lagging replica takes the whole state again instead of the thinned history
 * (which has lost the delete of a key it still holds), and its watcher, whose position was
 * compacted away, ends with REVISION_COMPACTED instead of silently missing revisions.
 */

let postgres: TestPostgres;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  postgres = await TestPostgres.start();
});

afterEach(() => {
  for (const replica of replicas.splice(0)) {
    replica.process.kill('SIGCONT');
    replica.process.kill('SIGKILL');
  }
});

afterAll(async () => {
  await postgres?.close();
});

async function put(url: string, key: string, value: string): Promise<number> {
  const answer = await fetch(`${url}/v1/key/${key}`, { method: 'PUT', body: value });
  expect(answer.status).toBe(201);
  return Number(answer.headers.get('x-kvs-revision'));
}

describe('scale-out: compaction with a lagging replica', () => {
  it('makes a replica whose position was compacted away re-read the state, and ends its watchers with REVISION_COMPACTED', async () => {
    const table = postgres.newTable();
    const env = { ...postgres.logEnv(table), KVS_REPLICAS: 'shared', FRONTEND_TYPE: 'rest', KVS_PG_POLL_MS: '200' };
    replicas.push(...(await Promise.all([startService(env), startService(env)])));
    const [a, b] = replicas.map((replica) => replica.restUrl!);
    await put(a, 'gone', 'soon deleted');
    await put(a, 'kept', '1');
    const seen = await put(a, 'over', '1');
    await eventually(async () => (await stateOf(b)).revision >= seen, { describe: () => `replica B at ${seen}` });
    const watch = watchAll(b);
    await eventually(() => watch.history.size === 3, { describe: () => `B's watcher at 3 (${watch.history.size})` });

    // B stops following; the history it misses is compacted: `gone`'s put and delete both go.
    replicas[1].process.kill('SIGSTOP');
    const deleted = await fetch(`${a}/v1/key/gone`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    for (let i = 2; i <= 5; i++) await put(a, 'over', String(i));
    const compacted = await fetch(`${a}/v1/admin/compact`, { method: 'POST' });
    expect(compacted.status).toBe(200);
    const rowsOfGone = await postgres.query(`SELECT 1 FROM "${table}" WHERE key = $1`, [Buffer.from('gone')]);
    expect(rowsOfGone.rowCount).toBe(0);
    const head = (await replayTable(postgres, table)).head;

    replicas[1].process.kill('SIGCONT');
    const truth = await replayTable(postgres, table);
    await expectReplicaHolds(b, head, truth.state);
    expect((await stateOf(b)).state.has('gone')).toBe(false);
    expect(replicas[1].output()).toContain('postgres_rebase');
    // Its watcher would have missed revisions 4 to `head`: it is told so, as after a compaction on one process.
    await eventually(() => watch.ended() !== undefined, { describe: () => "B's watcher ended" });
    expect(watch.ended()).toEqual({
      code: 'REVISION_COMPACTED',
      message: expect.any(String),
      compact_revision: head + 1,
    });
    expect([...watch.history.keys()]).toEqual([1, 2, 3]);
    watch.stop();

    // The client re-reads and watches again from there: it gets every later write.
    const { revision } = await stateOf(b);
    const again = watchAll(b, revision + 1);
    try {
      const next = await put(a, 'after', 'compaction');
      await eventually(() => again.history.has(next), { describe: () => `B's new watcher at ${next}` });
      expect(again.history.get(next)).toEqual(['put after=compaction']);
    } finally {
      again.stop();
    }
  }, 30_000);
});
