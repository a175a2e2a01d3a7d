import { writerApplicationName } from '../../src/driven/postgres-log/postgres-backends';
import { backendPids, postmasterPid, signalAll } from '../support/postgres-backends';
import { runService, startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';
import { eventually } from '../support/eventually';

/**
 * The service on the Postgres log while database backends are frozen with SIGSTOP: a write is
 * answered within the write deadline, "nothing changed" (503) only when it can no longer commit,
 * otherwise OUTCOME_UNKNOWN (504); no write answered 503 ever becomes visible, and every key holds
 * its last acknowledged value or that of a later write whose outcome was reported unknown, with
 * and without a kill -9 of the service during the stall. Readiness follows the database; a second
 * instance on the same table is refused at start-up.
 */

type Outcome = 'acknowledged' | 'refused' | 'unknown';

/** Every write of the test, per key, in the order it was made (each key is written by one writer at a time). */
class History {
  private readonly writes = new Map<string, { value: string; outcome: Outcome }[]>();

  record(key: string, value: string, outcome: Outcome): void {
    const list = this.writes.get(key) ?? [];
    list.push({ value, outcome });
    this.writes.set(key, list);
  }

  keys(): string[] {
    return [...this.writes.keys()];
  }

  /** Values the key may hold now: its last acknowledged value, or a later one whose outcome was unknown. */
  allowed(key: string): string[] {
    const list = this.writes.get(key) ?? [];
    const last = list.map((write) => write.outcome).lastIndexOf('acknowledged');
    return list
      .slice(Math.max(last, 0))
      .flatMap((write, i) => ((i === 0 && last >= 0) || write.outcome === 'unknown' ? [write.value] : []));
  }

  count(outcome: Outcome): number {
    return [...this.writes.values()].flat().filter((write) => write.outcome === outcome).length;
  }
}

/** Each stall test starts the service up to four times and waits out write deadlines. */
const STALL_TEST_TIMEOUT_MS = 120_000;

let postgres: TestPostgres;
let service: ServiceProcess | undefined;
let stopped: number[] = [];

beforeAll(async () => {
  postgres = await TestPostgres.start();
});

afterEach(() => {
  signalAll(stopped.splice(0), 'SIGCONT');
  service?.process.kill('SIGKILL');
  service = undefined;
});

afterAll(async () => {
  await postgres?.close();
});

/**
 * A short write deadline; a statement timeout far longer than the stalls, so that only the write
 * deadline can bound a write (before it existed, writes waited out the statement timeout).
 */
function envFor(table = postgres.newTable()): Record<string, string> {
  return {
    ...postgres.logEnv(table),
    FRONTEND_TYPE: 'rest',
    TLOG_DB_WRITE_TIMEOUT_MS: '800',
    TLOG_DB_STATEMENT_TIMEOUT_MS: '60000',
    TLOG_DB_CONNECT_TIMEOUT_MS: '1000',
  };
}

function keyUrl(base: string, key: string): string {
  return `${base}/v1/key/${encodeURIComponent(key)}`;
}

async function put(base: string, history: History, key: string, value: string): Promise<Outcome> {
  let outcome: Outcome;
  try {
    const response = await fetch(keyUrl(base, key), { method: 'PUT', body: value });
    await response.arrayBuffer();
    if (response.status === 201 || response.status === 200 || response.status === 204) outcome = 'acknowledged';
    else if (response.status === 503) outcome = 'refused';
    else if (response.status === 504) outcome = 'unknown';
    else throw new Error(`PUT answered ${response.status}`);
  } catch (error) {
    // The service died under the request: the client cannot know what happened.
    if (error instanceof Error && error.message.startsWith('PUT answered')) throw error;
    outcome = 'unknown';
  }
  history.record(key, value, outcome);
  return outcome;
}

async function valueOf(base: string, key: string): Promise<string | undefined> {
  const response = await fetch(keyUrl(base, key));
  const body = await response.text();
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
  return body;
}

async function readiness(base: string): Promise<number> {
  const response = await fetch(`${base}/readyz`);
  await response.arrayBuffer();
  return response.status;
}

/** Every key holds a value the history allows, in the running service and after a clean restart (memory and log agree). */
async function expectTruthful(env: Record<string, string>, history: History): Promise<void> {
  const served = async (): Promise<Record<string, string | undefined>> => {
    const values: Record<string, string | undefined> = {};
    for (const key of history.keys()) {
      values[key] = await valueOf(service!.restUrl!, key);
      expect({ key, allowed: history.allowed(key).includes(values[key] ?? '(absent)') }).toEqual({
        key,
        allowed: true,
      });
    }
    return values;
  };
  const before = await served();
  service!.process.kill('SIGTERM');
  expect(await service!.exited()).toBe(0);
  service = await startService(env);
  // The restarted service replays exactly what the first one served.
  expect(await served()).toEqual(before);
}

/** Sessions holding the table's advisory lock (class "kvl", the table's hash: see postgres-table-lock.ts). */
async function tableLockHolders(table: string): Promise<number> {
  const result = await postgres.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid::bigint = (hashtext($2)::bigint & 4294967295)`,
    [0x6b766c, table],
  );
  return result.rows[0].n;
}

/** Kills the service with SIGKILL while its backend is still stopped, then restarts it and lets the backend go on. */
async function killAndRestart(env: Record<string, string>): Promise<void> {
  service!.process.kill('SIGKILL');
  await service!.exited();
  // The restart must wait until the stopped INSERT of the killed instance can no longer commit:
  // let it take the table (it then ends earlier writers before replaying), and a moment more.
  const restarting = startService(env);
  await eventually(async () => (await tableLockHolders(env.TLOG_DB_TABLE)) > 0);
  await new Promise((resolve) => setTimeout(resolve, 500));
  signalAll(stopped.splice(0), 'SIGCONT');
  service = await restarting;
  expect(service.output()).toContain('an earlier instance left writing');
}

/** A service on a fresh table, its REST base URL, and an empty history of writes. */
async function freshService(): Promise<{ env: Record<string, string>; base: string; history: History }> {
  const env = envFor();
  service = await startService(env);
  return { env, base: service.restUrl!, history: new History() };
}

describe('service on the Postgres log with a stalled database backend', () => {
  it.each([['without a crash'], ['with kill -9 of kvs during the stall']])(
    'never lets a write answered 503 commit later: the issue reproduction, %s',
    async (variant) => {
      const { env, base, history } = await freshService();
      const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
      for (const key of keys) expect(await put(base, history, key, `${key} first`)).toBe('acknowledged');

      stopped = await backendPids(postgres, writerApplicationName(env.TLOG_DB_TABLE));
      expect(stopped.length).toBeGreaterThan(0);
      signalAll(stopped, 'SIGSTOP');
      // Each of these is answered while the backend is still stopped.
      const second = await Promise.all(keys.map((key) => put(base, history, key, `${key} second`)));
      expect(second).toContain('unknown');
      expect(second).not.toContain('acknowledged');
      expect(await readiness(base)).toBe(503);
      const third = await Promise.all(keys.map((key) => put(base, history, key, `${key} third`)));
      // Nothing can be written behind the unsettled batch: refusing is the truth.
      expect(third).toEqual(keys.map(() => 'refused'));

      if (variant.startsWith('with kill')) {
        await killAndRestart(env);
      } else {
        signalAll(stopped.splice(0), 'SIGCONT');
        await eventually(async () => (await readiness(base)) === 200);
      }
      await expectTruthful(env, history);
      // Writes work again, and stay truthful.
      for (const key of keys) expect(await put(service!.restUrl!, history, key, `${key} fourth`)).toBe('acknowledged');
      await expectTruthful(env, history);
    },
    STALL_TEST_TIMEOUT_MS,
  );

  it.each([['without a crash'], ['with kill -9 of kvs during the stall']])(
    'keeps 16 concurrent writers truthful through a stall, %s',
    async (variant) => {
      const { env, base, history } = await freshService();
      let stop = false;
      const writer = async (id: number): Promise<void> => {
        for (let n = 0; !stop; n++) {
          const outcome = await put(base, history, `writer-${id}-${n % 3}`, `w${id} n${n}`);
          if (outcome !== 'acknowledged') await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const writers = Array.from({ length: 16 }, (_, id) => writer(id));
      try {
        await eventually(async () => history.count('acknowledged') >= 300);
        stopped = await backendPids(postgres, writerApplicationName(env.TLOG_DB_TABLE));
        signalAll(stopped, 'SIGSTOP');
        const refusedBefore = history.count('refused');
        await eventually(async () => history.count('refused') >= refusedBefore + 50, {
          describe: () => `50 refusals in the stall (${history.count('refused') - refusedBefore} so far)`,
        });

        if (variant.startsWith('with kill')) {
          const killed = killAndRestart(env);
          stop = true;
          await Promise.all(writers);
          await killed;
        } else {
          signalAll(stopped.splice(0), 'SIGCONT');
          const acknowledged = history.count('acknowledged');
          await eventually(async () => history.count('acknowledged') >= acknowledged + 300, {
            describe: () => `300 acks after the stall (${history.count('acknowledged') - acknowledged} so far)`,
          });
        }
      } finally {
        // Also when a wait gives up: looping writers would keep jest from exiting.
        stop = true;
        await Promise.all(writers);
      }
      expect(history.count('unknown')).toBeGreaterThan(0);
      await expectTruthful(env, history);
    },
    STALL_TEST_TIMEOUT_MS,
  );

  it('answers writes within the write deadline and turns not ready while the database does not answer, recovering by itself', async () => {
    const env = envFor();
    service = await startService(env);
    const base = service.restUrl!;
    const history = new History();
    expect(await put(base, history, 'k', 'before')).toBe('acknowledged');
    expect(await readiness(base)).toBe(200);

    // Freeze the whole database: every backend of the service and the postmaster (no new connections).
    const table = env.TLOG_DB_TABLE;
    const backends = [
      ...(await backendPids(postgres, 'kvs')),
      ...(await backendPids(postgres, writerApplicationName(table))),
      ...(await backendPids(postgres, 'kvs table lock')),
    ];
    stopped = [...backends, postmasterPid(backends[0])];
    signalAll(stopped, 'SIGSTOP');
    await eventually(async () => (await readiness(base)) === 503);
    // Answered while the database is still frozen: bounded by the write deadline, not by the stall.
    expect(await put(base, history, 'k', 'during')).not.toBe('acknowledged');

    signalAll(stopped.splice(0), 'SIGCONT');
    await eventually(async () => (await readiness(base)) === 200);
    expect(await put(base, history, 'k', 'after')).toBe('acknowledged');
    expect(await valueOf(base, 'k')).toBe('after');
  });

  it('refuses a second instance on the same table at start-up, naming the table', async () => {
    const env = envFor();
    service = await startService(env);
    const second = await runService({ ...env, FRONTEND_TYPE: 'rest' });
    expect(second.code).toBe(1);
    expect(second.stdout + second.stderr).toContain(
      `table ${env.TLOG_DB_TABLE} is in use by another running kvs instance`,
    );
    // The first keeps serving; once it has stopped, the table is free again.
    const history = new History();
    expect(await put(service.restUrl!, history, 'k', 'v')).toBe('acknowledged');
    service.process.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
    service = await startService(env);
    expect(await valueOf(service.restUrl!, 'k')).toBe('v');
  });
});
