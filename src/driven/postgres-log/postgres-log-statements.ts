import type { Pool } from 'pg';
import type { KeyWrite, LogRecord, ReplayedPut, ReplayedRecord } from '../../core';

/** A log row as pg returns it: bigint as a string, bytea as a Buffer. */
interface LogRow {
  readonly revision: string;
  readonly event_type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly create_revision: string | null;
  readonly version: string | null;
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
export function writeBytes(write: KeyWrite | ReplayedPut): number {
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
   * Inserts the records' writes as one multi-row INSERT (one round trip, one commit), a row
   * per write. ORDER BY ordinality makes `sequence` follow the array order, so a record's
   * writes replay in the order they were made.
   */
  async insert(records: readonly LogRecord[]): Promise<void> {
    const rows = records.flatMap((record) => record.writes.map((write) => ({ revision: record.revision, write })));
    const result = await this.pool.query(
      `INSERT INTO ${this.table} (${COLUMNS})
       SELECT ${COLUMNS}
       FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[], $5::bigint[], $6::bigint[])
         WITH ORDINALITY AS batch(${COLUMNS}, position)
       ORDER BY position`,
      [
        rows.map((row) => row.revision),
        rows.map((row) => row.write.type),
        rows.map((row) => Buffer.from(row.write.key, 'utf8')),
        rows.map((row) => (row.write.type === 'put' ? Buffer.from(row.write.value, 'utf8') : null)),
        rows.map((row) => (row.write.type === 'put' ? row.write.createRevision : null)),
        rows.map((row) => (row.write.type === 'put' ? row.write.version : null)),
      ],
    );
    if (result.rowCount !== rows.length) {
      throw new Error(`insert wrote ${result.rowCount} rows for ${rows.length} writes`);
    }
  }

  /**
   * The records after revision `after` in revision order: about `maxRows` rows, and no more
   * than fit in `maxBytes` of keys and values (but always at least one record, whole), so a
   * page of 1 MiB values stays small. Keyset paging: each page is one short indexed query,
   * with no cursor or transaction held open between pages. A record is never split across
   * pages: when the row limit cuts the last one short it is left for the next page, or
   * fetched whole when it is the page's only one.
   */
  async page(after: number, maxRows: number, maxBytes: number): Promise<ReplayedRecord[]> {
    // One row beyond the page is fetched so that lead() tells whether the page's last record
    // goes on past it.
    const result = await this.pool.query<LogRow & { next_revision: string | null }>(
      `SELECT ${COLUMNS}, next_revision FROM (
         SELECT *, row_number() OVER w AS n, lead(revision) OVER w AS next_revision,
                sum(row_bytes) OVER w AS bytes_through
         FROM (
           SELECT ${COLUMNS}, sequence, octet_length(key) + coalesce(octet_length(value), 0) AS row_bytes
           FROM ${this.table} WHERE revision > $1 ORDER BY revision, sequence LIMIT $2 + 1
         ) limited
         WINDOW w AS (ORDER BY revision, sequence)
       ) page
       WHERE n <= $2 AND bytes_through - row_bytes < $3
       ORDER BY revision, sequence`,
      [after, maxRows, maxBytes],
    );
    const records = toRecords(result.rows);
    const last = result.rows[result.rows.length - 1];
    if (last === undefined || last.next_revision !== last.revision) return records;
    // The last record goes on past the page: leave it to the next page, unless it is the only one.
    if (records.length > 1) return records.slice(0, -1);
    return [await this.record(records[0].revision)];
  }

  /** Every row of one revision, as a record. */
  private async record(revision: number): Promise<ReplayedRecord> {
    const result = await this.pool.query<LogRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE revision = $1 ORDER BY sequence`,
      [revision],
    );
    return toRecords(result.rows)[0];
  }

  /** The highest revision in the table, or 0 when it is empty. */
  async lastRevision(): Promise<number> {
    const result = await this.pool.query<{ last: string }>(
      `SELECT coalesce(max(revision), 0) AS last FROM ${this.table}`,
    );
    return Number(result.rows[0].last);
  }

  /** Deletes the rows with revisions in (after, through]. */
  async deleteRange(after: number, through: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE revision > $1 AND revision <= $2`, [after, through]);
  }
}
