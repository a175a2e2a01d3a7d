import { join } from 'node:path';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';
import { useTempDir } from '../support/temp-dir';

const WRITERS = 16;
const KEYS_PER_WRITER = 12;
const ACKS_BEFORE_KILL = 1_500;
const MAX_LOAD_MS = 20_000;
/** A key whose deadline is this far ahead when it is read must be there (the read takes far less). */
const MARGIN_MS = 5_000;

/** One state of a key: its value (null: deleted) and its generation's deadline, Unix ms. */
interface KeyState {
  readonly value: string | null;
  readonly expiresAt?: number;
}

/** A key's last acknowledged state, and the write in flight when the kill came. */
interface KeyOutcome {
  acked: KeyState;
  inFlight?: KeyState;
}

/** A TTL for the writer's n-th write: short ones expire during the load, long ones and none outlive it. */
function ttlOf(n: number): string | undefined {
  if (n % 3 === 0) return `${200 + ((n * 37) % 1300)}ms`;
  return n % 3 === 1 ? '1h' : undefined;
}

/** What a key may be found as at `now`: a state whose deadline has passed is never served. */
function allowedAt(states: readonly KeyState[], now: number): (string | null)[] {
  return states.map((state) => (state.expiresAt !== undefined && state.expiresAt <= now ? null : state.value));
}

/**
 * Crash test with TTLs: SIGKILL the service while keys expire under write load, restart it on
 * the same log, and check that no expired key is served and every acknowledged write that has
 * not expired is there; then kill it again, let every short TTL pass while it is down, and
 * check the restart deletes (and logs) those keys before it serves.
 */
async function crashWhileExpiring(env: Record<string, string>): Promise<void> {
  let service: ServiceProcess = await startService(env);
  try {
    const outcomes = new Map<string, KeyOutcome>();
    const url = service.restUrl!;
    let killed = false;
    let acked = 0;

    async function writer(id: number): Promise<void> {
      for (let n = 0; !killed; n++) {
        const key = `w${id}/k${n % KEYS_PER_WRITER}`;
        const ttl = ttlOf(n);
        const isDelete = n % 7 === 6;
        const outcome = outcomes.get(key) ?? { acked: { value: null } };
        outcomes.set(key, outcome);
        const value = `v${id}:${n}`;
        // Until acknowledged, the deadline is unknown: at most the TTL from now (the later bound).
        const ttlMs = ttl === undefined ? undefined : ttl.endsWith('h') ? 3_600_000 : Number(ttl.slice(0, -2));
        outcome.inFlight = isDelete
          ? { value: null }
          : { value, expiresAt: ttlMs === undefined ? undefined : Date.now() + ttlMs + 1000 };
        try {
          const query = ttl === undefined ? '' : `?ttl=${ttl}`;
          const res = await fetch(`${url}/v1/key/${encodeURIComponent(key)}${isDelete ? '' : query}`, {
            method: isDelete ? 'DELETE' : 'PUT',
            body: isDelete ? undefined : value,
          });
          if (res.status !== 201 && res.status !== 200) throw new Error(`unexpected status ${res.status}`);
          const header = res.headers.get('x-kvs-expires-at');
          outcome.acked = isDelete
            ? { value: null }
            : { value, expiresAt: header === null ? undefined : Date.parse(header) };
          delete outcome.inFlight;
          acked++;
        } catch (error) {
          if (!killed) throw error;
          return;
        }
      }
    }

    const load = Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id)));
    const began = Date.now();
    while (acked < ACKS_BEFORE_KILL && Date.now() - began < MAX_LOAD_MS) await new Promise((r) => setTimeout(r, 10));
    killed = true;
    service.process.kill('SIGKILL');
    await service.exited();
    await load;
    expect(acked).toBeGreaterThan(100);
    // Expiry ran through the load without a refused batch.
    expect(service.output()).not.toContain('expiry_failed');

    const check = async (): Promise<string[]> => {
      const violations: string[] = [];
      for (const [key, outcome] of outcomes) {
        const now = Date.now();
        const res = await fetch(`${service.restUrl}/v1/key/${encodeURIComponent(key)}`);
        const found = res.status === 200 ? await res.text() : null;
        const states = outcome.inFlight ? [outcome.acked, outcome.inFlight] : [outcome.acked];
        const allowed = allowedAt(states, now);
        // A state sure to be live through the read must be what is found, unless the write in flight replaced it.
        const { expiresAt } = outcome.acked;
        const mustLive = outcome.acked.value !== null && (expiresAt === undefined || expiresAt > now + MARGIN_MS);
        if (!allowed.includes(found) || (mustLive && !outcome.inFlight && found !== outcome.acked.value)) {
          violations.push(`${key}: found ${JSON.stringify(found)}, allowed ${JSON.stringify(allowed)}`);
        }
      }
      return violations;
    };

    service = await startService(env);
    expect(await check()).toEqual([]);

    // Down while short TTLs pass: the restart logs their deletes before it serves.
    for (let i = 0; i < 50; i++) {
      const key = `down-${i}`;
      const res = await fetch(`${service.restUrl}/v1/key/${key}?ttl=500ms`, { method: 'PUT', body: 'short' });
      expect(res.status).toBe(201);
      outcomes.set(key, { acked: { value: 'short', expiresAt: Date.parse(res.headers.get('x-kvs-expires-at')!) } });
    }
    service.process.kill('SIGKILL');
    await service.exited();
    await new Promise((r) => setTimeout(r, 1_600));
    service = await startService(env);
    const atStart = logRecords(service.output()).find((record) => record.event === 'expired_at_start');
    expect(Number(atStart?.keys)).toBeGreaterThan(0);
    expect(await check()).toEqual([]);
  } finally {
    service.process.kill('SIGKILL');
  }
}

describe('crash safety with TTLs', () => {
  const dir = useTempDir('ttl-crash');

  it(
    'serves no expired key and keeps every unexpired acknowledged write through SIGKILL (file log)',
    () => crashWhileExpiring({ TLOG_TYPE: 'file', TLOG_FILENAME: join(dir.path, 'tx.log'), FRONTEND_TYPE: 'rest' }),
    150_000,
  );

  it('serves no expired key and keeps every unexpired acknowledged write through SIGKILL (postgres log)', async () => {
    const postgres = await TestPostgres.start();
    try {
      await crashWhileExpiring({ ...postgres.logEnv(), FRONTEND_TYPE: 'rest' });
    } finally {
      await postgres.close();
    }
  }, 150_000);
});
