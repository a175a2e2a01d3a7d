import type { Pool } from 'pg';
import type {
  CompactionReport,
  LiveState,
  LogHealth,
  LogHealthListener,
  LogRecord,
  ReplayedRecord,
  TransactionLogger,
} from '../../core';
import { LogHealthState, LogOverloadedError, LogUnavailableError } from '../../core';
import type { PostgresLogConfig } from './postgres-log.config';
import { recordBytes, PostgresLogStatements } from './postgres-log-statements';
import { describeError } from '../../platform/error-text/error-text';
import { silentLogger, type Logger } from '../../platform/logging/logger';
import { noLogObserver, type TransactionLogObserver } from '../log-observer.port';
import { createPool, waitForDatabase } from './postgres-pool';
import { ensureLogTable } from './postgres-schema';
import { CompactionRunner, type CompactionSizes } from '../compaction/compaction-runner';
import { compactPostgresLog, DEFAULT_COMPACTION_BATCH_ROWS } from './postgres-compaction';

/** One INSERT carries at most this many rows... */
const MAX_BATCH_ROWS = 1000;
/** ...and about this many bytes of keys and values (a single larger mutation goes alone). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** While writes fail, the database is pinged after this long... */
const FIRST_PING_MS = 250;
/** ...doubling up to this, so readiness recovers even when no write arrives to try. */
const MAX_PING_MS = 5000;

/** Tuning the tests change; production uses the defaults. */
export interface PostgresLoggerOptions {
  /** Where diagnostics go; nowhere by default. */
  readonly logger?: Logger;
  /** Rows per replay page (default 5000). */
  readonly replayPageRows?: number;
  /** Approximate bytes of keys and values per replay page (default 8 MiB). */
  readonly replayPageBytes?: number;
  /** Told about batches and commits (metrics, traces); nobody by default. */
  readonly observer?: TransactionLogObserver;
  /** Rows one compaction statement looks at (default 5000). */
  readonly compactionBatchRows?: number;
}

interface PendingAppend {
  readonly record: LogRecord;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Whether the rows found are exactly these records (compared as the table holds them). */
function sameRecords(found: readonly ReplayedRecord[], records: readonly LogRecord[]): boolean {
  return JSON.stringify(found) === JSON.stringify(records);
}

/**
 * The transaction log in a PostgreSQL table (schema in postgres-schema.ts).
 *
 * Connecting is lazy: the first readEvents or append connects (retrying with backoff) and
 * creates the table if it is missing, so construction never fails on the network.
 *
 * Appends are group-committed: while one INSERT is in flight the next appends queue, and the
 * next INSERT takes them all, in call order. An append resolves only after its INSERT has
 * committed; a failed INSERT rejects exactly its own appends with LogUnavailableError, and the
 * next batch simply tries again on a fresh connection, so writes recover when the database does.
 *
 * A failed INSERT may still have committed (the connection can drop after COMMIT, before the
 * reply). Those writes were reported failed and never reached memory, so before the next batch
 * the logger looks past the last acknowledged sequence number and deletes that batch's rows if
 * it finds them, keeping the table equal to what was acknowledged.
 *
 * Health: a failed INSERT makes the log `unavailable` (one log line); a committed one, or a ping
 * that succeeds while unavailable, makes it `ok` again (one log line).
 *
 * One table serves one running kvs instance: each instance keeps the state in memory, so a second
 * writer would leave both with stale maps. If another writer's rows are found, writes fail.
 */
export class PostgresTransactionLogger implements TransactionLogger {
  private readonly pool: Pool;
  private readonly statements: PostgresLogStatements;
  /** The table name as spliced into SQL; the config only admits plain identifiers. */
  private readonly quotedTable: string;
  private readonly logger: Logger;
  private readonly pageRows: number;
  private readonly pageBytes: number;
  private started: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** The highest revision known to be committed and acknowledged (or replayed). */
  private lastRevision = 0;
  /** A failed batch that may nevertheless have committed; settled before the next insert. */
  private unconfirmed: readonly LogRecord[] | undefined;
  private queue: PendingAppend[] = [];
  private inFlight = 0;
  private draining: Promise<void> | undefined;
  private readonly observer: TransactionLogObserver;
  private readonly compactions: CompactionRunner;
  private readonly compactionBatchRows: number;
  /** Bytes of keys and values in the table (replayed plus appended, less what compaction removed). */
  private historyBytes = 0;
  /** Live data as the last compaction left it (0 until one has run since start-up). */
  private liveBytes = 0;
  /** The port allows one replay, before the first append. */
  private replay: 'not started' | 'running' | 'done' = 'not started';
  private readonly healthState = new LogHealthState();
  private pingTimer: NodeJS.Timeout | undefined;
  private pingMs = FIRST_PING_MS;

  constructor(
    private readonly config: PostgresLogConfig,
    options: PostgresLoggerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.pageRows = options.replayPageRows ?? 5000;
    this.pageBytes = options.replayPageBytes ?? 8 * 1024 * 1024;
    this.observer = options.observer ?? noLogObserver;
    this.pool = createPool(config, this.logger);
    this.quotedTable = `"${config.table}"`;
    this.statements = new PostgresLogStatements(this.pool, this.quotedTable);
    this.compactionBatchRows = options.compactionBatchRows ?? DEFAULT_COMPACTION_BATCH_ROWS;
    this.compactions = new CompactionRunner(() => this.compactOnce(), {
      log: 'postgres',
      thresholds: config.compaction,
      logger: this.logger,
      observer: this.observer,
    });
  }

  async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
    if (this.replay !== 'not started')
      throw new Error('postgres log: readEvents may be called only once, before appends');
    this.replay = 'running';
    await this.start();
    let after = 0;
    for (;;) {
      const page = await this.statements.page(after, this.pageRows, this.pageBytes).catch((error: unknown) => {
        throw new LogUnavailableError(`postgres log: replay failed after revision ${after}: ${describeError(error)}`);
      });
      if (page.length === 0) break;
      for (const record of page) this.historyBytes += recordBytes(record);
      // Only this page is held; the next is fetched once the consumer asks for it.
      yield page;
      after = page[page.length - 1].revision;
    }
    this.lastRevision = Math.max(this.lastRevision, after);
    this.replay = 'done';
  }

  append(record: LogRecord): Promise<void> {
    if (this.closing) return Promise.reject(new LogUnavailableError('postgres log: closed'));
    if (this.replay !== 'done')
      return Promise.reject(new LogUnavailableError('postgres log: append before readEvents finished'));
    if (this.queue.length + this.inFlight >= this.config.maxPendingWrites) {
      return Promise.reject(
        new LogOverloadedError(`postgres log: ${this.config.maxPendingWrites} writes are already pending; retry later`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  attachLiveState(_live: LiveState): void {
    // The table itself tells which rows are superseded; no snapshot is needed.
  }

  compact(): Promise<CompactionReport> {
    if (this.replay !== 'done' || this.closing) {
      return Promise.reject(new LogUnavailableError('postgres log: not open'));
    }
    return this.compactions.run('on-demand');
  }

  health(): LogHealth {
    return this.healthState.get();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.healthState.onChange(listener);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.compactions.stop();
      clearTimeout(this.pingTimer);
      await this.draining;
      await this.pool.end();
    })();
    return this.closing;
  }

  /** Connects (with start-up retries) and creates the table, once; later calls share the outcome. */
  private start(): Promise<void> {
    this.started ??= (async () => {
      await waitForDatabase(this.pool, this.config, this.logger);
      await ensureLogTable(this.pool, this.quotedTable);
      this.lastRevision = await this.statements.lastRevision();
    })();
    return this.started;
  }

  /** Writes queued appends batch after batch, one INSERT in flight at a time, until the queue is empty. */
  private async drain(): Promise<void> {
    // Appends made in the same tick as the first one join its batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight = batch.length;
      this.observer.pendingWrites?.(this.queue.length + this.inFlight);
      await this.write(batch);
      this.inFlight = 0;
      this.observer.pendingWrites?.(this.queue.length);
    }
    this.draining = undefined;
  }

  private takeBatch(): PendingAppend[] {
    let bytes = 0;
    let rows = 0;
    let count = 0;
    while (count < this.queue.length) {
      const { record } = this.queue[count];
      bytes += recordBytes(record);
      rows += record.writes.length;
      // A record goes whole into one INSERT; one larger than a batch goes alone.
      if (count > 0 && (bytes > MAX_BATCH_BYTES || rows > MAX_BATCH_ROWS)) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  /** Inserts one batch and settles its appends in order; never throws. */
  private async write(batch: readonly PendingAppend[]): Promise<void> {
    const records = batch.map((pending) => pending.record);
    const bytes = records.reduce((sum, record) => sum + recordBytes(record), 0);
    this.observer.batchStarted?.(records.length, bytes);
    let began = performance.now();
    try {
      await this.start();
      await this.settleUnconfirmed();
      this.unconfirmed = records;
      began = performance.now();
      await this.statements.insert(records);
      this.unconfirmed = undefined;
    } catch (error) {
      this.observer.durabilityWaited?.((performance.now() - began) / 1000, false);
      const failure = new LogUnavailableError(`postgres log: write not acknowledged: ${describeError(error)}`);
      for (const pending of batch) pending.reject(failure);
      this.observer.batchFinished?.(false);
      this.becameUnavailable(failure.message);
      return;
    }
    this.observer.durabilityWaited?.((performance.now() - began) / 1000, true);
    this.becameAvailable('a write committed');
    this.lastRevision = records[records.length - 1].revision;
    this.historyBytes += bytes;
    this.compactions.consider(this.historyBytes, this.liveBytes);
    for (const pending of batch) pending.resolve();
    this.observer.batchFinished?.(true);
  }

  private async compactOnce(): Promise<CompactionSizes> {
    const done = await compactPostgresLog({
      pool: this.pool,
      table: this.quotedTable,
      upTo: this.lastRevision,
      batchRows: this.compactionBatchRows,
      bytesBefore: this.historyBytes,
      logger: this.logger,
    });
    this.historyBytes -= done.bytesBefore - done.bytesAfter;
    this.liveBytes = done.liveBytes;
    return done;
  }

  private becameUnavailable(cause: string): void {
    if (this.healthState.set('unavailable')) {
      this.logger.error(
        { event: 'postgres_log_unavailable', cause },
        `${cause}; writes fail until the database is back`,
      );
    }
    if (this.pingTimer === undefined) this.schedulePing();
  }

  private becameAvailable(how: string): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    this.pingMs = FIRST_PING_MS;
    if (this.healthState.set('ok')) {
      this.logger.info({ event: 'postgres_log_recovered' }, `postgres log: the database is reachable again (${how})`);
    }
  }

  /** Pings the database after a growing wait while it is unavailable. */
  private schedulePing(): void {
    if (this.closing) return;
    this.pingTimer = setTimeout(() => {
      this.pool.query('SELECT 1').then(
        () => this.becameAvailable('a ping succeeded'),
        () => this.schedulePing(),
      );
    }, this.pingMs);
    this.pingTimer.unref();
    this.pingMs = Math.min(this.pingMs * 2, MAX_PING_MS);
  }

  /** Deletes the rows of a batch that was reported failed but committed anyway (see the class comment). */
  private async settleUnconfirmed(): Promise<void> {
    const suspect = this.unconfirmed;
    if (suspect === undefined) return;
    const rows = suspect.reduce((sum, record) => sum + record.writes.length, 0);
    const found = await this.statements.page(this.lastRevision, rows + 1, Number.MAX_SAFE_INTEGER);
    if (found.length > 0) {
      if (!sameRecords(found, suspect)) {
        throw new Error(
          `table ${this.config.table} has rows after revision ${this.lastRevision} that this instance did not write;` +
            ' is another kvs instance writing to it? One table serves one instance',
        );
      }
      await this.statements.deleteRange(this.lastRevision, found[found.length - 1].revision);
      this.logger.warn(
        { event: 'postgres_lost_commit_removed', rows: found.length },
        `postgres log: removed ${found.length} row(s) of a write that was reported failed but had committed`,
      );
    }
    this.unconfirmed = undefined;
  }
}
