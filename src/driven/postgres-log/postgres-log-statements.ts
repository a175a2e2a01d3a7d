import type { Pool, PoolClient } from 'pg';
import type { KeyWrite, LogRecord, ReplayedPut, ReplayedRecord } from '../../core';
import { queryWithin } from './postgres-backends';

/** A log row as pg returns it: bigint as a string, bytea as a Buffer. */
interface LogRow {
  readonly revision: string;
  readonly event_type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly create_revision: string | null;
  readonly version: string | null;
  readonly next_revision: string | null;
}

function toWrite(row: LogRow): ReplayedPut | { type: 'delete'; key: string } {
  const key = row.key.toString('utf8');
  if (row.event_type === 'delete') return { type: 'delete', key };
  const value = (row.value ?? Buffer.alloc(0)).toString('utf8');
  if (row.create_revision === null || row.version === null) return { type: 'put', key, value };
  return { type: 'put', key, value, createRevision: Number(row.create_revision), version: Number(row.version) };
}

/** Groups rows (in revision order) into records, one per revision. */
function toRecords(rows: readonly LogRow[]): ReplayedRecord[] {
  const records: { revision: number; writes: ReturnType<typeof toWrite>[] }[] = [];
  for (const row of rows) {
    const revision = Number(row.revision);
    const last = records[records.length - 1];
    if (last?.revision === revision) last.writes.push(toWrite(row));
    else records.push({ revision, writes: [toWrite(row)] });
  }
  return records;
}

/** Bytes a write takes in the table, for sizing batches. */
function writeBytes(write: KeyWrite | ReplayedPut): number {
  return Buffer.byteLength(write.key) + (write.type === 'put' ? Buffer.byteLength(write.value) : 0);
}

/** Bytes a record takes in the table. */
export function recordBytes(record: LogRecord | ReplayedRecord): number {
  let bytes = 0;
  for (const write of record.writes) bytes += writeBytes(write);
  return bytes;
}

const COLUMNS = 'revision, event_type, key, value, create_revision, version';

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
   * Inserts the records' writes as one multi-row INSERT (one round trip, one commit) on
   * `client`, a row per write, and returns true; or false, inserting nothing, when the table
   * already has rows after revision `after` (rows this instance did not acknowledge: someone
   * else writes to the table, and memory no longer matches it). ORDER BY ordinality makes
   * `sequence` follow the array order, so a record's writes replay in the order they were made.
   */
  async insert(client: PoolClient, records: readonly LogRecord[], after: number): Promise<boolean> {
    const rows = records.flatMap((record) => record.writes.map((write) => ({ revision: record.revision, write })));
    const result = await client.query(
      `INSERT INTO ${this.table} (${COLUMNS})
       SELECT ${COLUMNS}
       FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[], $5::bigint[], $6::bigint[])
         WITH ORDINALITY AS batch(${COLUMNS}, position)
       WHERE NOT EXISTS (SELECT 1 FROM ${this.table} WHERE revision > $7)
       ORDER BY position`,
      [
        rows.map((row) => row.revision),
        rows.map((row) => row.write.type),
        rows.map((row) => Buffer.from(row.write.key, 'utf8')),
        rows.map((row) => (row.write.type === 'put' ? Buffer.from(row.write.value, 'utf8') : null)),
        rows.map((row) => (row.write.type === 'put' ? row.write.createRevision : null)),
        rows.map((row) => (row.write.type === 'put' ? row.write.version : null)),
        after,
      ],
    );
    if (result.rowCount === 0) return false;
    if (result.rowCount !== rows.length)
      throw new Error(`insert wrote ${result.rowCount} rows for ${rows.length} writes`);
    return true;
  }

  /**
   * The records after revision `after` in revision order: about `maxRows` rows, and no more
   * than fit in `maxBytes` of keys and values (but always at least one record, whole), so a
   * page of 1 MiB values stays small. Keyset paging: each page is one short indexed query, with
   * no cursor or transaction held open between pages. A record is never split across pages.
   */
  async page(after: number, maxRows: number, maxBytes: number): Promise<ReplayedRecord[]> {
    const result = await this.pool.query<LogRow>(this.pageSql, [after, maxRows, maxBytes]);
    return this.whole(result.rows, (revision) =>
      this.pool.query<LogRow>(this.recordSql, [revision]).then((r) => r.rows),
    );
  }

  /** The first records (about `maxRows` rows) after `after`, connection included, by `deadline` (for settling a write). */
  async pageWithin(after: number, maxRows: number, deadline: number): Promise<ReplayedRecord[]> {
    const rows = await queryWithin<LogRow>(
      this.pool,
      this.pageSql,
      [after, maxRows, Number.MAX_SAFE_INTEGER],
      deadline,
    );
    return this.whole(rows, (revision) => queryWithin<LogRow>(this.pool, this.recordSql, [revision], deadline));
  }

  /**
   * The page's records, its last one left to the next page when it goes on past the page (or
   * fetched whole by `record` when it is the page's only one).
   */
  private async whole(
    rows: readonly LogRow[],
    record: (revision: number) => Promise<readonly LogRow[]>,
  ): Promise<ReplayedRecord[]> {
    const records = toRecords(rows);
    const last = rows[rows.length - 1];
    if (last === undefined || last.next_revision !== last.revision) return records;
    if (records.length > 1) return records.slice(0, -1);
    return toRecords(await record(records[0].revision));
  }

  /** One row beyond the page is fetched so that lead() tells whether the page's last record goes on past it. */
  private get pageSql(): string {
    return `SELECT ${COLUMNS}, next_revision FROM (
         SELECT *, row_number() OVER w AS n, lead(revision) OVER w AS next_revision,
                sum(row_bytes) OVER w AS bytes_through
         FROM (
           SELECT ${COLUMNS}, sequence, octet_length(key) + coalesce(octet_length(value), 0) AS row_bytes
           FROM ${this.table} WHERE revision > $1 ORDER BY revision, sequence LIMIT $2 + 1
         ) limited
         WINDOW w AS (ORDER BY revision, sequence)
       ) page
       WHERE n <= $2 AND bytes_through - row_bytes < $3
       ORDER BY revision, sequence`;
  }

  private get recordSql(): string {
    return `SELECT ${COLUMNS}, NULL AS next_revision FROM ${this.table} WHERE revision = $1 ORDER BY sequence`;
  }

  /** The highest revision in the table, or 0 when it is empty. */
  async lastRevision(): Promise<number> {
    const result = await this.pool.query<{ last: string }>(
      `SELECT coalesce(max(revision), 0) AS last FROM ${this.table}`,
    );
    return Number(result.rows[0].last);
  }
}
