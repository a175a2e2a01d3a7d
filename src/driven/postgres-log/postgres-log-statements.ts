import type { Pool, PoolClient, QueryResult } from 'pg';
import {
  extrasOf,
  type KeyWrite,
  type LeaseWrite,
  type LogRecord,
  type ReplayedPut,
  type ReplayedRecord,
} from '../../core';
import { queryWithin } from './postgres-backends';

/** A log row as pg returns it: bigint as a string, bytea as a Buffer. */
interface LogRow {
  readonly revision: string;
  readonly event_type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly create_revision: string | null;
  readonly version: string | null;
  readonly expires_at: string | null;
  readonly lease: string | null;
  readonly next_revision: string | null;
}

/**
 * A lease's rows carry its own key: 0xFF then `lease <id>`. 0xFF never occurs in UTF-8, and
 * every client key is valid Unicode, so no client key can be a lease's; and a grant and its
 * revoke share a key, so compaction removes them as it removes a key's put and delete.
 */
const LEASE_KEY_PREFIX = Buffer.from([0xff, ...Buffer.from('lease ', 'latin1')]);

function leaseKey(id: number): Buffer {
  return Buffer.concat([LEASE_KEY_PREFIX, Buffer.from(String(id), 'latin1')]);
}

/**
 * The lease write a row holds, if the row is a lease's: a put is a grant (its TTL as the
 * value), or a keepalive when it carries a deadline too (KVS_REPLICAS=shared); a delete is a
 * revoke.
 */
function leaseOf(row: LogRow): LeaseWrite | undefined {
  if (row.key[0] !== 0xff) return undefined;
  const id = Number(row.key.subarray(LEASE_KEY_PREFIX.length).toString('latin1'));
  if (row.event_type === 'delete') return { type: 'revoke', id };
  const ttlMs = Number((row.value ?? Buffer.alloc(0)).toString('latin1'));
  if (row.expires_at === null) return { type: 'grant', id, ttlMs };
  return { type: 'keepalive', id, ttlMs, deadline: Number(row.expires_at) };
}

function toWrite(row: LogRow): ReplayedPut | { type: 'delete'; key: string } {
  const key = row.key.toString('utf8');
  if (row.event_type === 'delete') return { type: 'delete', key };
  const value = (row.value ?? Buffer.alloc(0)).toString('utf8');
  if (row.create_revision === null || row.version === null) return { type: 'put', key, value };
  const extras = extrasOf(
    row.expires_at === null ? undefined : Number(row.expires_at),
    row.lease === null ? undefined : Number(row.lease),
  );
  const revisions = { createRevision: Number(row.create_revision), version: Number(row.version) };
  return { type: 'put', key, value, ...revisions, ...extras };
}

/**
 * The key of the compaction marker: a delete row at the revision up to which a compaction or
 * a restore rewrote the table, so replay tells the records they thinned (base) from those
 * appended since, which stay whole. 0xFF then `compacted`: no client key (valid UTF-8) and no
 * lease key (0xFF `lease `) is it. A marker at revision 0, which replay never reads, says
 * that the table was empty when kvs first found it: nothing in it is compacted yet.
 */
export const COMPACTED_KEY = Buffer.from([0xff, ...Buffer.from('compacted', 'latin1')]);

/** Groups rows (in revision order) into records, one per revision; a marker row holds no write. */
function toRecords(rows: readonly LogRow[]): ReplayedRecord[] {
  const records: { revision: number; writes: ReturnType<typeof toWrite>[]; leases?: LeaseWrite[] }[] = [];
  for (const row of rows) {
    const revision = Number(row.revision);
    let last = records[records.length - 1];
    if (last?.revision !== revision) records.push((last = { revision, writes: [] }));
    if (row.key.equals(COMPACTED_KEY)) continue;
    const lease = leaseOf(row);
    if (lease === undefined) last.writes.push(toWrite(row));
    else (last.leases ??= []).push(lease);
  }
  return records;
}

/** A row to insert: a key's write or a lease's. */
interface InsertRow {
  readonly revision: number;
  readonly type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly createRevision: number | null;
  readonly version: number | null;
  readonly expiresAt: number | null;
  readonly lease: number | null;
}

/** A lease write's row: a put of the lease's key (TTL as the value, and a keepalive's deadline), or a delete. */
function leaseRow(revision: number, lease: LeaseWrite): InsertRow {
  const key = leaseKey(lease.id);
  if (lease.type === 'revoke') return { ...NO_PUT, revision, type: 'delete', key };
  const expiresAt = lease.type === 'keepalive' ? lease.deadline : null;
  return { ...NO_PUT, revision, type: 'put', key, value: Buffer.from(String(lease.ttlMs)), expiresAt };
}

/** The rows of a record: its key writes in order, then its lease writes. */
function rowsOf(record: LogRecord): InsertRow[] {
  const { revision } = record;
  const rows = record.writes.map((write): InsertRow =>
    write.type === 'put'
      ? {
          revision,
          type: 'put',
          key: Buffer.from(write.key, 'utf8'),
          value: Buffer.from(write.value, 'utf8'),
          createRevision: write.createRevision,
          version: write.version,
          expiresAt: write.expiresAt ?? null,
          lease: write.lease ?? null,
        }
      : { ...NO_PUT, revision, type: 'delete', key: Buffer.from(write.key, 'utf8') },
  );
  for (const lease of record.leases ?? []) rows.push(leaseRow(revision, lease));
  return rows;
}

const NO_PUT = { value: null, createRevision: null, version: null, expiresAt: null, lease: null } as const;

/** Bytes a write takes in the table, for sizing batches. */
function writeBytes(write: KeyWrite | ReplayedPut): number {
  return Buffer.byteLength(write.key) + (write.type === 'put' ? Buffer.byteLength(write.value) : 0);
}

/** Rows a record takes in the table: one per key write and one per lease write. */
export function rowCount(record: LogRecord): number {
  return record.writes.length + (record.leases?.length ?? 0);
}

/** Bytes a record takes in the table. */
export function recordBytes(record: LogRecord | ReplayedRecord): number {
  let bytes = 0;
  for (const write of record.writes) bytes += writeBytes(write);
  return bytes;
}

/** What a shared writer found once it held the table's write lock (PostgresLogStatements.lockForWrite). */
export interface LockedHead {
  /** The table's head revision. */
  readonly head: number;
  /** The records after the writer's position through the head, when they could all be read whole. */
  readonly records: ReplayedRecord[] | undefined;
}

const COLUMNS = 'revision, event_type, key, value, create_revision, version, expires_at, lease';

/**
 * Transaction advisory lock key class for "assigning the table's next revision" (the second key
 * is the table's hash), apart from the schema, table and compaction keys: with KVS_REPLICAS=shared
 * every write holds it from its head check to its commit.
 */
const WRITE_LOCK_CLASS = 0x6b7677; // "kvw"

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
   * Inserts the records' writes as one multi-row INSERT (one round trip) on `client`, a row per
   * write, and returns true; or false, inserting nothing, when the table already has rows after
   * revision `after` (rows this instance did not acknowledge: someone else writes to the table,
   * and memory no longer matches it). ORDER BY ordinality makes `sequence` follow the array
   * order, so a record's writes replay in the order they were made. With `channel`
   * (KVS_REPLICAS=shared, inside the write transaction) the same statement notifies it too,
   * delivered at commit, so the write lock is held one round trip less.
   */
  async insert(client: PoolClient, records: readonly LogRecord[], after: number, channel?: string): Promise<boolean> {
    const rows = records.flatMap(rowsOf);
    const notify = channel === undefined ? '' : ', pg_notify($10, $11)';
    const result = await client.query<{ inserted: number }>(
      `WITH inserted AS (
         INSERT INTO ${this.table} (${COLUMNS})
         SELECT ${COLUMNS}
         FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
           WITH ORDINALITY AS batch(${COLUMNS}, position)
         WHERE NOT EXISTS (SELECT 1 FROM ${this.table} WHERE revision > $9)
         ORDER BY position
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM inserted)::int AS inserted${notify}`,
      [
        rows.map((row) => row.revision),
        rows.map((row) => row.type),
        rows.map((row) => row.key),
        rows.map((row) => row.value),
        rows.map((row) => row.createRevision),
        rows.map((row) => row.version),
        rows.map((row) => row.expiresAt),
        rows.map((row) => row.lease),
        after,
        ...(channel === undefined ? [] : [channel, String(records[records.length - 1].revision)]),
      ],
    );
    const inserted = result.rows[0].inserted;
    if (inserted === 0) return false;
    if (inserted !== rows.length) throw new Error(`insert wrote ${inserted} rows for ${rows.length} writes`);
    return true;
  }

  /**
   * KVS_REPLICAS=shared: opens the write transaction on `client` and takes the table's write
   * lock in it, waiting for the writer holding it (so revisions are given one writer at a time:
   * gap-free, and committed in revision order, which is the order every reader sees them in),
   * then reads the head and the records after `after` — one round trip: a multi-statement
   * simple query, whose statements each take a snapshot of their own, so both reads see every
   * commit made before the lock was granted. The transaction stays open (and the lock held)
   * for `insert` and COMMIT, or ROLLBACK. The records are there only when they are exactly the
   * records after `after` through the head: whole, on one page of about `maxRows` rows and
   * `maxBytes` bytes, with no compaction marker among them (a marker means they may be thinned).
   */
  async lockForWrite(client: PoolClient, after: number, maxRows: number, maxBytes: number): Promise<LockedHead> {
    const results = (await client.query(
      `BEGIN;
       SELECT pg_advisory_xact_lock(${WRITE_LOCK_CLASS}, hashtext('${this.table}'));
       ${headSql(this.table)};
       ${pageSql(this.table, String(after), String(maxRows), String(maxBytes))}`,
    )) as unknown as QueryResult[];
    const head = Number((results[2].rows[0] as { last: string }).last);
    const rows = results[3].rows as LogRow[];
    const last = rows[rows.length - 1];
    const onePage = last === undefined || last.next_revision === null;
    const marked = rows.some((row) => row.key.equals(COMPACTED_KEY));
    const records = toRecords(rows);
    const through = records.length === 0 ? after : records[records.length - 1].revision;
    return { head, records: onePage && !marked && through === head ? records : undefined };
  }

  /** The table's head revision (0 when empty), by `deadline`. */
  async headWithin(pool: Pool, deadline: number): Promise<number> {
    const rows = await queryWithin<{ last: string }>(pool, headSql(this.table), [], deadline);
    return Number(rows[0].last);
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

  private get pageSql(): string {
    return pageSql(this.table, '$1', '$2', '$3');
  }

  private get recordSql(): string {
    return `SELECT ${COLUMNS}, NULL AS next_revision FROM ${this.table} WHERE revision = $1 ORDER BY sequence`;
  }

  /** Marks the table's rows up to `revision` as compacted (a marker row), on `client`. */
  async markCompacted(client: Pool | PoolClient, revision: number): Promise<void> {
    await client.query(`INSERT INTO ${this.table} (revision, event_type, key) VALUES ($1, 'delete', $2)`, [
      revision,
      COMPACTED_KEY,
    ]);
  }

  /**
   * The revision up to which the table's records restate compacted state: its newest marker's.
   * A table without one holding rows was written by a release before markers, which may have
   * compacted any of them: every revision. An empty one gets a marker at 0: nothing compacted.
   */
  async compactedThrough(): Promise<number> {
    const result = await this.pool.query<{ through: string | null; empty: boolean }>(
      `SELECT (SELECT max(revision) FROM ${this.table} WHERE key = $1) AS through,
              NOT EXISTS (SELECT 1 FROM ${this.table}) AS empty`,
      [COMPACTED_KEY],
    );
    const { through, empty } = result.rows[0];
    if (through !== null) return Number(through);
    if (!empty) return Number.MAX_SAFE_INTEGER;
    await this.markCompacted(this.pool, 0);
    return 0;
  }

  /**
   * The newest compaction marker's revision when it is after `after` (one probe of the
   * (key, revision) index), else undefined: whether a compaction thinned records after it.
   */
  async markerAfter(after: number): Promise<number | undefined> {
    const result = await this.pool.query<{ through: string | null }>(
      `SELECT max(revision) AS through FROM ${this.table} WHERE key = $1 AND revision > $2`,
      [COMPACTED_KEY, after],
    );
    const through = result.rows[0].through;
    return through === null ? undefined : Number(through);
  }

  /** The highest revision in the table, or 0 when it is empty. */
  async lastRevision(): Promise<number> {
    const result = await this.pool.query<{ last: string }>(headSql(this.table));
    return Number(result.rows[0].last);
  }
}

/** The highest revision in the table, 0 when it is empty: one probe of the (revision, sequence) index. */
function headSql(table: string): string {
  return `SELECT coalesce(max(revision), 0) AS last FROM ${table}`;
}

/**
 * The rows after revision `after` in revision order, about `maxRows` of them and no more than
 * fit in `maxBytes` (SQL expressions: parameters, or literals the caller made). One row beyond
 * the page is fetched so that lead() tells whether the page's last record goes on past it.
 */
function pageSql(table: string, after: string, maxRows: string, maxBytes: string): string {
  return `SELECT ${COLUMNS}, next_revision FROM (
       SELECT *, row_number() OVER w AS n, lead(revision) OVER w AS next_revision,
              sum(row_bytes) OVER w AS bytes_through
       FROM (
         SELECT ${COLUMNS}, sequence, octet_length(key) + coalesce(octet_length(value), 0) AS row_bytes
         FROM ${table} WHERE revision > ${after} ORDER BY revision, sequence LIMIT ${maxRows} + 1
       ) limited
       WINDOW w AS (ORDER BY revision, sequence)
     ) page
     WHERE n <= ${maxRows} AND bytes_through - row_bytes < ${maxBytes}
     ORDER BY revision, sequence`;
}
