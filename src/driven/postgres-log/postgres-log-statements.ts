import type { Pool, PoolClient } from 'pg';
import type { Event, Mutation } from '../../core';
import { queryWithin } from './postgres-backends';

/** A log row as pg returns it: bigint as a string, bytea as a Buffer. */
interface LogRow {
  readonly sequence: string;
  readonly event_type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
}

function toEvent(row: LogRow): Event {
  const sequence = Number(row.sequence);
  const key = row.key.toString('utf8');
  if (row.event_type === 'delete') return { type: 'delete', key, sequence };
  return { type: 'put', key, value: (row.value ?? Buffer.alloc(0)).toString('utf8'), sequence };
}

/** Bytes a mutation takes in the table, for sizing batches. */
export function mutationBytes(mutation: Mutation): number {
  return Buffer.byteLength(mutation.key) + (mutation.type === 'put' ? Buffer.byteLength(mutation.value) : 0);
}

/**
 * The SQL the logger runs against its table. `table` is a quoted identifier the config has
 * already validated, so splicing it is safe; everything else goes as a parameter.
 */
export class PostgresLogStatements {
  constructor(
    private readonly pool: Pool,
    private readonly table: string,
  ) {}

  /**
   * Inserts the mutations as one multi-row INSERT (one round trip, one commit) on `client` and
   * returns their sequence numbers in the mutations' order, or undefined, inserting nothing, when
   * the table already has rows after `after` (rows this instance did not acknowledge: someone
   * else writes to the table, and memory no longer matches it). ORDER BY ordinality makes the
   * identity values follow the array order; sorting what RETURNING gives back then maps them
   * without relying on RETURNING's row order, which SQL leaves unspecified.
   */
  async insert(client: PoolClient, mutations: readonly Mutation[], after: number): Promise<number[] | undefined> {
    const result = await client.query<{ sequence: string }>(
      `INSERT INTO ${this.table} (event_type, key, value)
       SELECT event_type, key, value
       FROM unnest($1::text[], $2::bytea[], $3::bytea[]) WITH ORDINALITY AS batch(event_type, key, value, position)
       WHERE NOT EXISTS (SELECT 1 FROM ${this.table} WHERE sequence > $4)
       ORDER BY position
       RETURNING sequence`,
      [
        mutations.map((m) => m.type),
        mutations.map((m) => Buffer.from(m.key, 'utf8')),
        mutations.map((m) => (m.type === 'put' ? Buffer.from(m.value, 'utf8') : null)),
        after,
      ],
    );
    if (result.rows.length === 0) return undefined;
    if (result.rows.length !== mutations.length) {
      throw new Error(`insert returned ${result.rows.length} sequence numbers for ${mutations.length} rows`);
    }
    return result.rows.map((row) => Number(row.sequence)).sort((a, b) => a - b);
  }

  /**
   * The events after `after` in sequence order: at most `maxRows`, and no more rows than fit in
   * `maxBytes` of keys and values (but always at least one), so a page of 1 MiB values stays
   * small. Keyset paging: each page is one short indexed query, with no cursor or transaction
   * held open between pages.
   */
  async page(after: number, maxRows: number, maxBytes: number): Promise<Event[]> {
    const result = await this.pool.query<LogRow>(this.pageSql, [after, maxRows, maxBytes]);
    return result.rows.map(toEvent);
  }

  /** The first `maxRows` events after `after`, connection included, by `deadline` (for settling a write). */
  async pageWithin(after: number, maxRows: number, deadline: number): Promise<Event[]> {
    const rows = await queryWithin<LogRow>(
      this.pool,
      this.pageSql,
      [after, maxRows, Number.MAX_SAFE_INTEGER],
      deadline,
    );
    return rows.map(toEvent);
  }

  private get pageSql(): string {
    return `SELECT sequence, event_type, key, value FROM (
         SELECT sequence, event_type, key, value,
                octet_length(key) + coalesce(octet_length(value), 0) AS row_bytes,
                sum(octet_length(key) + coalesce(octet_length(value), 0)) OVER (ORDER BY sequence) AS bytes_through
         FROM ${this.table} WHERE sequence > $1 ORDER BY sequence LIMIT $2
       ) page
       WHERE bytes_through - row_bytes < $3
       ORDER BY sequence`;
  }

  /** The highest sequence number in the table, or 0 when it is empty. */
  async lastSequence(): Promise<number> {
    const result = await this.pool.query<{ last: string }>(
      `SELECT coalesce(max(sequence), 0) AS last FROM ${this.table}`,
    );
    return Number(result.rows[0].last);
  }
}
