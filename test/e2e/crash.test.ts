import { join } from 'node:path';
import { logRecords, startService } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';
import { useTempDir } from '../support/temp-dir';

const WRITERS = 32;
const KEYS_PER_WRITER = 8;
/**
 * Load runs until this many writes are acknowledged (and the compactions asked for have run), or
 * this long has passed, then the kill comes. The cap is a safety net, not the expected duration:
 * on a loaded 2-core machine a compaction cycle took several seconds, and 8 s saw only one.
 */
const ACKS_BEFORE_KILL = 2_000;
const MAX_LOAD_MS = 30_000;

/** What a key may hold after the crash: its last acknowledged state, or a write that was in flight. */
interface KeyOutcome {
  acked: string | null;
  inFlight?: string | null;
}

/** With KVS_WORKERS > 1: load goes on for this many more acknowledgements after a worker is killed, before the owner is. */
const ACKS_AFTER_WORKER_KILL = 500;

/**
 * Crash test: SIGKILL the service under concurrent write load, restart it on the same log,
 * and check that every acknowledged write survived with its last acknowledged value.
 * Each writer owns its keys and writes them one at a time, so per key there is exactly one
 * last acknowledged state and at most one write whose outcome the kill left undecided.
 * With `killWorkerFirst` (KVS_WORKERS > 1) a worker is killed first and the load goes on
 * through the others: a writer whose request the kill cut leaves that key's last write
 * undecided and goes on with fresh keys (so no later write shares a key with an undecided one);
 * then the owner is killed.
 */
async function crashAndCheck(env: Record<string, string>, minCompactions = 0, killWorkerFirst = false): Promise<void> {
  let service = await startService(env);
  const compactions = (): number => service.output().split('"event":"compaction_done"').length - 1;
  try {
    const url = service.restUrl!;
    const outcomes = new Map<string, KeyOutcome>();
    let acked = 0;
    /** Set once a worker is killed (KVS_WORKERS > 1): a failed request is one the kill cut. */
    let workerKilled = false;
    /** Set before the service (its owner) is killed: the writers stop. */
    let killed = false;

    async function writer(id: number): Promise<void> {
      let keys = `writer-${id}`;
      for (let n = 0; !killed; n++) {
        const key = `${keys}/key-${n % KEYS_PER_WRITER}\t✓`;
        const value = n % 5 === 4 ? null : `value ${id}:${n}\n`;
        const outcome = outcomes.get(key) ?? { acked: null };
        outcomes.set(key, outcome);
        outcome.inFlight = value;
        try {
          const res = await fetch(`${url}/v1/key/${encodeURIComponent(key)}`, {
            method: value === null ? 'DELETE' : 'PUT',
            body: value ?? undefined,
          });
          if (res.status !== 201 && res.status !== 200) throw new Error(`unexpected status ${res.status}`);
          outcome.acked = value;
          delete outcome.inFlight;
          acked++;
        } catch (error) {
          if (killed) return; // The kill cut this request: its outcome stays undecided (inFlight).
          if (!workerKilled) throw error;
          keys = `writer-${id}/after-${n}`; // cut with its worker: undecided, and fresh keys from now on
        }
      }
    }

    const load = Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id)));
    const began = Date.now();
    while ((acked < ACKS_BEFORE_KILL || compactions() < minCompactions) && Date.now() - began < MAX_LOAD_MS) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (killWorkerFirst) {
      workerKilled = true;
      const [worker] = logRecords(service.output()).filter((record) => record.event === 'worker_started');
      process.kill(Number(worker.pid), 'SIGKILL');
      const before = acked;
      const resumed = Date.now();
      while (acked < before + ACKS_AFTER_WORKER_KILL && Date.now() - resumed < MAX_LOAD_MS) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(acked).toBeGreaterThanOrEqual(before + ACKS_AFTER_WORKER_KILL);
    }
    killed = true;
    service.process.kill('SIGKILL');
    await service.exited();
    await load;
    expect(acked).toBeGreaterThan(100);
    expect(compactions()).toBeGreaterThanOrEqual(minCompactions);

    service = await startService(env);
    expect(service.output()).toMatch(/replayed \d+ events/);
    const violations: string[] = [];
    for (const [key, outcome] of outcomes) {
      const res = await fetch(`${service.restUrl}/v1/key/${encodeURIComponent(key)}`);
      const found = res.status === 200 ? await res.text() : null;
      if (res.status !== 200 && res.status !== 404) violations.push(`${key}: status ${res.status}`);
      const allowed = 'inFlight' in outcome ? [outcome.acked, outcome.inFlight] : [outcome.acked];
      if (!allowed.includes(found)) {
        violations.push(
          `${JSON.stringify(key)}: found ${JSON.stringify(found)}, acknowledged ${JSON.stringify(outcome.acked)}`,
        );
      }
    }
    expect(violations).toEqual([]);
    if (killWorkerFirst) expect(outcomes.size).toBeGreaterThanOrEqual(WRITERS * KEYS_PER_WRITER);
    else expect(outcomes.size).toBe(WRITERS * KEYS_PER_WRITER);
  } finally {
    service.process.kill('SIGKILL');
  }
}

describe('crash safety (file log)', () => {
  const dir = useTempDir('crash');

  it.each(['always', 'never'])(
    'keeps every acknowledged write through SIGKILL (TLOG_SYNC=%s)',
    (sync) =>
      crashAndCheck({
        TLOG_TYPE: 'file',
        TLOG_FILENAME: join(dir.path, 'tx.log'),
        TLOG_SYNC: sync,
        FRONTEND_TYPE: 'rest',
      }),
    60_000,
  );
});

/** Small thresholds: the log compacts again and again under the load, up to the kill. */
const COMPACTING = { KVS_COMPACT_MIN_BYTES: '16384', KVS_COMPACT_RATIO: '1.5' };

describe('crash safety with compaction running again and again', () => {
  const dir = useTempDir('crash');

  it(
    'keeps every acknowledged write through SIGKILL (file log)',
    () =>
      crashAndCheck(
        { TLOG_TYPE: 'file', TLOG_FILENAME: join(dir.path, 'tx.log'), FRONTEND_TYPE: 'rest', ...COMPACTING },
        3,
      ),
    120_000,
  );
});

describe('crash safety (postgres log)', () => {
  let postgres: TestPostgres;

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });

  afterAll(() => postgres?.close());

  it(
    'keeps every acknowledged write through SIGKILL',
    () => crashAndCheck({ ...postgres.logEnv(), FRONTEND_TYPE: 'rest' }),
    60_000,
  );

  it(
    'keeps every acknowledged write through SIGKILL with compaction running again and again',
    () => crashAndCheck({ ...postgres.logEnv(), FRONTEND_TYPE: 'rest', ...COMPACTING }, 3),
    120_000,
  );
});

/** KVS_WORKERS=2: the owner holds the log, two workers forward the writes (docs/workers.md). */
describe('crash safety with workers (KVS_WORKERS=2, file log)', () => {
  const dir = useTempDir('crash');
  const env = (): Record<string, string> => ({
    TLOG_TYPE: 'file',
    TLOG_FILENAME: join(dir.path, 'tx.log'),
    FRONTEND_TYPE: 'rest',
    KVS_WORKERS: '2',
  });

  it('keeps every acknowledged write through SIGKILL of the owner', () => crashAndCheck(env()), 60_000);

  it(
    'keeps every acknowledged write through SIGKILL of a worker under load, then of the owner',
    () => crashAndCheck(env(), 0, true),
    60_000,
  );
});
