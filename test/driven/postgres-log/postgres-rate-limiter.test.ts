import { createServer } from 'node:net';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { EnvReader } from '../../../src/config/env-reader';
import { readPostgresLogConfig, SharedRateLimiter } from '../../../src/driven/postgres-log';
import { recordingLogger } from '../../support/recording-logger';
import { TestPostgres } from '../../support/test-postgres';
import { eventually } from '../../support/eventually';

/** 10 requests per 60 s window: a window no test here outlives. */
const WINDOW = { points: 10, duration: 60 };

/** A loopback port nothing listens on (bound, then closed): connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether the count was admitted (false: over the limit); any other failure is thrown. */
async function admitted(limiter: SharedRateLimiter, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
}

describe('SharedRateLimiter: rate limits counted in PostgreSQL (KVS_RATE_LIMIT_STORE=postgres)', () => {
  let postgres: TestPostgres;
  const limiters: SharedRateLimiter[] = [];

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });
  afterEach(async () => {
    await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
  });
  afterAll(async () => {
    await postgres?.close();
  });

  function limiter(env: Record<string, string>, logger = recordingLogger().logger): SharedRateLimiter {
    const made = new SharedRateLimiter(readPostgresLogConfig(new EnvReader(env)), WINDOW, logger);
    limiters.push(made);
    return made;
  }

  it('two replicas share one count per caller: together they admit the limit, not twice it', async () => {
    const table = postgres.newTable();
    const log = recordingLogger();
    // Every count must reach the database (a loaded machine must not make one fall back to memory).
    const env = { ...postgres.logEnv(table), TLOG_DB_PING_TIMEOUT_MS: '20000' };
    const replicas = [limiter(env, log.logger), limiter(env, log.logger)];
    try {
      await eventually(() => postgres.tableExists(`${table}_rate_limits`), { describe: () => 'the rate limits table' });
      const answers: boolean[] = [];
      for (let i = 0; i < 30; i++) answers.push(await admitted(replicas[i % 2], 'caller'));
      expect(answers.filter(Boolean)).toHaveLength(10);
      // Another caller has a count of its own; one longer than the table's key is counted under its hash.
      expect(await admitted(replicas[1], 'someone else')).toBe(true);
      expect(await admitted(replicas[1], 'x'.repeat(300))).toBe(true);
      expect(log.messages('warn')).toEqual([]);
    } finally {
      await postgres.query(`DROP TABLE IF EXISTS "${table}_rate_limits"`);
    }
  });

  it("sets and judges windows by the database's clock: a replica whose host clock is ahead by two windows still counts in the others' window", async () => {
    const table = postgres.newTable();
    // Every count must reach the database (a loaded machine must not make one fall back to memory).
    const env = { ...postgres.logEnv(table), TLOG_DB_PING_TIMEOUT_MS: '20000' };
    const log = recordingLogger();
    const replicas = [limiter(env, log.logger), limiter(env, log.logger)];
    try {
      await eventually(() => postgres.tableExists(`${table}_rate_limits`), { describe: () => 'the rate limits table' });
      for (let i = 0; i < WINDOW.points; i++) expect(await admitted(replicas[0], 'caller')).toBe(true);
      // The second replica's host clock is 2 windows ahead: by it, the first one's window ended
      // long ago (the library's own store then starts a new window and admits 10 more).
      const skewed = Date.now() + 2 * WINDOW.duration * 1000;
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => skewed);
      let refusal: unknown;
      try {
        refusal = await replicas[1].consume('caller').catch((error: unknown) => error);
      } finally {
        clock.mockRestore();
      }
      expect(refusal).toBeInstanceOf(RateLimiterRes);
      // The time left (Retry-After) is the window's, counted on the database's clock too.
      const { msBeforeNext } = refusal as RateLimiterRes;
      expect(msBeforeNext).toBeGreaterThan(0);
      expect(msBeforeNext).toBeLessThanOrEqual(WINDOW.duration * 1000);
      const { rows } = await postgres.query<{ points: number; left_ms: string }>(
        `SELECT points, expire - (extract(epoch FROM now()) * 1000)::bigint AS left_ms FROM "${table}_rate_limits" WHERE key = 'rlflx:caller'`,
      );
      expect(rows[0].points).toBe(WINDOW.points + 1);
      expect(Number(rows[0].left_ms)).toBeLessThanOrEqual(WINDOW.duration * 1000);
      expect(log.messages('warn')).toEqual([]);
    } finally {
      await postgres.query(`DROP TABLE IF EXISTS "${table}_rate_limits"`);
    }
  });

  it('fails over to a count per replica while the database is unreachable: limited, never open, never closed; one warning', async () => {
    const env = { ...postgres.logEnv(), TLOG_DB_PORT: String(await closedPort()) };
    const log = recordingLogger();
    const replicas = [limiter(env, log.logger), limiter(env, log.logger)];
    const answers: boolean[][] = [[], []];
    for (let i = 0; i < 30; i++) answers[i % 2].push(await admitted(replicas[i % 2], 'caller'));
    // Each replica admits the limit on its own, then refuses.
    expect(answers.map((each) => each.filter(Boolean).length)).toEqual([10, 10]);
    expect(answers.map((each) => each.slice(10).some(Boolean))).toEqual([false, false]);
    const warnings = log.records.filter((record) => record.event === 'rate_limit_store_unavailable');
    expect(warnings).toHaveLength(2); // one per replica, not one per request
    expect(warnings[0].msg).toContain('each replica counts for itself');
  });
});
