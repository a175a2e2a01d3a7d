import type { LogHealthState } from '../../core';
import { LogUnavailableError } from '../../core';
import { describeError, errorCode } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';
import { noLogObserver, type TransactionLogObserver } from '../log-observer.port';
import type { LogFileHandle } from './log-file-handle';

/** When an acknowledged append is also on the disk, not only in the OS page cache. */
export type SyncPolicy = 'always' | 'interval' | 'never';

/** A batch never exceeds this many bytes (unless one record alone is larger)... */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** ...nor this many records: Linux's IOV_MAX, the most buffers one writev takes. */
const MAX_BATCH_RECORDS = 1024;
/** With sync=interval, the longest a written record waits for its fdatasync. */
const SYNC_INTERVAL_MS = 1000;
/** After a full disk, the first look for free space comes this soon... */
const FIRST_SPACE_CHECK_MS = 100;
/** ...and the wait doubles up to this, so a disk that stays full costs next to nothing. */
const MAX_SPACE_CHECK_MS = 2000;
/** Write errors that mean "no room", which pass once space is freed (not a broken disk). */
const SPACE_ERRORS: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** What the writer needs besides the file handle. */
export interface GroupCommitWriterOptions {
  readonly filename: string;
  readonly policy: SyncPolicy;
  /** Size of the file when the writer takes over: the end of the last durable (fdatasynced) record. */
  readonly endOffset: number;
  /** Where the writer reports that writes cannot succeed, and when they can again. */
  readonly health: LogHealthState;
  readonly logger: Logger;
  /** Free bytes on the log's filesystem, looked at while the disk is full. */
  readonly freeBytes: () => Promise<number>;
  /** Told about each batch, sync and the file's size (metrics, traces); nobody by default. */
  readonly observer?: TransactionLogObserver;
}

/** An append waiting in the queue, with the callbacks that settle its promise. */
export interface PendingAppend {
  readonly record: Buffer;
  /** The record's revision. */
  readonly revision: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Appends records with group commit: while one batch is written (and, with sync=always,
 * fdatasynced), new appends queue; the next batch takes them all in one writev and one
 * fdatasync. Acknowledgements go out in submission order.
 *
 * A failed or short write leaves part of a batch in the file, and a record there would be
 * replayed after a restart although its client was told it failed. So before anyone is answered,
 * the file is cut back to the end of the last acknowledged batch and the cut is fdatasynced.
 * Then a full disk (ENOSPC, EDQUOT, EFBIG) makes the log `unavailable`: appends are refused at
 * once while the writer looks for free space with a growing backoff, and accepted again as soon
 * as there is room, without a restart.
 *
 * A failed fdatasync, any other write error, or a cut that cannot be made is final (`failed`):
 * after a failed fsync the kernel may have dropped the dirty pages, so a retry could report
 * success for lost data (PostgreSQL's "fsyncgate"). The writer logs one fatal line and rejects
 * everything; the composition root, told through the health state, exits so the supervisor
 * restarts the service and replay recovers what the disk really holds.
 */
export class GroupCommitWriter {
  private readonly queue: PendingAppend[] = [];
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  /** Why appends are refused right now; undefined while they are accepted. */
  private refusal: LogUnavailableError | undefined;
  private closing = false;
  private dirty = false;
  private syncDue = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private spaceTimer: NodeJS.Timeout | undefined;
  private spaceCheckMs = FIRST_SPACE_CHECK_MS;
  private fsyncs = 0;
  /** End of the last acknowledged batch: where a failed write is cut back to. */
  private acknowledgedEnd: number;
  private acknowledgedRecords = 0;
  /** End of the last batch written (acknowledged or not yet)... */
  private writtenEnd: number;
  /** ...and of the data the last successful fdatasync covered. */
  private syncedEnd: number;
  private readonly observer: TransactionLogObserver;

  constructor(
    private readonly handle: LogFileHandle,
    private readonly options: GroupCommitWriterOptions,
  ) {
    this.acknowledgedEnd = options.endOffset;
    this.writtenEnd = options.endOffset;
    this.syncedEnd = options.endOffset;
    this.observer = options.observer ?? noLogObserver;
  }

  /** Path of the file written. */
  get filename(): string {
    return this.options.filename;
  }

  /** fdatasync calls made so far. */
  get syncCount(): number {
    return this.fsyncs;
  }

  /** Size of the file up to the end of the last acknowledged batch: refused writes never count. */
  get acknowledgedBytes(): number {
    return this.acknowledgedEnd;
  }

  /**
   * Size of the file up to which its records are known to be fdatasynced: what a durable floor
   * may claim. Equals acknowledgedBytes with sync=always; may lag behind it with interval or never.
   */
  get durableBytes(): number {
    return this.syncedEnd;
  }

  /** Records this writer has acknowledged. */
  get recordsAcknowledged(): number {
    return this.acknowledgedRecords;
  }

  /**
   * Queues one encoded record; its callbacks are called right here once it is acknowledged
   * under the sync policy (or refused), with no extra promise between, so appends held during
   * a switch of files settle in order with the ones made after it.
   */
  enqueue(append: PendingAppend): void {
    if (this.refusal) {
      append.reject(this.refusal);
      return;
    }
    this.queue.push(append);
    this.kick();
  }

  /**
   * Waits for every queued append to settle, then makes all written data durable whatever the
   * policy. Throws only if that last fdatasync fails; earlier failures were already reported.
   */
  async flush(): Promise<void> {
    this.closing = true;
    while (this.draining) await this.drained;
    clearTimeout(this.syncTimer);
    clearTimeout(this.spaceTimer);
    if (this.options.health.get() === 'failed' || !this.dirty) return;
    try {
      await this.sync();
    } catch (error) {
      throw this.failFatally(`fdatasync failed (${describeError(error)})`, []);
    }
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    this.drained = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.refusal && (this.queue.length > 0 || this.syncDue)) {
        const syncRequested = this.syncDue;
        this.syncDue = false;
        const batch = this.takeBatch();
        this.observer.pendingWrites?.(this.queue.length + batch.length);
        try {
          if (batch.length > 0) await this.write(batch);
        } catch (error) {
          await this.writeFailed(error, batch);
          this.batchFailed(batch);
          return;
        }
        try {
          if (this.dirty && (this.policy === 'always' || syncRequested)) await this.sync();
        } catch (error) {
          await this.syncFailed(error, batch);
          this.batchFailed(batch);
          return;
        }
        this.acknowledgedEnd += batchBytes(batch);
        this.acknowledgedRecords += batch.length;
        this.spaceCheckMs = FIRST_SPACE_CHECK_MS;
        for (const append of batch) append.resolve();
        if (batch.length > 0) {
          this.observer.batchFinished?.(true);
          this.observer.sizeBytes?.(this.acknowledgedEnd);
        }
        this.observer.pendingWrites?.(this.queue.length);
        if (this.dirty && this.policy === 'interval') this.scheduleSync();
      }
    } finally {
      this.draining = false;
    }
  }

  private get policy(): SyncPolicy {
    return this.options.policy;
  }

  private takeBatch(): PendingAppend[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && count < MAX_BATCH_RECORDS) {
      bytes += this.queue[count].record.length;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async write(batch: PendingAppend[]): Promise<void> {
    let buffers = batch.map((append) => append.record);
    let remaining = batchBytes(batch);
    this.observer.batchStarted?.(batch.length, remaining);
    this.dirty = true;
    // A regular file may take fewer bytes than offered (a full disk, a signal); send the rest.
    for (;;) {
      const { bytesWritten } = await this.handle.writev(buffers);
      remaining -= bytesWritten;
      if (remaining === 0) {
        this.writtenEnd = this.acknowledgedEnd + batchBytes(batch);
        return;
      }
      if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
      buffers = dropFront(buffers, bytesWritten);
    }
  }

  private async sync(): Promise<void> {
    const covered = this.writtenEnd;
    this.fsyncs++;
    const began = performance.now();
    try {
      await this.handle.datasync();
    } catch (error) {
      this.observer.durabilityWaited?.((performance.now() - began) / 1000, false);
      throw error;
    }
    this.observer.durabilityWaited?.((performance.now() - began) / 1000, true);
    this.dirty = false;
    this.syncedEnd = Math.max(this.syncedEnd, covered);
  }

  /** Tells the observer a batch was refused; everything queued behind it was refused too. */
  private batchFailed(batch: readonly PendingAppend[]): void {
    if (batch.length > 0) this.observer.batchFinished?.(false);
    this.observer.pendingWrites?.(this.queue.length);
  }

  /** Cuts the batch's bytes off, durably, then answers it: out of space heals, anything else is final. */
  private async writeFailed(error: unknown, batch: PendingAppend[]): Promise<void> {
    const cause = `write failed (${describeError(error)})`;
    const cutProblem = await this.cutBack();
    if (cutProblem) {
      this.failFatally(`${cause}; ${cutProblem}`, batch);
    } else if (SPACE_ERRORS.has(errorCode(error) ?? '')) {
      this.outOfSpace(cause, batch);
    } else {
      this.failFatally(cause, batch);
    }
  }

  /** A failed fsync is final, but the batch is still cut off so that a restart does not replay it. */
  private async syncFailed(error: unknown, batch: PendingAppend[]): Promise<void> {
    const cutProblem = await this.cutBack();
    this.failFatally(`fdatasync failed (${describeError(error)})${cutProblem ? `; ${cutProblem}` : ''}`, batch);
  }

  /** Truncates the file to the end of the last acknowledged batch and makes that durable; says what went wrong, if anything. */
  private async cutBack(): Promise<string | undefined> {
    // Nothing past the cut may ever count as synced.
    this.writtenEnd = this.acknowledgedEnd;
    try {
      await this.handle.truncate(this.acknowledgedEnd);
      await this.handle.datasync();
      this.dirty = false;
      return undefined;
    } catch (error) {
      return `cutting the file back to byte ${this.acknowledgedEnd} failed too (${describeError(error)}); records of the failed batch may be replayed`;
    }
  }

  private outOfSpace(cause: string, batch: PendingAppend[]): void {
    const message = `file log: ${this.options.filename}: ${cause}; writes are refused until space is freed`;
    this.refuse(new LogUnavailableError(message), batch);
    if (this.options.health.set('unavailable')) {
      this.options.logger.error({ event: 'file_log_unavailable', cause }, message);
    }
    this.scheduleSpaceCheck(batchBytes(batch));
  }

  /** Closes the writer for good and logs the one fatal line; the composition root exits on the health change. */
  private failFatally(cause: string, batch: PendingAppend[]): LogUnavailableError {
    const failure = new LogUnavailableError(
      `file log: ${this.options.filename}: ${cause}; the log refuses all writes: fix the disk, then restart the service`,
      false,
    );
    this.refuse(failure, batch);
    clearTimeout(this.syncTimer);
    clearTimeout(this.spaceTimer);
    this.options.logger.fatal({ event: 'file_log_failed', cause }, failure.message);
    this.options.health.set('failed');
    return failure;
  }

  /** Rejects the batch and everything queued behind it, and every append until the refusal is lifted. */
  private refuse(refusal: LogUnavailableError, batch: PendingAppend[]): void {
    this.refusal = refusal;
    for (const append of [...batch, ...this.queue.splice(0)]) append.reject(refusal);
  }

  /**
   * Looks for room for the refused batch after a growing wait. Checking free space rather than
   * waiting for a write lets readiness recover while no traffic is sent to a not-ready instance.
   * A quota (EDQUOT) or file size limit (EFBIG) is invisible here; the next write then fails
   * again and the wait grows.
   */
  private scheduleSpaceCheck(neededBytes: number): void {
    if (this.closing) return;
    this.spaceTimer = setTimeout(() => {
      this.options.freeBytes().then(
        (free) => {
          if (this.closing || this.options.health.get() === 'failed') return;
          if (free >= neededBytes) this.spaceIsBack(free);
          else this.scheduleSpaceCheck(neededBytes);
        },
        () => this.scheduleSpaceCheck(neededBytes),
      );
    }, this.spaceCheckMs);
    this.spaceTimer.unref();
    this.spaceCheckMs = Math.min(this.spaceCheckMs * 2, MAX_SPACE_CHECK_MS);
  }

  private spaceIsBack(freeBytes: number): void {
    this.refusal = undefined;
    if (this.options.health.set('ok')) {
      this.options.logger.info(
        { event: 'file_log_recovered', freeBytes },
        `file log: ${this.options.filename}: space is available again (${freeBytes} bytes free); accepting writes`,
      );
    }
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.closing) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      this.kick();
    }, SYNC_INTERVAL_MS);
    this.syncTimer.unref();
  }
}

function batchBytes(batch: readonly PendingAppend[]): number {
  return batch.reduce((sum, append) => sum + append.record.length, 0);
}

function dropFront(buffers: Buffer[], bytes: number): Buffer[] {
  let index = 0;
  while (bytes >= buffers[index].length) bytes -= buffers[index++].length;
  return [buffers[index].subarray(bytes), ...buffers.slice(index + 1)];
}
