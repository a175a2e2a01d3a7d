import { DatabaseError, type Pool, type PoolClient } from 'pg';
import type {
  CompactionReport,
  LiveState,
  LogHealth,
  LogFollower,
  LogHealthListener,
  LogRecord,
  ReplayedRecord,
  TransactionLog,
} from '../../core';
import {
  HistoryMovedError,
  LogHealthState,
  LogOverloadedError,
  LogUnavailableError,
  OutcomeUnknownError,
  revisionNotAfter,
} from '../../core';
import type { PostgresLogConfig } from './postgres-log.config';
import { recordBytes, rowCount, PostgresLogStatements, type LockedHead } from './postgres-log-statements';
import { describeError } from '../../platform/error-text/error-text';
import { silentLogger, type Logger } from '../../platform/logging/logger';
import { noLogObserver, type TransactionLogObserver } from '../log-observer.port';
import { createPool, waitForDatabase } from './postgres-pool';
import {
  backendsNamed,
  connectWithin,
  endBackends,
  queryWithin,
  within,
  writerApplicationName,
} from './postgres-backends';
import { PostgresTableLock } from './postgres-table-lock';
import { ensureLogTable } from './postgres-schema';
import { CompactionRunner, type CompactionSizes } from '../compaction/compaction-runner';
import { compactPostgresLog, DEFAULT_COMPACTION_BATCH_ROWS, pauseCompaction } from './postgres-compaction';
import { notifyChannel, PostgresTail } from './postgres-tail';
import { DatabaseClock } from './database-clock';

/** One INSERT carries at most this many rows... */
const MAX_BATCH_ROWS = 1000;
/** ...and about this many bytes of keys and values (a single larger record goes alone). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** The liveness ping behind readiness runs this often (each bounded by TLOG_DB_PING_TIMEOUT_MS). */
const PING_INTERVAL_MS = 1000;
/** The share of the write deadline the INSERT may take; settling an uncertain one gets the rest. */
const INSERT_SHARE = 0.75;
/** The database's clock in Unix ms: clock_timestamp() is the time the statement reads it, not its transaction's start. */
const DATABASE_TIME_SQL = 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms';
/** An unsettled write is retried after this long, doubling up to MAX_SETTLE_RETRY_MS. */
const FIRST_SETTLE_RETRY_MS = 100;
const MAX_SETTLE_RETRY_MS = 2000;

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

/** Whether the rows found are exactly these records, as the table holds them. */
function sameRecords(found: readonly ReplayedRecord[], records: readonly LogRecord[]): boolean {
  return JSON.stringify(found) === JSON.stringify(records);
}

/** Rows written by kvs since revisions exist carry every put's createRevision and version. */
function isComplete(record: ReplayedRecord): record is LogRecord {
  return record.writes.every((write) => write.type === 'delete' || write.version !== undefined);
}

/** What became of one INSERT. */
type InsertOutcome =
  | { readonly kind: 'committed' }
  /** KVS_REPLICAS=shared: the head moved past the batch in a way only a catch-up outside the lock handles; nothing was inserted. */
  | { readonly kind: 'moved'; readonly head: number }
  /** The server answered with an error (the statement rolled back) or nothing was sent: it never commits. */
  | { readonly kind: 'refused'; readonly error: unknown }
  /** The table has rows this instance did not acknowledge; nothing was inserted. */
  | { readonly kind: 'foreign' }
  /** No answer by the deadline, or the connection broke after sending: it may commit yet. */
  | { readonly kind: 'uncertain'; readonly pid: number; readonly error: unknown };

/** KVS_REPLICAS=shared: a write transaction holding the table's write lock. */
interface LockedWrite {
  readonly kind: 'locked';
  readonly client: PoolClient;
  readonly pid: number;
  /** When the lock (and the head with it) was asked for. */
  readonly sentAt: number;
  /** The records other writers committed after this replica's position, to hand over before deciding again. */
  readonly missed: readonly ReplayedRecord[] | undefined;
}

/** What settling an uncertain INSERT found once its backend was gone. */
type Settled = { readonly kind: 'committed' } | { readonly kind: 'absent' } | { readonly kind: 'foreign' };

/** A batch answered OutcomeUnknownError, settled in the background before any later write. */
interface UnsettledBatch {
  /** The backend that ran its INSERT. */
  readonly pid: number;
  readonly records: readonly LogRecord[];
  /** Settles the appends' `outcome` promises: whether the batch committed. */
  readonly report: (committed: boolean) => void;
}

/** The backend pid pg learnt when the connection opened (BackendKeyData; not in pg's type declarations). */
function backendPid(client: PoolClient): number {
  const pid = (client as PoolClient & { processID?: unknown }).processID;
  if (typeof pid !== 'number') throw new Error('the connection has no backend pid');
  return pid;
}

/** The server answered the statement with an ERROR: an autocommitted statement that fails rolls back. */
function isStatementError(error: unknown): boolean {
  return error instanceof DatabaseError && error.severity === 'ERROR';
}

/**
 * The transaction log in a PostgreSQL table (schema in postgres-schema.ts).
 *
 * Connecting is lazy: the first readEvents connects (retrying with backoff), takes the table's
 * lock (one running instance per table, see PostgresTableLock), creates the table if it is
 * missing and ends any write an earlier instance left running, so construction never fails on
 * the network.
 *
 * Appends are group-committed: while one INSERT is in flight the next appends queue, and the
 * next INSERT takes them all, in call order. An append resolves only after its INSERT has
 * committed. Every append is answered within the write deadline (TLOG_DB_WRITE_TIMEOUT_MS) with
 * the truth: acknowledged; LogUnavailableError only when the INSERT can no longer commit (the
 * server refused it, or it was never sent); and when its fate is uncertain (no reply by three
 * quarters of the deadline, or the connection broke), the logger settles it first: it terminates
 * the INSERT's backend from another connection, waits until pg_stat_activity no longer lists it,
 * and reads whether the batch's rows exist. If that does not finish in time (a stopped backend
 * never ends), the appends get OutcomeUnknownError and every later append is refused until a
 * background retry settles the batch; a batch that turns out committed then reaches memory
 * through the errors' `outcome`, in log order, since nothing was written after it. Rows are never
 * deleted to undo a write.
 *
 * Each INSERT also checks that the table has nothing after the last acknowledged revision: rows
 * this instance did not write mean memory no longer matches the table, so the log fails (the
 * process restarts and replays the truth).
 *
 * Health: `unavailable` (one log line) when a write fails, while a batch is unsettled, or when
 * the liveness ping (every second, bounded by TLOG_DB_PING_TIMEOUT_MS) gets no answer; `ok`
 * again (one log line) when a write commits or a ping succeeds with nothing unsettled.
 */
export class PostgresTransactionLog implements TransactionLog {
  /** Replay, compaction and settling: statements bounded by TLOG_DB_STATEMENT_TIMEOUT_MS. */
  private readonly pool: Pool;
  /** INSERTs only, bounded by the write deadline; named so a later instance can find them. */
  private readonly writePool: Pool;
  /** The liveness ping's own connection, so a stalled write never delays it. */
  private readonly pingPool: Pool;
  private readonly writerName: string;
  private readonly lock: PostgresTableLock;
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
  /** A batch answered outcome-unknown; no write is sent until it is settled. */
  private unsettled: UnsettledBatch | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
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
  /** KVS_REPLICAS=shared: whom other writers' records go to, and how they are learnt of. */
  private follower: LogFollower | undefined;
  /** KVS_REPLICAS=shared: told each time the store is known to hold the head (staleness). */
  private readonly headListeners = new Set<(sentAt: number) => void>();
  private tail: PostgresTail | undefined;
  /** A catch-up running, and whether another was asked for meanwhile. */
  private catching: Promise<void> | undefined;
  private catchUpAgain = false;
  /** The next catch-up (a poll's) also checks that the table has not lost revisions held here. */
  private headCheckDue = false;
  /** Only with KVS_REPLICAS=shared (see TransactionLog.follow). */
  readonly follow?: (follower: LogFollower) => void;
  /** Only with KVS_REPLICAS=shared: the table's head revision, for linearizable reads. */
  readonly confirmHead?: () => Promise<number>;
  /** Only with KVS_REPLICAS=shared: the database's clock, sampled at start-up and by every ping. */
  readonly clock?: DatabaseClock;
  /** Only with KVS_REPLICAS=shared (see TransactionLog.onHeadConfirmed). */
  readonly onHeadConfirmed?: (listener: (sentAt: number) => void) => () => void;

  constructor(
    private readonly config: PostgresLogConfig,
    options: PostgresLoggerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.pageRows = options.replayPageRows ?? 5000;
    this.pageBytes = options.replayPageBytes ?? 8 * 1024 * 1024;
    this.observer = options.observer ?? noLogObserver;
    // Four: replay or settling, a spare while one reconnects, a compaction (which holds its
    // session for its advisory lock), and (shared) a whole read's hold on the compaction lock.
    this.pool = createPool(config, this.logger, {
      max: 4,
      statementTimeoutMs: config.statementTimeoutMs,
      queryTimeoutMs: config.statementTimeoutMs + 1000,
      applicationName: 'kvs',
    });
    this.writerName = writerApplicationName(config.table);
    // One INSERT at a time; the second connection is the spare while a broken one is replaced.
    this.writePool = createPool(config, this.logger, {
      max: 2,
      statementTimeoutMs: Math.round(config.writeTimeoutMs * INSERT_SHARE),
      queryTimeoutMs: undefined,
      applicationName: this.writerName,
    });
    this.pingPool = createPool(config, this.logger, {
      max: 1,
      statementTimeoutMs: config.pingTimeoutMs,
      queryTimeoutMs: undefined,
      applicationName: 'kvs',
    });
    this.lock = new PostgresTableLock(config, this.logger);
    this.quotedTable = `"${config.table}"`;
    this.statements = new PostgresLogStatements(this.pool, this.quotedTable);
    this.compactionBatchRows = options.compactionBatchRows ?? DEFAULT_COMPACTION_BATCH_ROWS;
    this.compactions = new CompactionRunner(() => this.compactOnce(), {
      log: 'postgres',
      thresholds: config.compaction,
      logger: this.logger,
      observer: this.observer,
    });
    if (config.replicas === 'shared') {
      this.follow = (follower) => {
        this.follower = follower;
        this.tail = new PostgresTail(config, this.logger, (polled) => {
          if (polled) this.headCheckDue = true;
          void this.catchUp();
        });
        this.tail.start();
      };
      this.confirmHead = () => this.statements.headWithin(this.pingPool, performance.now() + this.config.pingTimeoutMs);
      this.clock = new DatabaseClock();
      this.onHeadConfirmed = (listener) => {
        this.headListeners.add(listener);
        return () => this.headListeners.delete(listener);
      };
    }
  }

  private get shared(): boolean {
    return this.config.replicas === 'shared';
  }

  async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
    if (this.replay !== 'not started')
      throw new Error('postgres log: readEvents may be called only once, before appends');
    this.replay = 'running';
    await this.start();
    const failed = (after: number) => (error: unknown) => {
      throw new LogUnavailableError(`postgres log: replay failed after revision ${after}: ${describeError(error)}`);
    };
    // Other replicas may compact the shared table meanwhile: the replay must not see it half done.
    const resume = this.shared ? await pauseCompaction(this.pool, this.quotedTable).catch(failed(0)) : undefined;
    try {
      const compactedThrough = await this.statements.compactedThrough().catch(failed(0));
      let after = 0;
      for (;;) {
        const page = await this.statements.page(after, this.pageRows, this.pageBytes).catch(failed(after));
        if (page.length === 0) break;
        for (const record of page) this.historyBytes += recordBytes(record);
        // Only this page is held; the next is fetched once the consumer asks for it.
        yield page.map((record) => (record.revision <= compactedThrough ? { ...record, base: true } : record));
        after = page[page.length - 1].revision;
      }
      this.lastRevision = Math.max(this.lastRevision, after);
    } finally {
      await resume?.();
    }
    this.replay = 'done';
  }

  append(record: LogRecord): Promise<void> {
    if (this.closing) return Promise.reject(new LogUnavailableError('postgres log: closed'));
    if (this.replay !== 'done')
      return Promise.reject(new LogUnavailableError('postgres log: append before readEvents finished'));
    if (this.unsettled) return Promise.reject(this.unsettledRefusal());
    // A shared history may have moved past a write decided before the store heard of it.
    if (record.revision <= this.lastRevision && this.shared)
      return Promise.reject(new HistoryMovedError(this.lastRevision));
    if (record.revision <= this.lastRevision)
      return Promise.reject(revisionNotAfter(record.revision, this.lastRevision));
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
      await this.tail?.stop();
      clearTimeout(this.pingTimer);
      clearTimeout(this.settleTimer);
      await this.draining;
      await Promise.all([this.pool.end(), this.writePool.end(), this.pingPool.end(), this.lock.release()]);
    })();
    return this.closing;
  }

  /** Connects (with start-up retries), takes the table, creates it and ends earlier writers, once. */
  private start(): Promise<void> {
    this.started ??= (async () => {
      await waitForDatabase(this.pool, this.config, this.logger);
      // Shared replicas write side by side: each write's revision check keeps the history
      // one (a stalled write of a dead replica that commits late is just the next revision).
      if (!this.shared) await this.lock.acquire();
      await ensureLogTable(this.pool, this.quotedTable);
      if (!this.shared) await this.endEarlierWriters();
      // Replay already judges deadlines: by the database's clock when replicas share it.
      await this.sampleClock(this.pool, performance.now() + this.config.statementTimeoutMs);
      this.lastRevision = await this.statements.lastRevision();
      this.schedulePing();
    })();
    return this.started;
  }

  /**
   * An instance killed while its INSERT stalled leaves that backend running: it could commit
   * after this replay and behind writes acknowledged later. Holding the table's lock, every
   * backend still named as the table's writer is such a leftover: end it (and be sure it has
   * ended) before reading the table, or refuse to start.
   */
  private async endEarlierWriters(): Promise<void> {
    const deadline = performance.now() + this.config.statementTimeoutMs;
    const pids = await backendsNamed(this.pool, this.writerName, deadline);
    if (pids.length === 0) return;
    this.logger.warn(
      { event: 'postgres_earlier_writer', pids },
      `postgres log: ending ${pids.length} backend(s) an earlier instance left writing to table ${this.config.table} before replaying it`,
    );
    await endBackends(this.pool, pids, this.writerName, deadline).catch((error: unknown) => {
      throw new Error(
        `postgres log: backend ${pids.join(', ')} of an earlier kvs instance on table ${this.config.table} did not end` +
          ` within TLOG_DB_STATEMENT_TIMEOUT_MS=${this.config.statementTimeoutMs} ms (${describeError(error)});` +
          ' it may still commit a write, so the table cannot be replayed yet; start again once it has ended',
      );
    });
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
      rows += rowCount(record);
      // A record goes whole into one INSERT; one larger than a batch goes alone.
      if (count > 0 && (bytes > MAX_BATCH_BYTES || rows > MAX_BATCH_ROWS)) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  /** Inserts one batch and answers its appends, in order, within the write deadline; never throws. */
  private async write(batch: readonly PendingAppend[]): Promise<void> {
    const began = this.batchStarted(batch);
    if (this.shared) return this.writeShared(batch, began);
    const outcome = await this.insert(
      batch.map((pending) => pending.record),
      began + this.config.writeTimeoutMs * INSERT_SHARE,
    );
    await this.answer(batch, outcome, began, began);
  }

  /** Tells the observer a batch starts; returns the moment its write deadline counts from. */
  private batchStarted(batch: readonly PendingAppend[]): number {
    this.observer.batchStarted?.(
      batch.length,
      batch.reduce((sum, pending) => sum + recordBytes(pending.record), 0),
    );
    return performance.now();
  }

  /**
   * KVS_REPLICAS=shared: takes the table's write lock (waiting for the writer holding it), and
   * when other replicas took the batch's revisions meanwhile, decides the writes again right
   * there, under the lock: the log hands the store the records that moved the history (read in
   * the same round trip as the lock), refuses the batch and the writes queued behind it with
   * HistoryMovedError, lets the store decide them again against the new history (its
   * decisions run in microtasks: one setImmediate sees them appended), and inserts what the
   * store appended in the same transaction. No other writer can commit in between, so the
   * second decision never loses: a batch is never redone in a new transaction.
   */
  private async writeShared(batch: readonly PendingAppend[], began: number): Promise<void> {
    const locked = await this.takeWriteLock(batch, began + this.config.writeTimeoutMs * INSERT_SHARE);
    if (locked.kind !== 'locked') return this.answer(batch, locked, began, began);
    const { client, pid, sentAt, missed } = locked;
    let sent = batch;
    if (missed !== undefined) {
      this.becameAvailable('a write reached the database');
      this.observer.batchFinished?.(false);
      try {
        this.handOver(missed.filter((record) => record.revision > this.lastRevision));
      } catch (error) {
        await this.rollBack(client, performance.now() + this.config.pingTimeoutMs);
        this.refuse(batch, `postgres log: write not acknowledged: ${describeError(error)}`);
        return;
      }
      const moved = new HistoryMovedError(this.lastRevision);
      for (const pending of [...batch, ...this.queue.splice(0)]) pending.reject(moved);
      this.inFlight = 0;
      await new Promise((resolve) => setImmediate(resolve));
      sent = this.takeBatch();
      if (sent.length === 0 || sent[0].record.revision !== this.lastRevision + 1) {
        // Nothing to write, or numbered past the head (revisions of an unsettled write held back).
        this.queue.unshift(...sent);
        await this.rollBack(client, performance.now() + this.config.pingTimeoutMs);
        return;
      }
      this.inFlight = sent.length;
      began = this.batchStarted(sent);
    }
    const outcome = await this.insertLocked(
      client,
      pid,
      sent.map((pending) => pending.record),
      began + this.config.writeTimeoutMs * INSERT_SHARE,
    );
    // The batch took the revisions right after the head, read once the lock was held.
    await this.answer(sent, outcome, began, sentAt);
  }

  /** Answers a batch's appends with what became of its INSERT; `confirmedAt`: when its head was read. */
  private async answer(
    batch: readonly PendingAppend[],
    outcome: InsertOutcome,
    began: number,
    confirmedAt: number,
  ): Promise<void> {
    const records = batch.map((pending) => pending.record);
    const deadline = began + this.config.writeTimeoutMs;
    this.observer.durabilityWaited?.((performance.now() - began) / 1000, outcome.kind === 'committed');
    if (outcome.kind === 'committed') {
      this.acknowledge(batch);
      if (this.shared) this.headConfirmed(confirmedAt);
      return;
    }
    this.observer.batchFinished?.(false);
    if (outcome.kind === 'refused') {
      this.refuse(batch, `postgres log: write not acknowledged: ${describeError(outcome.error)}`);
      return;
    }
    if (outcome.kind === 'foreign') {
      this.foreignRows(batch);
      return;
    }
    if (outcome.kind === 'moved') {
      await this.movedOn(batch, outcome.head);
      return;
    }
    const cause = describeError(outcome.error);
    const settled = await this.settle(outcome.pid, records, deadline).catch(() => undefined);
    if (settled === undefined) {
      this.outcomeUnknown(batch, outcome.pid, cause);
    } else if (settled.kind === 'committed') {
      this.logger.warn(
        { event: 'postgres_write_settled', committed: true, rows: batch.length },
        `postgres log: a write whose reply was lost (${cause}) turned out committed; acknowledged`,
      );
      this.acknowledge(batch);
    } else if (settled.kind === 'absent') {
      this.refuse(batch, `postgres log: write not acknowledged (${cause}); its backend ended without committing it`);
    } else {
      this.foreignRows(batch);
    }
  }

  /** A connection of the write pool and its backend pid, by `deadline`; an error means nothing was sent. */
  private async connectWriter(deadline: number): Promise<{ client: PoolClient; pid: number } | InsertOutcome> {
    try {
      if (!this.shared && !this.lock.held) await within(this.lock.acquire(), deadline, 'taking the table lock again');
      const client = await connectWithin(this.writePool, deadline);
      return { client, pid: backendPid(client) };
    } catch (error) {
      return { kind: 'refused', error };
    }
  }

  /** Runs the INSERT on a connection of its own (to know its backend) by `deadline`, and says what became of it. */
  private async insert(records: readonly LogRecord[], deadline: number): Promise<InsertOutcome> {
    const connected = await this.connectWriter(deadline);
    if ('kind' in connected) return connected;
    const { client, pid } = connected;
    try {
      const inserted = await within(
        this.statements.insert(client, records, this.lastRevision),
        deadline,
        `an INSERT of ${records.length} record(s)`,
      );
      client.release();
      return inserted ? { kind: 'committed' } : { kind: 'foreign' };
    } catch (error) {
      // A connection whose INSERT did not answer must not serve another one.
      client.release(true);
      return isStatementError(error) ? { kind: 'refused', error } : { kind: 'uncertain', pid, error };
    }
  }

  /**
   * KVS_REPLICAS=shared: opens the write transaction and takes the write lock by `deadline`.
   * Locked: the batch's revisions follow the head (`missed` undefined), or other writers' records
   * moved the head and can be handed over from here (`missed`). Otherwise what became of the
   * batch: refused or uncertain as an INSERT, or moved (rolled back: the head moved in a way
   * only a catch-up outside the lock handles, such as a compaction marker among the records).
   */
  private async takeWriteLock(batch: readonly PendingAppend[], deadline: number): Promise<LockedWrite | InsertOutcome> {
    const connected = await this.connectWriter(deadline);
    if ('kind' in connected) return connected;
    const { client, pid } = connected;
    const after = batch[0].record.revision - 1;
    let locked: LockedHead;
    const sentAt = performance.now();
    // What was in memory when the batch went: it was decided against no more than that.
    const known = this.lastRevision;
    try {
      locked = await within(
        this.statements.lockForWrite(client, known, this.pageRows, this.pageBytes),
        deadline,
        'taking the revision lock',
      );
    } catch (error) {
      client.release(true);
      return isStatementError(error) ? { kind: 'refused', error } : { kind: 'uncertain', pid, error };
    }
    // The batch may follow the head only when every record up to it was in memory: a batch
    // numbered right after a head this replica had not read was decided without those records
    // and would commit over them, and the tail would then skip them as its own past.
    const behind = locked.head > known;
    if (locked.head === after && !behind) return { kind: 'locked', client, pid, sentAt, missed: undefined };
    const missed = locked.records;
    if (behind && locked.head >= after && missed !== undefined && missed.every(isComplete))
      return { kind: 'locked', client, pid, sentAt, missed };
    await this.rollBack(client, deadline);
    return { kind: 'moved', head: locked.head };
  }

  /** Inserts the records (and notifies) in the open write transaction, commits it by `deadline`, and says what became of it. */
  private async insertLocked(
    client: PoolClient,
    pid: number,
    records: readonly LogRecord[],
    deadline: number,
  ): Promise<InsertOutcome> {
    const channel = notifyChannel(this.config.table);
    const commit = async (): Promise<void> => {
      if (!(await this.statements.insert(client, records, records[0].revision - 1, channel)))
        throw new Error('insert found rows after the head it had read under the write lock');
      await client.query('COMMIT');
    };
    try {
      await within(commit(), deadline, `a shared INSERT of ${records.length} record(s)`);
      client.release();
      return { kind: 'committed' };
    } catch (error) {
      client.release(true);
      return isStatementError(error) ? { kind: 'refused', error } : { kind: 'uncertain', pid, error };
    }
  }

  /** Rolls the open write transaction back (nothing was inserted in it); a connection that does not answer by `deadline` is dropped, which rolls it back too. */
  private async rollBack(client: PoolClient, deadline: number): Promise<void> {
    try {
      await within(client.query('ROLLBACK'), deadline, 'ROLLBACK');
      client.release();
    } catch {
      client.release(true);
    }
  }

  /**
   * Ends the backend `pid` (from another connection), waits until it is gone, then reads what
   * follows the last acknowledged revision: the batch's rows, nothing, or someone else's. Rejects
   * when that cannot be done by `deadline`.
   */
  private async settle(pid: number, records: readonly LogRecord[], deadline: number): Promise<Settled> {
    await endBackends(this.pool, [pid], this.writerName, deadline);
    const rows = records.reduce((sum, record) => sum + rowCount(record), 0);
    const after = this.shared ? records[0].revision - 1 : this.lastRevision;
    const found = await this.statements.pageWithin(after, rows + 1, deadline);
    if (found.length === 0) return { kind: 'absent' };
    if (!this.shared) return sameRecords(found, records) ? { kind: 'committed' } : { kind: 'foreign' };
    // Shared: other writers' records may follow; the batch's revisions hold it, or someone else's.
    return sameRecords(found.slice(0, records.length), records) ? { kind: 'committed' } : { kind: 'absent' };
  }

  private acknowledge(batch: readonly PendingAppend[]): void {
    this.becameAvailable('a write committed');
    this.lastRevision = Math.max(this.lastRevision, batch[batch.length - 1].record.revision);
    for (const pending of batch) this.historyBytes += recordBytes(pending.record);
    this.compactions.consider(this.historyBytes, this.liveBytes);
    for (const pending of batch) pending.resolve();
    this.observer.batchFinished?.(true);
  }

  /** Answers "nothing changed": only for a batch that can no longer commit. */
  private refuse(batch: readonly PendingAppend[], message: string): void {
    const failure = new LogUnavailableError(message);
    for (const pending of batch) pending.reject(failure);
    this.becameUnavailable(message);
  }

  /** The table holds rows this instance did not write: memory is stale, only a restart and replay can help. */
  private foreignRows(batch: readonly PendingAppend[]): void {
    const message =
      `postgres log: table ${this.config.table} has rows after revision ${this.lastRevision} that this instance did not write;` +
      ' is another kvs instance writing to it? One table serves one instance';
    for (const pending of batch) pending.reject(new LogUnavailableError(message, false));
    if (this.healthState.set('failed')) this.logger.error({ event: 'postgres_log_failed' }, message);
  }

  /** Answers OUTCOME_UNKNOWN, refuses what waits behind the batch, and settles it in the background. */
  private outcomeUnknown(batch: readonly PendingAppend[], pid: number, cause: string): void {
    const reports: ((committed: boolean) => void)[] = [];
    const message =
      `postgres log: a write stalled past TLOG_DB_WRITE_TIMEOUT_MS=${this.config.writeTimeoutMs} ms (${cause})` +
      ` and its backend ${pid} could not be confirmed ended; it may still commit`;
    for (const pending of batch) {
      const outcome = new Promise<boolean>((resolve) => reports.push(resolve));
      pending.reject(new OutcomeUnknownError(message, outcome));
    }
    this.unsettled = {
      pid,
      records: batch.map((pending) => pending.record),
      report: (committed) => reports.forEach((report) => report(committed)),
    };
    this.becameUnavailable(message);
    // Queued writes were never sent; while the batch is unsettled they can never commit.
    for (const pending of this.queue.splice(0)) pending.reject(this.unsettledRefusal());
    this.settleLater(FIRST_SETTLE_RETRY_MS);
  }

  private unsettledRefusal(): LogUnavailableError {
    return new LogUnavailableError(
      'postgres log: an earlier write has not been settled yet (its database backend does not answer); writes are refused until it is',
    );
  }

  /** Retries settling the unsettled batch, with a growing wait, until it is settled or the log closes. */
  private settleLater(delayMs: number): void {
    if (this.closing) return;
    this.settleTimer = setTimeout(() => {
      const unsettled = this.unsettled;
      if (unsettled === undefined) return;
      const deadline = performance.now() + Math.max(this.config.writeTimeoutMs, 1000);
      this.settle(unsettled.pid, unsettled.records, deadline).then(
        (settled) => this.settled(unsettled, settled),
        () => this.settleLater(Math.min(delayMs * 2, MAX_SETTLE_RETRY_MS)),
      );
    }, delayMs);
    this.settleTimer.unref();
  }

  private settled(unsettled: UnsettledBatch, settled: Settled): void {
    if (settled.kind === 'foreign') {
      this.foreignRows([]);
      return;
    }
    if (settled.kind === 'committed') {
      // The tail may have handed the batch over already, and records after it.
      this.lastRevision = Math.max(this.lastRevision, unsettled.records[unsettled.records.length - 1].revision);
      for (const record of unsettled.records) this.historyBytes += recordBytes(record);
    }
    // Reported before any later write is taken, so a late commit reaches memory in log order.
    unsettled.report(settled.kind === 'committed');
    this.unsettled = undefined;
    this.logger.info(
      { event: 'postgres_write_settled', committed: settled.kind === 'committed', rows: unsettled.records.length },
      `postgres log: the write whose outcome was unknown is settled: it ${settled.kind === 'committed' ? 'committed' : 'did not commit'}`,
    );
    this.becameAvailable('an unsettled write was settled');
  }

  /**
   * KVS_REPLICAS=shared: another writer took the batch's revision. Hands the store the records
   * it missed, then refuses the batch and everything queued behind it (decided on the same old
   * history) with HistoryMovedError, so the store decides them again against the new history.
   */
  private async movedOn(batch: readonly PendingAppend[], head: number): Promise<void> {
    this.becameAvailable('a write reached the database');
    this.logger.debug(
      { event: 'postgres_history_moved', head, revision: batch[0].record.revision },
      'postgres log: another replica took the revision; the writes are decided again',
    );
    await this.catchUp();
    const moved = new HistoryMovedError(Math.max(head, this.lastRevision));
    for (const pending of [...batch, ...this.queue.splice(0)]) pending.reject(moved);
  }

  /**
   * KVS_REPLICAS=shared: reads the table after the last revision known here and hands the
   * records to the store, in revision order, a page at a time; one catch-up at a time (one
   * asked for meanwhile runs right after). A failure is left to the next notification or poll.
   */
  private catchUp(): Promise<void> {
    if (this.catching) {
      this.catchUpAgain = true;
      return this.catching;
    }
    this.catching = (async () => {
      do {
        this.catchUpAgain = false;
        await this.readTail().catch((error: unknown) => {
          this.logger.debug(
            { event: 'postgres_catch_up_failed', error: describeError(error) },
            'postgres log: catch-up failed',
          );
        });
      } while (this.catchUpAgain && !this.closing);
      this.catching = undefined;
    })();
    return this.catching;
  }

  /**
   * Reads the table after the last revision known here, page by page, until a read finds
   * nothing newer: the head is then confirmed as of the moment that read was sent. A page read
   * while a compaction marker stands after the position may be thinned (the compaction deletes
   * superseded rows after writing its marker, so a marker found after reading the page covers
   * every deletion the page could have missed): it is dropped, and the whole state is read again.
   */
  private async readTail(): Promise<void> {
    for (;;) {
      const sentAt = performance.now();
      const page = await this.statements.page(this.lastRevision, this.pageRows, this.pageBytes);
      const fresh = page.filter((record) => record.revision > this.lastRevision);
      if (fresh.length === 0) {
        if (this.headCheckDue) await this.checkHead();
        this.headConfirmed(sentAt);
        return;
      }
      const compacted = await this.statements.markerAfter(this.lastRevision);
      if (compacted !== undefined) {
        await this.rebase();
        continue;
      }
      this.handOver(fresh);
    }
  }

  /**
   * KVS_REPLICAS=shared, at each poll: the table's head must not be below the revision held
   * here. It is after a failover to a standby that lacked the last commits (asynchronous
   * replication) or a restore of an older backup: memory then holds revisions the table does
   * not, and the next writes would reuse their numbers for other records, which this replica
   * would skip. Only a replay of the table can help: the log fails (the process restarts).
   */
  private async checkHead(): Promise<void> {
    this.headCheckDue = false;
    // Compared with what was held when the query was sent: every revision held then had
    // committed, while one of this replica's own writes may commit (and be held) while it runs.
    const held = this.lastRevision;
    const head = await this.statements.lastRevision();
    if (head >= held) return;
    const message =
      `postgres log: table ${this.config.table} ends at revision ${head}, before this replica's revision ${held}:` +
      ' the database lost commits (a failover to a standby without them, or an older backup restored?); restart to replay the table';
    if (this.healthState.set('failed')) this.logger.error({ event: 'postgres_log_failed' }, message);
    throw new Error(message);
  }

  /** Gives the follower records after the last revision known here, whole, in revision order. */
  private handOver(records: readonly ReplayedRecord[]): void {
    if (records.length === 0) return;
    if (!records.every(isComplete)) throw new Error('the table holds a record without revisions after replay');
    for (const record of records) this.historyBytes += recordBytes(record);
    this.lastRevision = records[records.length - 1].revision;
    this.follower?.apply(records);
  }

  /**
   * KVS_REPLICAS=shared: another replica compacted the table past this replica's position, so
   * the records after it are thinned (a key's delete may be gone with the put it superseded).
   * Reads the whole table with compactions held off, hands the follower the compacted state
   * through the newest marker in one step, then the whole records after it. The whole table is
   * held in memory meanwhile, once, as a restart's replay would read it.
   */
  private async rebase(): Promise<void> {
    const resume = await pauseCompaction(this.pool, this.quotedTable);
    const base: ReplayedRecord[] = [];
    const rest: ReplayedRecord[] = [];
    let through: number;
    let bytes = 0;
    try {
      through = await this.statements.compactedThrough();
      for (let after = 0; ;) {
        const page = await this.statements.page(after, this.pageRows, this.pageBytes);
        if (page.length === 0) break;
        for (const record of page) {
          if (record.revision > through) rest.push(record);
          else {
            base.push({ ...record, base: true });
            bytes += recordBytes(record);
          }
        }
        after = page[page.length - 1].revision;
      }
    } finally {
      await resume();
    }
    if (!rest.every(isComplete)) throw new Error('the table holds a record without revisions after replay');
    this.logger.warn(
      { event: 'postgres_rebase', from: this.lastRevision, through },
      `postgres log: table ${this.config.table} was compacted through revision ${through}, past this replica's revision ${this.lastRevision}; took the whole state again (watchers before it end with REVISION_COMPACTED)`,
    );
    // The base's bytes; handOver adds those of the records after it.
    this.historyBytes = bytes;
    this.lastRevision = Math.max(this.lastRevision, through);
    this.follower?.rebase(base, through);
    this.handOver(rest);
  }

  /** Tells the staleness listeners that the store held the head as of `sentAt`. */
  private headConfirmed(sentAt: number): void {
    for (const listener of this.headListeners) listener(sentAt);
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
  }

  private becameAvailable(how: string): void {
    if (this.unsettled) return;
    if (this.healthState.set('ok')) {
      this.logger.info({ event: 'postgres_log_recovered' }, `postgres log: the database is reachable again (${how})`);
    }
  }

  /**
   * KVS_REPLICAS=shared: reads the database's clock by `deadline` and hands the reading to the
   * clock (nothing to do without replicas); rejects when the database does not answer in time.
   */
  private async sampleClock(pool: Pool, deadline: number): Promise<void> {
    const clock = this.clock;
    if (clock === undefined) return;
    const sentAt = clock.localNow();
    const rows = await queryWithin<{ ms: number }>(pool, DATABASE_TIME_SQL, [], deadline);
    clock.sample(Number(rows[0].ms), sentAt, clock.localNow());
  }

  /**
   * Pings the database every PING_INTERVAL_MS, so readiness follows it even when no write
   * arrives; with replicas the ping is the database clock's sample.
   */
  private schedulePing(): void {
    if (this.closing) return;
    this.pingTimer = setTimeout(() => {
      const deadline = performance.now() + this.config.pingTimeoutMs;
      const ping: Promise<unknown> = this.clock
        ? this.sampleClock(this.pingPool, deadline)
        : queryWithin(this.pingPool, 'SELECT 1', [], deadline);
      ping
        .then(
          () => this.becameAvailable('a ping succeeded'),
          (error: unknown) => {
            if (this.closing) return;
            this.becameUnavailable(
              `postgres log: the database did not answer a ping within TLOG_DB_PING_TIMEOUT_MS=${this.config.pingTimeoutMs} ms (${describeError(error)})`,
            );
          },
        )
        .finally(() => this.schedulePing());
    }, PING_INTERVAL_MS);
    this.pingTimer.unref();
  }
}
