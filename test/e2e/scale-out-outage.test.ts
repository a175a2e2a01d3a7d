import { eventually } from '../support/eventually';
import { healthCheck, rawClient } from '../support/grpc-raw';
import { postgresOutage, type PostgresOutage } from '../support/postgres-outage';
import { expectReplicaHolds, expectWatched, replayTable, stateOf, watchAll } from '../support/scale-out';
import { startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

/**
 * Three replicas on one table (KVS_REPLICAS=shared) under writes and reads while PostgreSQL
 * crashes and comes back: writes answer fast and truthfully (a 503 never commits), reads go on
 * until the staleness bound and the replicas then report not ready, they recover by
 * themselves, and every replica's state and watched history equal the table's.
 */

const POLL_MS = 200;
const MAX_STALENESS_MS = 2000;
const WRITE_TIMEOUT_MS = 1500;

type Outcome = 'acknowledged' | 'refused' | 'unknown';

/** One write of the test: a key of its own, so the table tells whether it committed. */
interface Write {
  readonly key: string;
  readonly value: string;
  readonly replica: number;
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly outcome: Outcome;
}

/** One /readyz answer of a replica. */
interface Probe {
  readonly replica: number;
  readonly at: number;
  readonly status: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let postgres: TestPostgres;
let outage: PostgresOutage;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  postgres = await TestPostgres.start();
  outage = await postgresOutage(postgres);
});

afterEach(() => {
  for (const replica of replicas.splice(0)) replica.process.kill('SIGKILL');
});

afterAll(async () => {
  await outage?.close();
  await postgres?.close();
});

async function put(url: string, key: string, value: string): Promise<Outcome> {
  const answer = await fetch(`${url}/v1/key/${key}`, { method: 'PUT', body: value }).catch(() => undefined);
  if (answer === undefined) return 'unknown';
  await answer.arrayBuffer();
  if (answer.status === 201) return 'acknowledged';
  if (answer.status === 503) return 'refused';
  if (answer.status === 504) return 'unknown';
  throw new Error(`PUT answered ${answer.status}`);
}

async function readiness(url: string): Promise<string> {
  const answer = await fetch(`${url}/readyz`);
  return ((await answer.json()) as { status: string }).status;
}

describe('scale-out: PostgreSQL stopped and restarted under load', () => {
  it('answers writes fast and truthfully, reads on until the staleness bound, recovers by itself, and no watcher misses a revision', async () => {
    const table = postgres.newTable();
    const env = {
      ...outage.env(table),
      KVS_REPLICAS: 'shared',
      FRONTEND_TYPE: 'rest',
      KVS_PG_POLL_MS: String(POLL_MS),
      KVS_MAX_STALENESS_MS: String(MAX_STALENESS_MS),
      TLOG_DB_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS),
      TLOG_DB_CONNECT_TIMEOUT_MS: '500',
      TLOG_DB_STATEMENT_TIMEOUT_MS: '3000',
    };
    // Replica 0 serves gRPC too: its health follows the same readiness.
    const frontends = ['rest,grpc', 'rest', 'rest'];
    replicas.push(...(await Promise.all(frontends.map((FRONTEND_TYPE) => startService({ ...env, FRONTEND_TYPE })))));
    const urls = replicas.map((replica) => replica.restUrl!);
    const health = rawClient(replicas[0].grpcAddress!);
    for (const url of urls) await eventually(async () => (await readiness(url)) === 'ready');
    const seeded = await fetch(`${urls[0]}/v1/key/seed`, { method: 'PUT', body: 'seed' });
    const seedRevision = seeded.headers.get('x-kvs-revision')!;
    const watches = urls.map((url) => watchAll(url));

    const writes: Write[] = [];
    const reads: { replica: number; at: number; status: number }[] = [];
    const probes: Probe[] = [];
    let stop = false;
    const writer = async (id: number) => {
      const replica = id % urls.length;
      for (let n = 0; !stop; n++) {
        const key = `w${id}-${n}`;
        const sentAt = Date.now();
        const outcome = await put(urls[replica], key, String(n));
        writes.push({ key, value: String(n), replica, sentAt, answeredAt: Date.now(), outcome });
        if (outcome !== 'acknowledged') await sleep(50);
      }
    };
    // Reads a replica has the revision for: local reads, answered as long as the process runs.
    const reader = async (replica: number) => {
      while (!stop) {
        const answer = await fetch(`${urls[replica]}/v1/key/seed`, { headers: { 'X-Kvs-Min-Revision': seedRevision } });
        await answer.arrayBuffer();
        reads.push({ replica, at: Date.now(), status: answer.status });
        await sleep(20);
      }
    };
    const prober = async (replica: number) => {
      while (!stop) {
        const status = await readiness(urls[replica]);
        probes.push({ replica, at: Date.now(), status });
        await sleep(50);
      }
    };
    const load = [...[0, 1, 2, 3, 4, 5].map(writer), ...[0, 1, 2].map(reader), ...[0, 1, 2].map(prober)];
    const acknowledged = () => writes.filter((write) => write.outcome === 'acknowledged').length;
    let stoppedAt: number;
    let restoredAt: number;
    try {
      await eventually(() => acknowledged() >= 60, { describe: () => `60 writes (${acknowledged()} so far)` });
      stoppedAt = Date.now();
      await outage.cut();
      const cutAt = Date.now();

      // Every replica goes out once its view is older than the bound: not before.
      await eventually(() => [0, 1, 2].every((i) => probes.some((p) => p.replica === i && p.status === 'stale')), {
        describe: () => `every replica stale (${JSON.stringify(probes.slice(-3))})`,
        timeoutMs: MAX_STALENESS_MS + 8000,
      });
      expect(await healthCheck(health)).toBe('NOT_SERVING');
      const linearizable = await fetch(`${urls[1]}/v1/key/seed?linearizable=true`);
      expect([linearizable.status, await linearizable.text()]).toEqual([
        503,
        expect.stringContaining('REPLICA_BEHIND'),
      ]);
      const asked = Date.now();
      const ahead = await fetch(`${urls[2]}/v1/key/seed`, { headers: { 'X-Kvs-Min-Revision': '1000000' } });
      expect([ahead.status, await ahead.text()]).toEqual([503, expect.stringContaining('has not confirmed the head')]);
      // Refused at once, not after KVS_MAX_READ_WAIT_MS: the replica is not following the history.
      expect(Date.now() - asked).toBeLessThan(1000);
      // Writes sent once the database was gone, answered within the write deadline, none acknowledged.
      const during = writes.filter((write) => write.sentAt > cutAt);
      expect(during.length).toBeGreaterThan(10);
      expect(during.filter((write) => write.outcome === 'acknowledged')).toEqual([]);
      expect(during.filter((write) => write.outcome === 'refused').length).toBeGreaterThan(during.length / 2);
      const slowest = Math.max(...during.map((write) => write.answeredAt - write.sentAt));
      expect(slowest).toBeLessThan(WRITE_TIMEOUT_MS + 1500);

      await outage.restore();
      restoredAt = Date.now();
      // Every replica recovers by itself: ready again, and writing.
      await eventually(
        () =>
          [0, 1, 2].every(
            (i) =>
              probes.some((p) => p.replica === i && p.at > restoredAt && p.status === 'ready') &&
              writes.some((w) => w.replica === i && w.sentAt > restoredAt && w.outcome === 'acknowledged'),
          ),
        { describe: () => 'every replica ready and acknowledging writes again', timeoutMs: 15_000 },
      );
      expect(await healthCheck(health)).toBe('SERVING');
    } finally {
      stop = true;
      await Promise.all(load);
      health.close();
    }

    // Local reads went on through the outage (the replica had their revision).
    expect(reads.filter((read) => read.status !== 200)).toEqual([]);
    expect(reads.filter((read) => read.at > stoppedAt && read.at < restoredAt).length).toBeGreaterThan(10);
    for (const replica of [0, 1, 2]) {
      const firstStale = probes.find((p) => p.replica === replica && p.status === 'stale')!;
      // Ready (reads served through the balancer) until about the bound after the last confirmation.
      expect(firstStale.at - stoppedAt).toBeGreaterThan(MAX_STALENESS_MS - 1000);
      expect(probes.filter((p) => p.replica === replica && p.at < stoppedAt && p.status !== 'ready')).toEqual([]);
    }

    // Against the table: acknowledged writes are there, refused ones never committed, and every
    // replica's state and watched history are the table's, gap-free.
    const history = await replayTable(postgres, table);
    expect([...history.history.keys()]).toEqual(Array.from({ length: history.head }, (_, i) => i + 1));
    const lost = writes.filter(
      (write) => write.outcome === 'acknowledged' && history.state.get(write.key) !== write.value,
    );
    const refusedButCommitted = writes.filter((write) => write.outcome === 'refused' && history.state.has(write.key));
    expect({ lost, refusedButCommitted }).toEqual({ lost: [], refusedButCommitted: [] });
    try {
      for (const [i, url] of urls.entries()) {
        await expectReplicaHolds(url, history.head, history.state);
        await expectWatched(watches[i], history.history, `replica ${i}`);
      }
    } finally {
      for (const watch of watches) watch.stop();
    }
  }, 60_000);

  it('fails and exits a replica whose revisions the table lost (a failover on asynchronous replication); restarted, it replays the truth', async () => {
    const table = postgres.newTable();
    const env = {
      ...outage.env(table),
      KVS_REPLICAS: 'shared',
      FRONTEND_TYPE: 'rest',
      KVS_PG_POLL_MS: String(POLL_MS),
    };
    const replica = await startService(env);
    replicas.push(replica);
    for (let i = 1; i <= 5; i++) expect(await put(replica.restUrl!, `k${i}`, String(i))).toBe('acknowledged');
    // The new primary lacks the last two commits.
    await postgres.query(`DELETE FROM "${table}" WHERE revision > 3`);
    expect(await replica.exited()).toBe(1);
    expect(replica.output()).toContain('the database lost commits');
    const restarted = await startService(env);
    replicas.push(restarted);
    const { revision, state } = await stateOf(restarted.restUrl!);
    expect([revision, Object.fromEntries(state)]).toEqual([3, { k1: '1', k2: '2', k3: '3' }]);
  }, 30_000);
});
