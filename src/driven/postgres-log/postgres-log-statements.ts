import type { Pool } from 'pg';
import type { Event, Mutation } from '../../core';

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
   * Inserts the mutations as one multi-row INSERT (one round trip, one commit) and returns their
   * sequence numbers in the mutations' order. ORDER BY ordinality makes the identity values
   * follow the array order; sorting what RETURNING gives back then maps them without relying
   * on RETURNING's row order, which SQL leaves unspecified.
   */
  async insert(mutations: readonly Mutation[]): Promise<number[]> {
    const result = await this.pool.query<{ sequence: string }>(
      `INSERT INTO ${this.table} (event_type, key, value)
       SELECT event_type, key, value
       FROM unnest($1::text[], $2::bytea[], $3::bytea[]) WITH ORDINALITY AS batch(event_type, key, value, position)
       ORDER BY position
       RETURNING sequence`,
      [
        mutations.map((m) => m.type),
        mutations.map((m) => Buffer.from(m.key, 'utf8')),
        mutations.map((m) => (m.type === 'put' ? Buffer.from(m.value, 'utf8') : null)),
      ],
    );
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
    const result = await this.pool.query<LogRow>(
      `SELECT sequence, event_type, key, value FROM (
         SELECT sequence, event_type, key, value,
                octet_length(key) + coalesce(octet_length(value), 0) AS row_bytes,
                sum(octet_length(key) + coalesce(octet_length(value), 0)) OVER (ORDER BY sequence) AS bytes_through
         FROM ${this.table} WHERE sequence > $1 ORDER BY sequence LIMIT $2
       ) page
       WHERE bytes_through - row_bytes < $3
       ORDER BY sequence`,
      [after, maxRows, maxBytes],
    );
    return result.rows.map(toEvent);
  }

  /** The highest sequence number in the table, or 0 when it is empty. */
  async lastSequence(): Promise<number> {
    const result = await this.pool.query<{ last: string }>(
      `SELECT coalesce(max(sequence), 0) AS last FROM ${this.table}`,
    );
    return Number(result.rows[0].last);
  }

  /** Deletes the rows with sequence numbers in (after, through]. */
  async deleteRange(after: number, through: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE sequence > $1 AND sequence <= $2`, [after, through]);
  }
}
