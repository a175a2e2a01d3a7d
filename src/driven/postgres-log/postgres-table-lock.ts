import { Client } from 'pg';
import { describeError } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';
import type { PostgresLogConfig } from './postgres-log.config';
import { connectionSettings } from './postgres-pool';

/**
 * Session advisory lock key class for "this table has its running instance" (the second key is
 * the table's hash), apart from the schema and compaction keys.
 */
const TABLE_LOCK_CLASS = 0x6b766c; // "kvl"

/** Start-up finds the table held by another running instance. */
export class TableInUseError extends Error {
  constructor(table: string) {
    super(
      `postgres log: table ${table} is in use by another running kvs instance (it holds the table's advisory lock);` +
        ' one table serves one instance: stop the other or set another TLOG_DB_TABLE',
    );
    this.name = 'TableInUseError';
  }
}

/**
 * One table serves one running instance: each keeps the whole state in memory, so a second
 * writer would leave both serving stale maps. The instance proves it is alone by holding a
 * session-level advisory lock per table on a connection of its own for its whole life; a second
 * instance cannot take it and refuses to start. If that connection breaks (the database
 * restarted), the lock is gone with it: `held` turns false and the logger takes it again before
 * its next write, refusing to write while another instance has it.
 */
export class PostgresTableLock {
  private client: Client | undefined;

  constructor(
    private readonly config: PostgresLogConfig,
    private readonly logger: Logger,
  ) {}

  /** Whether this instance holds the lock right now. */
  get held(): boolean {
    return this.client !== undefined;
  }

  /** Takes the lock on a new connection; rejects with TableInUseError when another session holds it. */
  async acquire(): Promise<void> {
    if (this.client) return;
    const client = new Client({
      ...connectionSettings(this.config),
      application_name: 'kvs table lock',
      statement_timeout: this.config.statementTimeoutMs,
    });
    client.on('error', (error) => this.lost(client, describeError(error)));
    client.on('end', () => this.lost(client, 'the connection ended'));
    try {
      await client.connect();
      const result = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [TABLE_LOCK_CLASS, this.config.table],
      );
      if (!result.rows[0].locked) throw new TableInUseError(this.config.table);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  /** Releases the lock by closing its connection. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private lost(client: Client, why: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    // Make sure the old session (and its lock) is gone, or taking the lock again would fail on it.
    client.end().catch(() => undefined);
    this.logger.warn(
      { event: 'postgres_table_lock_lost' },
      `postgres log: the connection holding table ${this.config.table}'s lock broke (${why}); taking it again before the next write`,
    );
  }
}
