import type { Event } from '../../core';
import { LogUnavailableError } from '../../core';
import { describeError } from '../error-text';
import { noLogObserver, type TransactionLogObserver } from '../log-observer';
import type { LogFileHandle } from './log-file-handle';

/** When an acknowledged append is also on the disk, not only in the OS page cache. */
export type SyncPolicy = 'always' | 'interval' | 'never';

/** A batch never exceeds this many bytes (unless one record alone is larger)... */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** ...nor this many records: Linux's IOV_MAX, the most buffers one writev takes. */
const MAX_BATCH_RECORDS = 1024;
/** With sync=interval, the longest a written record waits for its fdatasync. */
const SYNC_INTERVAL_MS = 1000;

interface PendingAppend {
  readonly record: Buffer;
  readonly event: Event;
  readonly resolve: (event: Event) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Appends records with group commit: while one batch is written (and, with sync=always,
 * fdatasynced), new appends queue; the next batch takes them all in one writev and one
 * fdatasync. Acknowledgements go out in submission order.
 *
 * Any write or sync error closes the writer for good. After a failed fsync the kernel may have
 * dropped the dirty pages, so nothing written since the last good sync can be trusted and a
 * retry could report success for lost data (PostgreSQL's "fsyncgate"); the safe course is to
 * reject everything and have the operator restart, which replays what the disk really holds.
 */
export class GroupCommitWriter {
  private readonly queue: PendingAppend[] = [];
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private failure: LogUnavailableError | undefined;
  private closing = false;
  private dirty = false;
  private syncDue = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private fsyncs = 0;

  constructor(
    private readonly handle: LogFileHandle,
    private readonly filename: string,
    private readonly policy: SyncPolicy,
    /** Told about each batch, sync and failure; the file's size starts at `sizeBytes`. */
    private readonly observer: TransactionLogObserver = noLogObserver,
    private sizeBytes = 0,
  ) {}

  /** fdatasync calls made so far. */
  get syncCount(): number {
    return this.fsyncs;
  }

  /** Queues one encoded record; resolves with its event once acknowledged under the sync policy. */
  submit(record: Buffer, event: Event): Promise<Event> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Event>((resolve, reject) => {
      this.queue.push({ record, event, resolve, reject });
      this.kick();
    });
  }

  /**
   * Waits for every queued append to settle, then makes all written data durable whatever the
   * policy. Throws only if that last fdatasync fails; earlier failures were already reported.
   */
  async flush(): Promise<void> {
    this.closing = true;
    while (this.draining) await this.drained;
    clearTimeout(this.syncTimer);
    if (this.failure || !this.dirty) return;
    try {
      await this.sync();
    } catch (error) {
      throw this.fail('fdatasync', error, []);
    }
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    this.drained = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.failure && (this.queue.length > 0 || this.syncDue)) {
        const syncRequested = this.syncDue;
        this.syncDue = false;
        const batch = this.takeBatch();
        this.observer.pendingWrites?.(this.queue.length + batch.length);
        let operation = 'write';
        try {
          if (batch.length > 0) await this.write(batch);
          operation = 'fdatasync';
          if (this.dirty && (this.policy === 'always' || syncRequested)) await this.sync();
        } catch (error) {
          this.fail(operation, error, batch);
          if (batch.length > 0) this.observer.batchFinished?.(false);
          return;
        }
        for (const append of batch) append.resolve(append.event);
        if (batch.length > 0) this.observer.batchFinished?.(true);
        this.observer.pendingWrites?.(this.queue.length);
        if (this.dirty && this.policy === 'interval') this.scheduleSync();
      }
    } finally {
      this.draining = false;
    }
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
    let remaining = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.observer.batchStarted?.(batch.length, remaining);
    this.dirty = true;
    // A regular file may take fewer bytes than offered (a full disk, a signal); send the rest.
    for (;;) {
      const { bytesWritten } = await this.handle.writev(buffers);
      remaining -= bytesWritten;
      this.sizeBytes += bytesWritten;
      this.observer.sizeBytes?.(this.sizeBytes);
      if (remaining === 0) return;
      if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
      buffers = dropFront(buffers, bytesWritten);
    }
  }

  private async sync(): Promise<void> {
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

  /** Closes the writer for good: rejects the batch and everything queued, and every later append. */
  private fail(operation: string, error: unknown, batch: PendingAppend[]): LogUnavailableError {
    this.failure ??= new LogUnavailableError(
      `file log: ${this.filename}: ${operation} failed (${describeError(error)}); ` +
        'the log refuses further writes: fix the disk, then restart the service',
    );
    for (const append of [...batch, ...this.queue.splice(0)]) append.reject(this.failure);
    clearTimeout(this.syncTimer);
    this.observer.stateChanged?.('failed');
    this.observer.pendingWrites?.(0);
    return this.failure;
  }
}

function dropFront(buffers: Buffer[], bytes: number): Buffer[] {
  let index = 0;
  while (bytes >= buffers[index].length) bytes -= buffers[index++].length;
  return [buffers[index].subarray(bytes), ...buffers.slice(index + 1)];
}
