import { SeededRandom } from '../support/seeded-random';
import { eventually } from '../support/eventually';
import { SseMessages } from '../support/sse-messages';
import { startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

/** One revision as the table holds it, or as a watcher received it: its events, in order. */
type History = Map<number, string[]>;

/** A row of the log table, as the checker replays it. */
interface Row {
  readonly revision: string;
  readonly event_type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** A watch of every key from revision 1 on a replica, collecting each revision's events. */
function watchAll(url: string): { history: History; stop: () => void } {
  const history: History = new Map();
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${url}/v1/watch?prefix=&start_revision=1`, { signal: controller.signal });
    const messages = new SseMessages();
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      for (const message of messages.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        if (message.event !== 'change') continue;
        const data = JSON.parse(message.data!) as {
          revision: number;
          events: { type: string; key: string; value?: string }[];
        };
        if (history.has(data.revision)) throw new Error(`revision ${data.revision} delivered twice`);
        history.set(data.revision, data.events.map(eventText));
      }
    }
  })().catch(() => undefined);
  return { history, stop: () => controller.abort() };
}

function eventText(event: { type: string; key: string; value?: string }): string {
  return event.type === 'put' ? `put ${event.key}=${event.value}` : `delete ${event.key}`;
}

/** The table's history replayed: every revision's events, and the state they leave. */
async function replayTable(postgres: TestPostgres, table: string) {
  const { rows } = await postgres.query<Row>(
    `SELECT revision, event_type, key, value FROM "${table}" ORDER BY revision, sequence`,
  );
  const history: History = new Map();
  const state = new Map<string, string>();
  for (const row of rows) {
    const revision = Number(row.revision);
    if (row.key[0] === 0xff) continue; // a lease's row: no client key starts with 0xFF
    const key = row.key.toString('utf8');
    const value = row.value?.toString('utf8');
    history.set(revision, [...(history.get(revision) ?? []), eventText({ type: row.event_type, key, value })]);
    if (row.event_type === 'put') state.set(key, value!);
    else state.delete(key);
  }
  return { history, state, head: Math.max(0, ...history.keys()) };
}

/** Every key and value a replica holds, and the revision it reads at. */
async function stateOf(url: string): Promise<{ revision: number; state: Map<string, string> }> {
  const page = (await (await fetch(`${url}/v1/keys?prefix=&limit=1000`)).json()) as {
    revision: number;
    items: { key: string; value: string }[];
  };
  return { revision: page.revision, state: new Map(page.items.map((item) => [item.key, item.value])) };
}

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
    const watches = urls.map(watchAll);
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
        await eventually(async () => (await stateOf(url)).revision === table_.head, {
          describe: () => `replica ${i} at the head ${table_.head}`,
          timeoutMs: 10_000,
        });
        expect(Object.fromEntries((await stateOf(url)).state)).toEqual(Object.fromEntries(table_.state));
        await eventually(() => watches[i].history.size === table_.history.size, {
          describe: () => `replica ${i}'s watcher: ${watches[i].history.size} of ${table_.history.size} revisions`,
          timeoutMs: 10_000,
        });
        expect(new Map([...watches[i].history].sort(([a], [b]) => a - b))).toEqual(table_.history);
      }
    } finally {
      for (const watch of watches) watch.stop();
    }
  });

  it('never loses an update: 3 replicas x 16 clients incrementing 8 counters with If-Match', async () => {
    const urls = await startReplicas(postgres.newTable());
    const counters = Array.from({ length: 8 }, (_, i) => `counter${i}`);
    for (const counter of counters) await fetch(`${urls[0]}/v1/key/${counter}`, { method: 'PUT', body: '0' });
    const random = new SeededRandom(8);
    let succeeded = 0;
    const client = async (id: number) => {
      const url = urls[id % urls.length];
      for (let n = 0; n < 8; n++) {
        const counter = random.pick(counters);
        const read = await fetch(`${url}/v1/key/${counter}`);
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
