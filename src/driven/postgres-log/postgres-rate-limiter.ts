import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { describeError, errorCode } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';
import type { PostgresLogConfig } from './postgres-log.config';
import { createPool } from './postgres-pool';

/** After the store failed, the replica counts for itself this long before it asks the database again. */
const LOCAL_AFTER_FAILURE_MS = 1000;
/** PostgreSQL's answer when two replicas create the table at the same instant: the other one did. */
const UNIQUE_VIOLATION = '23505';
/** A table that could not be created is tried again this often. */
const CREATE_RETRY_MS = 2000;
/** Callers longer than this are counted under their SHA-256: the table's key is a varchar(255), prefix included. */
const MAX_KEY_CHARS = 200;
/** Connections for counting: each count is one short statement. */
const POOL_SIZE = 4;

/** rate-limiter-flexible's window: `points` requests per `duration` seconds. */
export interface RateLimitWindow {
  readonly points: number;
  readonly duration: number;
}

/**
 * The table rate-limiter-flexible's PostgreSQL store counts in (its documented schema), created
 * here rather than by the library, which tries once at construction and then refuses every count
 * for good when the database was not up yet.
 */
function createTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS "${table}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`;
}

/** The database's clock in Unix ms, as of the statement's start (one value however often read in it). */
const DATABASE_NOW_MS = '(extract(epoch FROM now()) * 1000)::bigint';

/** A row the upsert returns: the caller's count, its window's end and the database's time, bigints as strings. */
interface CountRow {
  readonly points: number;
  readonly expire: string | null;
  readonly now: string;
}

/**
 * rate-limiter-flexible's PostgreSQL store with its windows set and judged by PostgreSQL's clock.
 * The library's own upsert passes the host's Date.now() as "now" and as the window's start, so
 * replicas whose clocks differ disagree on the shared window: one whose clock is ahead resets a
 * caller's count early (ahead by a whole window, at every request), one behind keeps a window
 * (and its refusals, and Retry-After) too long. Here the same statement reads the database's
 * `now()` for both, and the time left is counted from it, so every replica sees one window.
 * It replaces the library's `_upsert`, `_getRateLimiterRes` (internal methods: the SQL follows
 * its 11.x upsert, the host's clock replaced by the database's; a release that stops calling
 * them fails the clock-skew test) and `clearExpired`.
 */
class DatabaseTimedPostgresStore extends RateLimiterPostgres {
  constructor(
    options: ConstructorParameters<typeof RateLimiterPostgres>[0],
    private readonly pool: Pool,
    private readonly quotedTable: string,
  ) {
    super(options);
  }

  /** Adds `points` to the caller's count, starting a window of `msDuration` when there is none or it has ended (`forceExpire`: always). */
  _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<{ rows: CountRow[] }> {
    const table = this.quotedTable;
    const ended = `(${table}.expire <= ${DATABASE_NOW_MS} OR $4)`;
    return this.pool.query<CountRow>(
      `INSERT INTO ${table} (key, points, expire)
         VALUES ($1, $2, CASE WHEN $3::bigint > 0 THEN ${DATABASE_NOW_MS} + $3::bigint END)
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN ${ended} THEN EXCLUDED.points ELSE ${table}.points + EXCLUDED.points END,
         expire = CASE WHEN ${ended} THEN EXCLUDED.expire ELSE ${table}.expire END
       RETURNING points, expire, ${DATABASE_NOW_MS} AS now`,
      [key, points, msDuration, forceExpire],
    );
  }

  /** The library's answer from the row, with the time left counted on the database's clock. */
  _getRateLimiterRes(_key: string, changedPoints: number, result: { rows: CountRow[] }): RateLimiterRes {
    const row = result.rows[0];
    const first = changedPoints === row.points;
    const consumed = first ? changedPoints : row.points;
    const msBeforeNext = row.expire === null ? -1 : Math.max(Number(row.expire) - Number(row.now), 0);
    return new RateLimiterRes(Math.max(this.points - consumed, 0), msBeforeNext, consumed, first);
  }

  /** The library's hourly sweep of windows that ended an hour ago, by the database's clock (its argument is the host's). */
  clearExpired(): Promise<void> {
    return this.pool.query(`DELETE FROM ${this.quotedTable} WHERE expire < ${DATABASE_NOW_MS} - 3600000`).then(
      () => undefined,
      () => undefined,
    );
  }
}

/**
 * Rate limits shared by every replica of a PostgreSQL log (KVS_RATE_LIMIT_STORE=postgres):
 * rate-limiter-flexible's PostgreSQL store, one row per caller in `<TLOG_DB_TABLE>_rate_limits`,
 * one upsert per request. Each count is bounded by TLOG_DB_PING_TIMEOUT_MS (connecting
 * included). When the database fails or does not answer in time the replica counts for itself
 * (a memory store with the same limit) for the next second, then asks the database again: the
 * limit degrades to one per replica, it never turns off (fail-open would let a flood through
 * exactly when the database is struggling) and never refuses everyone (fail-closed would turn a
 * database outage into a full outage, though reads keep being served from memory). The library's
 * own insurance limiter would do the first half but neither says why nor stops asking a database
 * that does not answer, so every request would wait the full timeout: hence this wrapper.
 */
export class SharedRateLimiter {
  private readonly pool: Pool;
  private readonly store: DatabaseTimedPostgresStore;
  private readonly local: RateLimiterMemory;
  private readonly table: string;
  /** performance.now() until which counts stay local after a failure. */
  private localUntil = 0;
  private failing = false;
  private createTimer: NodeJS.Timeout | undefined;

  constructor(
    config: PostgresLogConfig,
    window: RateLimitWindow,
    private readonly logger: Logger,
  ) {
    const boundMs = config.pingTimeoutMs;
    this.pool = createPool({ ...config, connectTimeoutMs: Math.min(config.connectTimeoutMs, boundMs) }, logger, {
      max: POOL_SIZE,
      statementTimeoutMs: boundMs,
      queryTimeoutMs: boundMs,
      applicationName: 'kvs rate-limit',
    });
    this.table = `${config.table}_rate_limits`;
    this.store = new DatabaseTimedPostgresStore(
      { ...window, storeClient: this.pool, storeType: 'pool', tableName: this.table, tableCreated: true },
      this.pool,
      `"${this.table}"`,
    );
    this.local = new RateLimiterMemory(window);
    this.createTable();
  }

  /** Counts one request of `caller`: resolves when admitted, rejects with a RateLimiterRes when over the limit. */
  consume(caller: string, points = 1): Promise<RateLimiterRes> {
    const key = caller.length <= MAX_KEY_CHARS ? caller : createHash('sha256').update(caller).digest('hex');
    if (performance.now() < this.localUntil) return this.local.consume(key, points);
    const counted = this.store.consume(key, points);
    return counted.then(
      (result) => {
        this.recovered();
        return result;
      },
      (error: unknown) => {
        // Over the limit: the store answered; that refusal is handed on as it came.
        if (error instanceof RateLimiterRes) {
          this.recovered();
          return counted;
        }
        this.storeFailed(error);
        return this.local.consume(key, points);
      },
    );
  }

  /** Stops retrying the table and closes the connections. */
  async close(): Promise<void> {
    clearTimeout(this.createTimer);
    await this.pool.end();
  }

  private createTable(): void {
    void this.pool.query(createTableSql(this.table)).then(
      () => undefined,
      (error: unknown) => {
        if (errorCode(error) === UNIQUE_VIOLATION) return;
        this.storeFailed(error);
        this.createTimer = setTimeout(() => this.createTable(), CREATE_RETRY_MS);
        this.createTimer.unref();
      },
    );
  }

  /** One warning when the store starts failing, not one per request. */
  private storeFailed(error: unknown): void {
    this.localUntil = performance.now() + LOCAL_AFTER_FAILURE_MS;
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      { event: 'rate_limit_store_unavailable', err: error },
      `rate limits: the PostgreSQL store failed (${describeError(error)}); each replica counts for itself until it is back`,
    );
  }

  /** One line when counts reach PostgreSQL again. */
  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info({ event: 'rate_limit_store_recovered' }, 'rate limits: counting in PostgreSQL again');
  }
}
