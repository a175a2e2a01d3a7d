import { startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

const WORKERS = 8;
const ACKS_BEFORE_KILL = 150;
/** A safety net on a loaded machine, not the expected duration. */
const MAX_LOAD_MS = 30_000;
const KEYS = ['count', 'a', 'b', 'c'];

interface Item {
  key: string;
  value: string;
  mod_revision: number;
  version: number;
}

/** Worker w's counter state on the service: its value (0 when absent) and version. */
async function counterOf(url: string, w: number): Promise<{ n: number; version: number }> {
  const answer = await fetch(`${url}/v1/key/w${w}%2Fcount`);
  if (answer.status === 404) {
    await answer.body?.cancel();
    return { n: 0, version: 0 };
  }
  return { n: Number(await answer.text()), version: Number(answer.headers.get('x-kvs-version')) };
}

/**
 * Runs WORKERS clients against the service, each repeating one POST /v1/txn: if its counter
 * still has the version it last wrote, put the next n to it and to three more keys (values of
 * 0 to 6 KiB, so records differ in size). SIGKILLs the service once enough are acknowledged
 * and returns, per worker, the last n acknowledged and the highest revision acknowledged.
 */
async function transactUntilKilled(service: ServiceProcess): Promise<{ last: number[]; highest: number }> {
  const url = service.restUrl!;
  const last = new Array<number>(WORKERS).fill(0);
  let highest = 0;
  let acks = 0;
  let killed = false;
  const worker = async (w: number): Promise<void> => {
    let { n, version } = await counterOf(url, w);
    last[w] = n;
    while (!killed) {
      const next = n + 1;
      const value = `${next}:${'x'.repeat((next % 4) * 2048)}`;
      const body = {
        compare: [{ key: `w${w}/count`, target: 'version', op: '==', value: version }],
        success: [
          { put: { key: `w${w}/count`, value: String(next) } },
          ...['a', 'b', 'c'].map((k) => ({ put: { key: `w${w}/${k}`, value } })),
        ],
      };
      let answer: { succeeded: boolean; revision: number };
      try {
        const res = await fetch(`${url}/v1/txn`, { method: 'POST', body: JSON.stringify(body) });
        if (res.status !== 200) throw new Error(`txn answered ${res.status}: ${await res.text()}`);
        answer = (await res.json()) as typeof answer;
      } catch (error) {
        if (killed) return; // the kill cut this transaction: its outcome is open
        throw error;
      }
      if (!answer.succeeded) throw new Error(`worker ${w}: its own counter moved`);
      n = next;
      version += 1;
      last[w] = n;
      highest = Math.max(highest, answer.revision);
      acks += 1;
    }
  };
  const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  try {
    const began = Date.now();
    while (acks < ACKS_BEFORE_KILL && Date.now() - began < MAX_LOAD_MS) await new Promise((r) => setTimeout(r, 10));
  } finally {
    killed = true;
    service.process.kill('SIGKILL');
  }
  await service.exited();
  await load;
  return { last, highest };
}

/** Each worker's four keys must be one transaction's: one value n (acked or the one in flight), one mod_revision. */
async function violationsOf(url: string, acked: readonly number[]): Promise<string[]> {
  const violations: string[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const answer = await fetch(`${url}/v1/keys?prefix=w${w}%2F`);
    const items = ((await answer.json()) as { items: Item[] }).items;
    if (items.length === 0) {
      if (acked[w] !== 0) violations.push(`worker ${w}: nothing left of ${acked[w]} acknowledged`);
      continue;
    }
    const byKey = new Map(items.map((item) => [item.key.slice(`w${w}/`.length), item]));
    const count = byKey.get('count');
    if (items.length !== KEYS.length || count === undefined) {
      violations.push(`worker ${w}: a torn transaction, keys ${[...byKey.keys()].join(',')}`);
      continue;
    }
    const n = Number(count.value);
    if (n < acked[w] || n > acked[w] + 1) violations.push(`worker ${w}: n ${n}, acknowledged ${acked[w]}`);
    for (const key of ['a', 'b', 'c']) {
      const item = byKey.get(key)!;
      if (item.value.split(':')[0] !== String(n) || item.mod_revision !== count.mod_revision || item.version !== n) {
        violations.push(`worker ${w}: ${key} is not of transaction ${n}`);
      }
    }
  }
  return violations;
}

describe('kill -9 of the service on the PostgreSQL log under concurrent POST /v1/txn', () => {
  let postgres: TestPostgres;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });

  afterEach(() => {
    service?.process.kill('SIGKILL');
  });

  afterAll(() => postgres?.close());

  it('restarts with every transaction entirely present or entirely absent, twice over, and revisions continue', async () => {
    const env = { ...postgres.logEnv(), FRONTEND_TYPE: 'rest' };
    const acked = new Array<number>(WORKERS).fill(0);
    for (let round = 0; round < 2; round++) {
      service = await startService(env);
      const killed = await transactUntilKilled(service);
      killed.last.forEach((n, w) => (acked[w] = Math.max(acked[w], n)));
      expect(killed.highest).toBeGreaterThan(0);

      service = await startService(env);
      const url = service.restUrl!;
      expect(await violationsOf(url, acked)).toEqual([]);
      const page = (await (await fetch(`${url}/v1/keys?prefix=&keys_only=true&limit=1`)).json()) as {
        revision: number;
      };
      expect(page.revision).toBeGreaterThanOrEqual(killed.highest);
      const after = await fetch(`${url}/v1/key/after`, { method: 'PUT', body: String(round) });
      expect(Number(after.headers.get('x-kvs-revision'))).toBe(page.revision + 1);
      // The next round's workers start from what survived.
      for (let w = 0; w < WORKERS; w++) acked[w] = (await counterOf(url, w)).n;
      service.process.kill('SIGKILL');
      await service.exited();
    }
  }, 120_000);
});
