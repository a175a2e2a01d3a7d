import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';

/** How often a terminated backend is looked for in pg_stat_activity until it is gone. */
const GONE_POLL_MS = 20;
/** PostgreSQL keeps application_name to NAMEDATALEN - 1 bytes. */
const MAX_APPLICATION_NAME = 63;

/** A bounded step that did not finish before its deadline. */
export class DeadlineError extends Error {
  constructor(what: string) {
    super(`${what} did not finish in time`);
    this.name = 'DeadlineError';
  }
}

/** Milliseconds left until `deadline` (a performance.now() instant), at least 1. */
export function remainingMs(deadline: number): number {
  return Math.max(1, Math.ceil(deadline - performance.now()));
}

/** Resolves or rejects like `promise`, or rejects with DeadlineError at `deadline`, whichever comes first. */
export function within<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineError(what)), remainingMs(deadline));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Clients that already have the listener below. */
const guarded = new WeakSet<PoolClient>();

/**
 * A pooled connection by `deadline`; one that arrives later goes straight back to the pool.
 * While a client is checked out the pool does not listen for its 'error' (a connection that
 * breaks emits one even when its query already got the error), and unheard, it would end the
 * process: the client keeps a listener of its own, and its running query reports the failure.
 */
export async function connectWithin(pool: Pool, deadline: number): Promise<PoolClient> {
  const connecting = pool.connect();
  try {
    const client = await within(connecting, deadline, 'connecting to the database');
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', () => undefined);
    }
    return client;
  } catch (error) {
    connecting.then(
      (late) => late.release(),
      () => undefined,
    );
    throw error;
  }
}

/** Runs one statement on `pool`, connection included, by `deadline` (a timed-out connection is dropped). */
export async function queryWithin<Row extends QueryResultRow>(
  pool: Pool,
  text: string,
  values: unknown[],
  deadline: number,
): Promise<Row[]> {
  const client = await connectWithin(pool, deadline);
  try {
    const result = await within(client.query<Row>(text, values), deadline, 'a query');
    client.release();
    return result.rows;
  } catch (error) {
    // A connection whose statement did not finish must not serve the next one.
    client.release(true);
    throw error;
  }
}

/**
 * The application_name of the connections that write to `table`. It names the table, so that a
 * later instance can find the writes an earlier one left running (see endWriters); a name too
 * long for PostgreSQL is shortened with a hash that keeps it unique.
 */
export function writerApplicationName(table: string): string {
  const name = `kvs writer ${table}`;
  if (name.length <= MAX_APPLICATION_NAME) return name;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_APPLICATION_NAME - hash.length - 1)} ${hash}`;
}

/** The backends of this database named `applicationName`, other than the asking session. */
export async function backendsNamed(pool: Pool, applicationName: string, deadline: number): Promise<number[]> {
  const rows = await queryWithin<{ pid: number }>(
    pool,
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
    [applicationName],
    deadline,
  );
  return rows.map((row) => row.pid);
}

/**
 * Terminates the backends `pids` (only while they still carry `applicationName`, so a recycled
 * pid is left alone) and waits until pg_stat_activity no longer lists them. A backend leaves
 * pg_stat_activity only after its transaction has ended, so once this returns, a statement it
 * was running has committed or never will. A stopped backend cannot act on the signal: then this
 * rejects with DeadlineError at `deadline`.
 */
export async function endBackends(
  pool: Pool,
  pids: readonly number[],
  applicationName: string,
  deadline: number,
): Promise<void> {
  if (pids.length === 0) return;
  await queryWithin(
    pool,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[]) AND application_name = $2`,
    [pids, applicationName],
    deadline,
  );
  for (;;) {
    const alive = await queryWithin<{ pid: number }>(
      pool,
      `SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[]) AND application_name = $2`,
      [pids, applicationName],
      deadline,
    );
    if (alive.length === 0) return;
    if (performance.now() + GONE_POLL_MS >= deadline) {
      throw new DeadlineError(`ending backend ${alive.map((row) => row.pid).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
  }
}
