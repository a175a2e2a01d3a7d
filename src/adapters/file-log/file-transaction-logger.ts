import { dirname, resolve } from 'node:path';
import type { Event, LogHealth, LogHealthListener, Mutation, TransactionLogger } from '../../core';
import { KvsError, LogHealthState, LogUnavailableError } from '../../core';
import { silentLogger, type Logger } from '../logger';
import { noLogObserver, type TransactionLogObserver } from '../log-observer';
import { FileLogError } from './file-log.errors';
import { GroupCommitWriter, type SyncPolicy } from './group-commit-writer';
import { describeError } from '../error-text';
import { ensureDirectory, freeBytesOn, openLogFile, type LogFileHandle, type OpenLogFile } from './log-file-handle';
import { prepareFileHeader } from './log-file-header';
import { LogReplay } from './log-replay';
import { PidLockFile } from './pid-lock-file';
import { encodeRecord, FILE_HEADER_BYTES } from './record-format';

/** Where the log lives and when an append counts as durable. */
export interface FileLogOptions {
  /** Path of the log file; its directory is created if missing. */
  readonly filename: string;
  /** always (default): ack after fdatasync; interval: ack after write, fdatasync each second; never: ack after write. */
  readonly sync?: SyncPolicy;
  /** Told about batches, syncs, the file's size and failure (metrics, traces); nobody by default. */
  readonly observer?: TransactionLogObserver;
}

type LoggerState = 'new' | 'replaying' | 'ready' | 'closed';

/**
 * The transaction log as an append-only file of checksummed binary records (FORMAT.md).
 * readEvents takes the lock file, repairs a torn tail and replays; appends are group-committed
 * under the sync policy. A full disk makes the log unavailable until space is freed; a failed
 * fsync (or any other write error) makes it fail for good (see GroupCommitWriter).
 */
export class FileTransactionLogger implements TransactionLogger {
  /** Absolute path of the log file. */
  readonly filename: string;
  /** The sync policy in force. */
  readonly sync: SyncPolicy;
  private state: LoggerState = 'new';
  private handle: LogFileHandle | undefined;
  private writer: GroupCommitWriter | undefined;
  private lastSequence = 0;
  private closing: Promise<void> | undefined;
  private readonly lock: PidLockFile;
  private readonly observer: TransactionLogObserver;
  private readonly healthState = new LogHealthState();

  constructor(
    options: FileLogOptions,
    private readonly logger: Logger = silentLogger,
    /** Seam for tests that need a file operation to fail; production uses the real file. */
    private readonly openFile: OpenLogFile = openLogFile,
    /** Seam for tests that emulate a full disk: free bytes on the filesystem holding a directory. */
    private readonly freeBytes: (directory: string) => Promise<number> = freeBytesOn,
  ) {
    this.filename = resolve(options.filename);
    this.sync = options.sync ?? 'always';
    this.observer = options.observer ?? noLogObserver;
    this.lock = new PidLockFile(`${this.filename}.lock`, this.filename, (message) =>
      this.logger.warn({ event: 'file_log_stale_lock_taken' }, message),
    );
  }

  /** fdatasync calls made on the log so far (shows group commit at work). */
  get syncCount(): number {
    return this.writer?.syncCount ?? 0;
  }

  async *readEvents(): AsyncGenerator<readonly Event[]> {
    if (this.state !== 'new')
      throw new Error(`file log: ${this.filename}: readEvents may be called only once, before appends`);
    this.state = 'replaying';
    let replayed = false;
    try {
      const replay = await this.open();
      yield* replay.batches();
      if (this.state !== 'replaying') throw this.unavailable('closed during replay');
      await this.dropTornTail(replay);
      this.lastSequence = replay.lastSequence;
      const { size } = await this.openHandle().stat();
      this.observer.sizeBytes?.(size);
      this.writer = new GroupCommitWriter(this.openHandle(), {
        filename: this.filename,
        policy: this.sync,
        endOffset: size,
        health: this.healthState,
        logger: this.logger,
        freeBytes: () => this.freeBytes(dirname(this.filename)),
        observer: this.observer,
      });
      this.state = 'ready';
      replayed = true;
    } finally {
      if (!replayed) await this.close();
    }
  }

  append(mutation: Mutation): Promise<Event> {
    if (this.state !== 'ready' || !this.writer) {
      return Promise.reject(this.unavailable(this.state === 'closed' ? 'closed' : 'append before readEvents finished'));
    }
    const event: Event = { ...mutation, sequence: ++this.lastSequence };
    return this.writer.submit(encodeRecord(event), event);
  }

  health(): LogHealth {
    return this.healthState.get();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.healthState.onChange(listener);
  }

  close(): Promise<void> {
    this.state = 'closed';
    this.closing ??= this.flushAndRelease();
    return this.closing;
  }

  private async flushAndRelease(): Promise<void> {
    try {
      await this.writer?.flush();
    } finally {
      await this.handle?.close().catch(() => undefined);
      await this.lock.release();
    }
  }

  private async open(): Promise<LogReplay> {
    try {
      await ensureDirectory(dirname(this.filename));
      await this.lock.acquire();
      this.handle = await this.openFile(this.filename);
      const { size } = await this.handle.stat();
      await prepareFileHeader(this.handle, this.filename, size, (message) =>
        this.logger.warn({ event: 'file_log_torn_header_dropped' }, message),
      );
      // An empty or torn header has just been replaced by a fresh one.
      return new LogReplay(this.handle, this.filename, Math.max(size, FILE_HEADER_BYTES));
    } catch (error) {
      if (error instanceof FileLogError || error instanceof KvsError) throw error;
      throw this.unavailable(`cannot open (${describeError(error)})`);
    }
  }

  /** A torn final record must go before anything is appended, or it would become mid-file corruption. */
  private async dropTornTail(replay: LogReplay): Promise<void> {
    if (!replay.tornTail) return;
    const { offset, reason } = replay.tornTail;
    this.logger.warn(
      { event: 'file_log_torn_tail_dropped', offset },
      `file log: ${this.filename}: dropping torn final record at byte ${offset} (${reason}); truncating the file to ${offset} bytes`,
    );
    try {
      await this.openHandle().truncate(offset);
      await this.openHandle().datasync();
    } catch (error) {
      throw this.unavailable(`cannot truncate the torn final record (${describeError(error)})`);
    }
  }

  private openHandle(): LogFileHandle {
    if (!this.handle) throw this.unavailable('not open');
    return this.handle;
  }

  private unavailable(reason: string): LogUnavailableError {
    return new LogUnavailableError(`file log: ${this.filename}: ${reason}`);
  }
}
