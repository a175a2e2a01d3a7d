import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';
import { useTempDir } from '../support/temp-dir';

/** How far off the skewed replica's host wall clock is: ten minutes ahead. */
const SKEW_MS = 10 * 60 * 1000;
/** The database clock as a replica estimates it may be off by half a loopback round trip; this is ample. */
const CLOCK_ERROR_MS = 100;

/**
 * Preloaded (node --require) into one replica: its host wall clock (Date.now, new Date()) runs
 * SKEW_MS ahead, as on a host whose NTP is broken. Written at run time so no JavaScript file
 * sits among the TypeScript sources.
 */
const SKEWED_CLOCK = `'use strict';
const skew = ${SKEW_MS};
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + skew); else super(...args); }
  static now() { return RealDate.now() + skew; }
}
globalThis.Date = SkewedDate;
`;

/** A lease's rows carry its own key: 0xFF then `lease <id>`. */
function leaseKey(id: string): Buffer {
  return Buffer.concat([Buffer.from([0xff]), Buffer.from(`lease ${id}`, 'latin1')]);
}

/** When a replica's GET of a key said what, by this host's clock (the database's: one machine). */
interface Sighting {
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly status: number;
}

describe('scale-out: TTLs, leases and rate limits judged alike by every replica (KVS_REPLICAS=shared)', () => {
  let postgres: TestPostgres;
  const replicas: ServiceProcess[] = [];
  /** The pair with a skewed replica, shared by the TTL and lease tests (each on keys of its own). */
  let skewed: Promise<{ table: string; urls: string[] }> | undefined;
  const skewedPair: ServiceProcess[] = [];
  const temp = useTempDir('skew', 'file');

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });

  /** Kills `running`; every one of them must have served to the end. */
  function stopAll(running: ServiceProcess[]): void {
    const died = running.filter((replica) => replica.process.exitCode !== null || replica.process.signalCode !== null);
    for (const replica of running) replica.process.kill('SIGKILL');
    expect(died.map((replica) => replica.output().slice(-3000))).toEqual([]);
  }

  afterEach(() => stopAll(replicas.splice(0)));

  afterAll(async () => {
    stopAll(skewedPair.splice(0));
    await postgres?.close();
  });

  /** The two replicas on one table of which the second's host clock is SKEW_MS ahead, started once. */
  function skewedReplicas(): Promise<{ table: string; urls: string[] }> {
    skewed ??= (async () => {
      const table = postgres.newTable();
      const preload = join(temp.path, 'skewed-clock.js');
      await writeFile(preload, SKEWED_CLOCK);
      const started = await startTwo(table, {}, { NODE_OPTIONS: `--require ${preload}` });
      skewedPair.push(...started);
      return { table, urls: started.map((replica) => replica.restUrl!) };
    })();
    return skewed;
  }

  /** Two replicas on `table`; the second also gets `second`. */
  function startTwo(
    table: string,
    extra: Record<string, string>,
    second: Record<string, string> = {},
  ): Promise<ServiceProcess[]> {
    const env = {
      ...postgres.logEnv(table),
      KVS_REPLICAS: 'shared',
      FRONTEND_TYPE: 'rest',
      KVS_PG_POLL_MS: '200',
      TLOG_DB_WRITE_TIMEOUT_MS: '5000',
      ...extra,
    };
    return Promise.all([startService(env), startService({ ...env, ...second })]);
  }

  /** Rows of `key` in the table that are deletes. */
  async function deletesOf(table: string, key: Buffer): Promise<number> {
    const { rows } = await postgres.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${table}" WHERE key = $1 AND event_type = 'delete'`,
      [key],
    );
    return Number(rows[0].n);
  }

  /** Waits until every replica has applied the table's head revision. */
  async function converged(table: string, urls: readonly string[]): Promise<void> {
    const { rows } = await postgres.query<{ head: string }>(`SELECT max(revision) AS head FROM "${table}"`);
    const head = Number(rows[0].head);
    for (const url of urls) {
      const revision = async () =>
        ((await (await fetch(`${url}/v1/keys?prefix=&limit=1`)).json()) as { revision: number }).revision;
      await eventually(async () => (await revision()) >= head, { describe: () => `${url} at revision ${head}` });
    }
  }

  it('sets and judges TTL deadlines by the database clock on a replica whose host clock is 10 minutes off: the key ends at its deadline on both, its expiry logged once', async () => {
    const {
      table,
      urls: [a, b],
    } = await skewedReplicas();
    const deadlines = new Map<string, number>();
    for (const [key, url] of [
      ['written-on-a', a],
      ['written-on-b', b],
    ]) {
      const before = Date.now();
      const put = await fetch(`${url}/v1/key/${key}?ttl=2s`, { method: 'PUT', body: 'v' });
      expect(put.status).toBe(201);
      const deadline = Date.parse(put.headers.get('x-kvs-expires-at')!);
      // By the database's clock, not the skewed host's (which would put it 10 minutes later).
      expect(deadline).toBeGreaterThanOrEqual(before + 2000 - CLOCK_ERROR_MS);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 2000 + CLOCK_ERROR_MS);
      deadlines.set(key, deadline);
    }
    // Both replicas read both keys until each has answered 404 for each.
    const sightings = new Map<string, Sighting[]>();
    const gone = (name: string) => sightings.get(name)?.at(-1)?.status === 404;
    await eventually(
      async () => {
        for (const [replica, url] of [
          ['a', a],
          ['b', b],
        ]) {
          for (const key of deadlines.keys()) {
            const name = `${key} on ${replica}`;
            if (gone(name)) continue;
            const sentAt = Date.now();
            const { status } = await fetch(`${url}/v1/key/${key}`);
            sightings.set(name, [...(sightings.get(name) ?? []), { sentAt, answeredAt: Date.now(), status }]);
          }
        }
        return [...sightings.keys()].length === 4 && [...sightings.keys()].every(gone);
      },
      { describe: () => JSON.stringify([...sightings]), timeoutMs: 10_000, intervalMs: 50 },
    );
    const wrong: string[] = [];
    for (const [name, seen] of sightings) {
      const deadline = deadlines.get(name.split(' on ')[0])!;
      const served = seen.filter((sighting) => sighting.status === 200);
      // Served until the deadline (a 200 was judged before it), gone from it on (a 404 after it).
      if (served.length === 0) wrong.push(`${name}: never served`);
      for (const { sentAt } of served)
        if (sentAt - deadline > CLOCK_ERROR_MS)
          wrong.push(`${name}: served ${sentAt - deadline} ms after its deadline`);
      const { answeredAt } = seen.find((sighting) => sighting.status === 404)!;
      if (deadline - answeredAt > CLOCK_ERROR_MS)
        wrong.push(`${name}: gone ${deadline - answeredAt} ms before its deadline`);
    }
    expect(wrong).toEqual([]);
    // The expiry of each key is one logged delete, whichever replica noticed first.
    for (const key of deadlines.keys()) {
      await eventually(async () => (await deletesOf(table, Buffer.from(key))) > 0, {
        describe: () => `${key}'s delete`,
      });
    }
    await converged(table, [a, b]);
    for (const key of deadlines.keys()) expect(await deletesOf(table, Buffer.from(key))).toBe(1);
  });

  it('a lease kept alive through one replica lives on the other; once the keepalives stop it expires once', async () => {
    const {
      table,
      urls: [a, b],
    } = await skewedReplicas();
    const grant = await fetch(`${a}/v1/leases`, { method: 'POST', body: JSON.stringify({ ttl: '1500ms' }) });
    const { id } = (await grant.json()) as { id: string };
    expect((await fetch(`${a}/v1/key/leader?lease=${id}`, { method: 'PUT', body: 'a' })).status).toBe(201);
    await eventually(async () => (await fetch(`${b}/v1/key/leader`)).status === 200, {
      describe: () => 'the key on B',
    });
    // Keepalives through A for more than two TTLs; B must serve the key (and the lease) all along.
    const until = Date.now() + 3500;
    let keepalives = 0;
    while (Date.now() < until) {
      const kept = await fetch(`${a}/v1/leases/${id}/keepalive`, { method: 'POST' });
      expect(kept.status).toBe(200);
      keepalives++;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await fetch(`${b}/v1/key/leader`)).status).toBe(200);
      expect((await fetch(`${b}/v1/leases/${id}`)).status).toBe(200);
    }
    // Each keepalive is a row of the lease carrying its deadline.
    const { rows } = await postgres.query(`SELECT 1 FROM "${table}" WHERE key = $1 AND expires_at IS NOT NULL`, [
      leaseKey(id),
    ]);
    expect(rows).toHaveLength(keepalives);
    // The keepalives stop: the lease and its key go on both replicas, in one logged revoke.
    for (const url of [a, b]) {
      await eventually(async () => (await fetch(`${url}/v1/key/leader`)).status === 404, {
        describe: () => `the key gone on ${url}`,
        timeoutMs: 8000,
      });
      expect((await fetch(`${url}/v1/leases/${id}/keepalive`, { method: 'POST' })).status).toBe(404);
    }
    await eventually(async () => (await deletesOf(table, leaseKey(id))) > 0, { describe: () => 'the revoke row' });
    await converged(table, [a, b]);
    expect(await deletesOf(table, leaseKey(id))).toBe(1);
    expect(await deletesOf(table, Buffer.from('leader'))).toBe(1);
  });

  it('KVS_RATE_LIMIT_STORE=postgres: two replicas share one limit; the sum admitted across both stays within it', async () => {
    const table = postgres.newTable();
    const started = await startTwo(table, { KVS_RATE_LIMIT: '10/m', KVS_RATE_LIMIT_STORE: 'postgres' });
    replicas.push(...started);
    const [a, b] = started.map((replica) => replica.restUrl!);
    try {
      // The replicas create the counts' table as they start.
      await eventually(() => postgres.tableExists(`${table}_rate_limits`), { describe: () => 'the rate limits table' });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await fetch(`${i % 2 === 0 ? a : b}/v1/key/k`)).status);
      // One window of 60 s, 10 requests: never 10 on each replica.
      expect(statuses.filter((status) => status !== 429)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
      const refused = await fetch(`${b}/v1/key/k`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      for (const replica of replicas) expect(replica.output()).not.toContain('rate_limit_store_unavailable');
    } finally {
      await postgres.query(`DROP TABLE IF EXISTS "${table}_rate_limits"`);
    }
  });
});
