import { basename, dirname, resolve } from 'node:path';
import type {
  CompactionReport,
  LiveState,
  LogHealth,
  LogHealthListener,
  LogRecord,
  ReplayedRecord,
  TransactionLog,
} from '../../core';
import { KvsError, LogHealthState, LogUnavailableError, revisionNotAfter } from '../../core';
import {
  CompactionRunner,
  DEFAULT_COMPACTION_THRESHOLDS,
  type CompactionThresholds,
} from '../compaction/compaction-runner';
import { silentLogger, type Logger } from '../../platform/logging/logger';
import { noLogObserver, type TransactionLogObserver } from '../log-observer.port';
import { FileLogCompactor, type CompactionHost, type CompactionStep } from './compactor';
import { DEFAULT_FLOOR_EVERY_BYTES, DurableFloorRecorder, type FloorStep } from './durable-floor';
import { FileLogError } from './file-log.errors';
import { GroupCommitWriter, type PendingAppend, type SyncPolicy } from './group-commit-writer';
import { describeError } from '../../platform/error-text/error-text';
import { LogDirectory, type DurableLength } from './log-directory';
import { ensureDirectory, freeBytesOn, openLogFile, type LogFileHandle, type OpenLogFile } from './log-file-handle';
import { LogFilesReplay } from './log-files-replay';
import { PidLockFile } from './pid-lock-file';
import { encodeRecord, FILE_HEADER_BYTES, FORMAT_VERSION } from './record-format';

/** Where the log lives and when an append counts as durable. */
export interface FileLogOptions {
  /** Path of the log file; its directory is created if missing. */
  readonly filename: string;
  /** always (default): ack after fdatasync; interval: ack after write, fdatasync each second; never: ack after write. */
  readonly sync?: SyncPolicy;
  /** Told about batches, syncs and the log's size (metrics, traces); nobody by default. */
  readonly observer?: TransactionLogObserver;
  /** When the log compacts by itself (default: 64 MiB and twice the live data). */
  readonly compaction?: CompactionThresholds;
  /** Growth of the file taking appends between two durable floors while running (FORMAT.md); default 8 MiB. */
  readonly floorEveryBytes?: number;
}

/** Called after each step of a compaction or of a floor write: a seam for tests that crash exactly there. */
export type LogStepHook = (step: CompactionStep | FloorStep) => void | Promise<void>;

type LoggerState = 'new' | 'replaying' | 'ready' | 'closed';

/**
 * The transaction log as append-only files of checksummed binary records (FORMAT.md).
 * readEvents takes the lock file, removes what an unfinished compaction left, repairs a torn
 * tail and replays; appends are group-committed under the sync policy. A full disk makes the
 * log unavailable until space is freed; a failed fsync (or any other write error) makes it fail
 * for good (see GroupCommitWriter). Compaction (compactor.ts) runs online, one at a time.
 */
export class FileTransactionLog implements TransactionLog {
  /** Absolute path of the log file. */
  readonly filename: string;
  /** The sync policy in force. */
  readonly sync: SyncPolicy;
  private state: LoggerState = 'new';
  private handle: LogFileHandle | undefined;
  private writer: GroupCommitWriter | undefined;
  /** The revision of the last record the log holds durably (or replayed). */
  private durableRevision = 0;
  private closing: Promise<void> | undefined;
  private readonly lock: PidLockFile;
  private readonly observer: TransactionLogObserver;
  private readonly directory: LogDirectory;
  private readonly compactions: CompactionRunner;
  private readonly compactor: FileLogCompactor;
  private readonly floor: DurableFloorRecorder;
  private live: LiveState | undefined;
  /** Appends made while the append file is being switched, submitted in order once it is done. */
  private held: PendingAppend[] | undefined;
  /** Bytes of every file but the one taking appends (whose writer counts its own)... */
  private historyBytes = 0;
  /** ...and the records they hold, plus those the append file held at start-up. */
  private historyRecords = 0;
  /** Live data as the last compaction measured it (0 until one has run since start-up). */
  private liveBytes = 0;
  private readonly healthState = new LogHealthState();

  constructor(
    options: FileLogOptions,
    private readonly logger: Logger = silentLogger,
    /** Seam for tests that need a file operation to fail; production uses the real file. */
    private readonly openFile: OpenLogFile = openLogFile,
    /** Seam for tests that emulate a full disk: free bytes on the filesystem holding a directory. */
    private readonly freeBytes: (directory: string) => Promise<number> = freeBytesOn,
    /** Seam for tests that crash a compaction or a floor write at one step; production does nothing there. */
    afterStep: LogStepHook = () => undefined,
  ) {
    this.filename = resolve(options.filename);
    this.sync = options.sync ?? 'always';
    this.observer = options.observer ?? noLogObserver;
    this.lock = new PidLockFile(`${this.filename}.lock`, this.filename, (message) =>
      this.logger.warn({ event: 'file_log_stale_lock_taken' }, message),
    );
    const warn = (event: string, message: string): void => this.logger.warn({ event }, message);
    this.directory = new LogDirectory(this.filename, warn, () => this.durableFloor());
    this.compactor = new FileLogCompactor(this.directory, this.compactionHost(), afterStep);
    this.floor = new DurableFloorRecorder(
      this.directory,
      options.floorEveryBytes ?? DEFAULT_FLOOR_EVERY_BYTES,
      afterStep,
      warn,
    );
    this.compactions = new CompactionRunner(() => this.compactor.compact(), {
      log: 'file',
      thresholds: options.compaction ?? DEFAULT_COMPACTION_THRESHOLDS,
      logger: this.logger,
      observer: this.observer,
    });
  }

  /** fdatasync calls made on the log so far (shows group commit at work). */
  get syncCount(): number {
    return this.writer?.syncCount ?? 0;
  }

  async *readEvents(historyBytes?: number): AsyncGenerator<readonly ReplayedRecord[]> {
    if (this.state !== 'new')
      throw new Error(`file log: ${this.filename}: readEvents may be called only once, before appends`);
    this.state = 'replaying';
    let replayed = false;
    const replay = new LogFilesReplay(this.directory, this.openFile, (event, message, offset) =>
      this.logger.warn({ event, offset }, message),
    );
    try {
      await this.open();
      yield* replay.batches(historyBytes);
      if (this.state !== 'replaying') throw this.unavailable('closed during replay');
      this.handle = replay.appendHandle;
      this.durableRevision = replay.position.lastRevision;
      this.historyBytes = replay.historyBytes;
      this.historyRecords = replay.historyRecords + replay.appendFileRecords;
      this.liveBytes = replay.baseBytes;
      if (replay.appendFormat !== FORMAT_VERSION) await this.appendToNewFormat();
      const handle = this.openHandle();
      const { size } = await handle.stat();
      // Replay may have read records the page cache alone held (a kill -9 under TLOG_SYNC=never):
      // they must be on disk before the floor says so.
      await handle.datasync();
      this.observer.sizeBytes?.(this.historyBytes + size);
      this.writer = this.newWriter(handle, this.currentFile(), size);
      await this.floor.record();
      this.state = 'ready';
      replayed = true;
    } catch (error) {
      if (error instanceof FileLogError || error instanceof KvsError) throw error;
      throw this.unavailable(`cannot open (${describeError(error)})`);
    } finally {
      if (!replayed) {
        await replay.closeAll();
        await this.close();
      }
    }
  }

  append(logRecord: LogRecord): Promise<void> {
    const writer = this.writer;
    if (this.state !== 'ready' || !writer) {
      return Promise.reject(this.unavailable(this.state === 'closed' ? 'closed' : 'append before readEvents finished'));
    }
    const { revision } = logRecord;
    if (revision <= this.durableRevision) return Promise.reject(revisionNotAfter(revision, this.durableRevision));
    const record = encodeRecord(logRecord);
    const held = this.held;
    // One promise, settled by the writer itself (see releaseHeld).
    return new Promise((resolve, reject) => {
      const append: PendingAppend = {
        record,
        revision,
        resolve: () => {
          this.durableRevision = revision;
          resolve();
        },
        reject,
      };
      if (held) held.push(append);
      else writer.enqueue(append);
    });
  }

  attachLiveState(live: LiveState): void {
    this.live = live;
  }

  compact(): Promise<CompactionReport> {
    if (this.state !== 'ready') return Promise.reject(this.unavailable('not open'));
    return this.compactions.run('on-demand');
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
      // A running compaction notices the closed state between chunks and gives up.
      await this.compactions.stop();
      await this.writer?.flush();
      // Everything acknowledged is durable now: the next start refuses the file cut below it.
      if (this.writer) await this.floor.record();
    } finally {
      await this.handle?.close().catch(() => undefined);
      await this.lock.release();
    }
  }

  private async open(): Promise<void> {
    await ensureDirectory(this.directory.path);
    // Nothing of the log is read before the lock is held: another instance might be compacting it.
    await this.lock.acquire();
    await this.directory.load();
    await this.directory.quarantineLeftovers();
  }

  /**
   * Compaction step 4: appends made from now on are held (in order) until every append already
   * handed to the current file is written and durable, then go to `file`. So acknowledgements
   * stay in sequence order, and what a crash leaves is always a prefix of the sequence.
   */
  private async switchAppends(file: string): Promise<{ revision: number; previousBytes: number }> {
    const next = await this.openFile(file);
    const previous = { writer: this.writer, handle: this.handle };
    const held: PendingAppend[] = [];
    this.held = held;
    try {
      await previous.writer?.flush();
      if (!previous.writer || this.healthState.get() === 'failed') throw this.unavailable('the log has failed');
    } catch (error) {
      // The old writer refuses them, so the held appends fail as every append after a write error does.
      this.releaseHeld(held);
      await next.close();
      throw error;
    }
    // Every append to the old file has settled: the last durable one is where the snapshot stands.
    const revision = this.durableRevision;
    const previousBytes = previous.writer.acknowledgedBytes;
    this.historyBytes += previousBytes;
    this.historyRecords += previous.writer.recordsAcknowledged;
    this.writer = this.newWriter(next, file, FILE_HEADER_BYTES);
    this.handle = next;
    // A full disk is the retired writer's to watch, and it has stopped watching: the new writer
    // starts accepting, and its first write that finds no room makes the log unavailable again.
    if (this.healthState.get() === 'unavailable') this.healthState.set('ok');
    this.releaseHeld(held);
    this.reportSize();
    await previous.handle?.close().catch(() => undefined);
    return { revision, previousBytes };
  }

  /**
   * A log written by an earlier format gets a new incremental in the current one before any
   * append (steps 1 to 3 and the seal of a compaction at once), so no file mixes two formats.
   */
  private async appendToNewFormat(): Promise<void> {
    const { base, incrementals, sealed } = this.directory.manifest;
    const old = this.openHandle();
    const { size } = await old.stat();
    const incremental = await this.directory.createIncremental();
    await this.directory.replaceManifest({
      base,
      incrementals: [...incrementals, incremental],
      sealed: { ...sealed, [incrementals.at(-1)!]: size },
    });
    await old.close();
    this.handle = await this.openFile(this.directory.file(incremental));
    this.historyBytes += size;
    this.logger.info(
      { event: 'file_log_format_upgraded' },
      `file log: appends now go to ${this.directory.file(incremental)} in format ${FORMAT_VERSION}; older files are replayed as they are`,
    );
  }

  private newWriter(handle: LogFileHandle, filename: string, endOffset: number): GroupCommitWriter {
    return new GroupCommitWriter(handle, {
      filename,
      policy: this.sync,
      endOffset,
      health: this.healthState,
      logger: this.logger,
      freeBytes: () => this.freeBytes(dirname(this.filename)),
      // The writer knows its own file; the log's size counts the older files too.
      observer: {
        ...this.observer,
        sizeBytes: (end) => {
          this.historyGrew(this.historyBytes + end);
          this.floor.grew(this.durableFloor());
        },
      },
    });
  }

  /**
   * After each acknowledged batch: the log's size, and whether it has outgrown the compaction
   * thresholds. Only acknowledged records count: a refused write leaves nothing in the file.
   */
  private historyGrew(bytes: number): void {
    this.observer.sizeBytes?.(bytes);
    // Automatic compaction needs the store's live entries to snapshot.
    if (this.live) this.compactions.consider(bytes, this.liveBytes);
  }

  /** The file taking appends and how much of it is fdatasynced; none before appends start or once the log failed. */
  private durableFloor(): DurableLength | undefined {
    const writer = this.writer;
    if (!writer || this.healthState.get() === 'failed') return undefined;
    return { name: basename(writer.filename), bytes: writer.durableBytes };
  }

  /** Bytes of every file the manifest names, up to the last acknowledged record. */
  private totalBytes(): number {
    return this.historyBytes + (this.writer?.acknowledgedBytes ?? 0);
  }

  /** Tells the observer the size when it changes other than by an append (a compaction). */
  private reportSize(): void {
    this.observer.sizeBytes?.(this.totalBytes());
  }

  /**
   * Hands the held appends to the writer in order. Each keeps its own promise, settled by the
   * writer directly: chaining it to a new one would settle it a turn later than the appends made
   * after the switch, and the store would apply them out of sequence order.
   */
  private releaseHeld(held: PendingAppend[]): void {
    this.held = undefined;
    for (const append of held) {
      if (this.writer) this.writer.enqueue(append);
      else append.reject(this.unavailable('not open'));
    }
  }

  private compactionHost(): CompactionHost {
    return {
      live: () => this.live,
      historyBytes: () => this.totalBytes(),
      historyRecords: () => this.historyRecords + (this.writer?.recordsAcknowledged ?? 0),
      switchAppends: (file) => this.switchAppends(file),
      abandonReason: () => (this.state === 'closed' ? 'the log is closing' : undefined),
      committed: (base) => {
        this.historyBytes = base.bytes;
        this.historyRecords = base.records;
        this.liveBytes = base.bytes;
        this.reportSize();
      },
      // Automatic compaction waits until the history has outgrown this measure of the live data.
      skipped: () => (this.liveBytes = this.totalBytes()),
      warn: (event, message) => this.logger.warn({ event }, message),
    };
  }

  private currentFile(): string {
    const { incrementals } = this.directory.manifest;
    return this.directory.file(incrementals[incrementals.length - 1]);
  }

  private openHandle(): LogFileHandle {
    if (!this.handle) throw this.unavailable('not open');
    return this.handle;
  }

  private unavailable(reason: string): LogUnavailableError {
    return new LogUnavailableError(`file log: ${this.filename}: ${reason}`);
  }
}
