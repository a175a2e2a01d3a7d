import { SeededRandom } from '../support/seeded-random';
import { eventually } from '../support/eventually';
import { expectReplicaHolds, expectWatched, replayTable, stateOf, watchAll } from '../support/scale-out';
import { startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

describe('scale-out: replicas on one PostgreSQL table (KVS_REPLICAS=shared)', () => {
  let postgres: TestPostgres;
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });

  afterEach(() => {
    const running = replicas.splice(0);
    // Every replica served to the end: none died on the way.
    const died = running.filter((replica) => replica.process.exitCode !== null || replica.process.signalCode !== null);
    for (const replica of running) replica.process.kill('SIGKILL');
    expect(died.map((replica) => replica.output().slice(-3000))).toEqual([]);
  });

  afterAll(async () => {
    await postgres?.close();
  });

  async function startReplicas(table: string, count = 3): Promise<string[]> {
    // A generous write deadline: the machine running the tests is shared and slow.
    const env = {
      ...postgres.logEnv(table),
      KVS_REPLICAS: 'shared',
      FRONTEND_TYPE: 'rest',
      KVS_PG_POLL_MS: '200',
      TLOG_DB_WRITE_TIMEOUT_MS: '5000',
    };
    const started = await Promise.all(Array.from({ length: count }, () => startService(env)));
    replicas.push(...started);
    return started.map((replica) => replica.restUrl!);
  }

  it('gives concurrent writes, deletes and transactions from 3 replicas one gap-free history, which every replica holds and watches', async () => {
    const table = postgres.newTable();
    const urls = await startReplicas(table);
    const watches = urls.map((url) => watchAll(url));
    const random = new SeededRandom(21);
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    let stop = false;
    const client = async (id: number) => {
      const url = urls[id % urls.length];
      for (let n = 0; !stop; n++) {
        const key = random.pick(keys);
        const choice = random.next();
        if (choice < 0.6) {
          await fetch(`${url}/v1/key/${key}`, { method: 'PUT', body: `${id}.${n}` });
        } else if (choice < 0.8) {
          await fetch(`${url}/v1/key/${key}`, { method: 'DELETE' });
        } else {
          const other = random.pick(keys);
          const txn = {
            compare: [{ key, target: 'exists', op: '==', value: true }],
            success: [{ put: { key: other === key ? `${key}x` : other, value: `t${id}.${n}` } }, { delete: { key } }],
            failure: [{ put: { key, value: `f${id}.${n}` } }],
          };
          await fetch(`${url}/v1/txn`, { method: 'POST', body: JSON.stringify(txn) });
        }
      }
    };
    const clients = Array.from({ length: 12 }, (_, id) => client(id));
    try {
      await new Promise((resolve) => setTimeout(resolve, 2500));
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    try {
      const table_ = await replayTable(postgres, table);
      // Gap-free: every revision from 1 to the head holds one record.
      expect([...table_.history.keys()]).toEqual(Array.from({ length: table_.head }, (_, i) => i + 1));
      expect(table_.head).toBeGreaterThan(10);
      for (const [i, url] of urls.entries()) {
        await expectReplicaHolds(url, table_.head, table_.state);
        await expectWatched(watches[i], table_.history, `replica ${i}`);
      }
    } finally {
      for (const watch of watches) watch.stop();
    }
  });

  it('never loses an update: 3 replicas x 16 clients incrementing 8 counters with If-Match', async () => {
    const urls = await startReplicas(postgres.newTable());
    const counters = Array.from({ length: 8 }, (_, i) => `counter${i}`);
    let seeded = '';
    for (const counter of counters) {
      const created = await fetch(`${urls[0]}/v1/key/${counter}`, { method: 'PUT', body: '0' });
      seeded = created.headers.get('x-kvs-revision')!;
    }
    const random = new SeededRandom(8);
    let succeeded = 0;
    const client = async (id: number) => {
      const url = urls[id % urls.length];
      for (let n = 0; n < 8; n++) {
        const counter = random.pick(counters);
        // Another replica may not have the counters yet: the read waits for their revision.
        const read = await fetch(`${url}/v1/key/${counter}`, { headers: { 'X-Kvs-Min-Revision': seeded } });
        expect(read.status).toBe(200);
        const value = Number(await read.text());
        const etag = read.headers.get('etag')!;
        const write = await fetch(`${url}/v1/key/${counter}`, {
          method: 'PUT',
          body: String(value + 1),
          headers: { 'If-Match': etag },
        });
        if (write.status === 201) succeeded++;
        else expect([write.status, await write.text()]).toEqual([412, expect.stringContaining('PRECONDITION_FAILED')]);
      }
    };
    await Promise.all(Array.from({ length: 48 }, (_, id) => client(id)));
    const totals = await Promise.all(
      urls.map(async (url) => {
        const page = (await (await fetch(`${url}/v1/keys?prefix=counter&linearizable=true`)).json()) as {
          items: { value: string }[];
        };
        return page.items.reduce((sum, item) => sum + Number(item.value), 0);
      }),
    );
    expect(succeeded).toBeGreaterThan(0);
    expect(totals).toEqual([succeeded, succeeded, succeeded]);
  });

  it('loses no acknowledged write when one replica is killed -9 under load; the others serve on, the restarted one catches up', async () => {
    const table = postgres.newTable();
    const urls = await startReplicas(table);
    const acknowledged = new Map<string, string>();
    let stop = false;
    const writer = async (id: number) => {
      for (let n = 0; !stop; n++) {
        const key = `w${id}-${n}`;
        const answer = await fetch(`${urls[id % urls.length]}/v1/key/${key}`, { method: 'PUT', body: `${n}` }).catch(
          () => undefined,
        );
        if (answer?.status === 201) acknowledged.set(key, `${n}`);
        // Writers of the killed replica stop there; the others go on.
        if (answer === undefined) return;
      }
    };
    const writers = Array.from({ length: 6 }, (_, id) => writer(id));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      replicas[0].process.kill('SIGKILL');
      await replicas[0].exited();
      const before = acknowledged.size;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(acknowledged.size).toBeGreaterThan(before);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    const env = { ...postgres.logEnv(table), KVS_REPLICAS: 'shared', FRONTEND_TYPE: 'rest' };
    const restarted = await startService(env);
    replicas[0] = restarted;
    const head = (await replayTable(postgres, table)).head;
    for (const url of [restarted.restUrl!, urls[1], urls[2]]) {
      await eventually(async () => (await stateOf(url)).revision >= head, { describe: () => `${url} at ${head}` });
      const { state } = await stateOf(url);
      const missing = [...acknowledged].filter(([key, value]) => state.get(key) !== value);
      expect(missing).toEqual([]);
    }
  });

  it('reads its own write on another replica with X-Kvs-Min-Revision', async () => {
    const [a, b] = await startReplicas(postgres.newTable(), 2);
    for (let i = 0; i < 20; i++) {
      const put = await fetch(`${a}/v1/key/ryw`, { method: 'PUT', body: String(i) });
      const revision = put.headers.get('x-kvs-revision')!;
      const read = await fetch(`${b}/v1/key/ryw`, { headers: { 'X-Kvs-Min-Revision': revision } });
      expect([read.status, await read.text()]).toEqual([200, String(i)]);
    }
  });
});
