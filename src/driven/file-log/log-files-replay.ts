import { open } from 'node:fs/promises';
import type { ReplayedRecord } from '../../core';
import { LogCorruptError } from './file-log.errors';
import type { LogDirectory } from './log-directory';
import type { LogFileHandle, OpenLogFile } from './log-file-handle';
import { prepareFileHeader } from './log-file-header';
import { changeBytesOfRecords, LogReplay, type FollowingChanges, type ReplayPosition } from './log-replay';
import {
  BASE_HEADER_BYTES,
  checkBaseHeader,
  checkFileHeader,
  FILE_HEADER_BYTES,
  type FormatVersion,
} from './record-format';

/** A torn final record found in an incremental, to be truncated away once replay is over. */
interface PendingTruncation {
  readonly handle: LogFileHandle;
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
}

/** What the manifest records about an incremental's length (FORMAT.md, "Replay", rule 3). */
interface KnownLength {
  /** Its final length, once the next file took the appends. */
  readonly sealed: number | undefined;
  /** The length up to which it was known to hold fdatasynced records. */
  readonly floor: number | undefined;
}

/**
 * The look ahead of FollowingChanges over the incrementals, read before replay (from the page
 * cache, mostly, as replay reads them next). A file it cannot read or whose header is not
 * valid counts nothing: replay then reports it, or finds it empty.
 */
async function changeBytesOfFiles(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle === undefined) continue;
    try {
      const { size } = await handle.stat();
      if (size < FILE_HEADER_BYTES) continue;
      const header = Buffer.alloc(FILE_HEADER_BYTES);
      await handle.read(header, 0, FILE_HEADER_BYTES, 0);
      const format = checkFileHeader(header);
      if (typeof format === 'number')
        bytes += await changeBytesOfRecords(handle, size, { start: FILE_HEADER_BYTES, format });
    } catch {
      // Counting less only makes replay build changes it could have skipped.
    } finally {
      await handle.close();
    }
  }
  return bytes;
}

/** How a refusal names a durable floor. */
function durableAt(floor: number): string {
  return `the ${floor} bytes the manifest recorded as durable`;
}

/**
 * Replays the files a manifest names (FORMAT.md, "Replay"): the base, then each incremental,
 * each record's revision above the previous one. A torn tail is allowed in the last
 * incremental, and in an earlier one only while no later one holds a record; they are
 * truncated before any append. Afterwards the last incremental stays open for appending.
 */
export class LogFilesReplay {
  /** How far replay has come; `lastRevision` is the log's revision once it is over. */
  readonly position: ReplayPosition = { lastSequence: 0, lastRevision: 0 };
  /** Format version of the file taking appends. */
  appendFormat: FormatVersion | undefined;
  /** Bytes of the base file (0 when none): the live data as the last compaction measured it. */
  baseBytes = 0;
  /** Bytes of every file but the one taking appends. */
  historyBytes = 0;
  /** Records in every file but the one taking appends... */
  historyRecords = 0;
  /** ...and in that one. */
  appendFileRecords = 0;
  /** The open file taking appends, once replay is over. */
  appendHandle: LogFileHandle | undefined;
  private readonly torn: PendingTruncation[] = [];

  constructor(
    private readonly directory: LogDirectory,
    private readonly openFile: OpenLogFile,
    private readonly warn: (event: string, message: string, offset?: number) => void,
  ) {}

  /**
   * Yields every event of the log in order, in batches; with `historyBytes`, each incremental
   * record while the changes after it exceed that carries ReplayedRecord.changeBytesAfter.
   */
  async *batches(historyBytes?: number): AsyncGenerator<ReplayedRecord[]> {
    const { base, incrementals, sealed, floors } = this.directory.manifest;
    const files = incrementals.map((name) => this.directory.file(name));
    // Base records are never told to the watch history as changes: they need no look ahead.
    const following: FollowingChanges | undefined =
      historyBytes === undefined ? undefined : { bytes: await changeBytesOfFiles(files), historyBytes };
    if (base !== undefined) yield* this.replayBase(this.directory.file(base));
    for (const [index, name] of incrementals.entries()) {
      const last = index === incrementals.length - 1;
      const known = { sealed: sealed?.[name], floor: floors?.[name] };
      yield* this.replayIncremental(files[index], last, known, following);
    }
    await this.truncateTornTails();
  }

  private async *replayBase(file: string): AsyncGenerator<ReplayedRecord[]> {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const headerBytes = Buffer.alloc(BASE_HEADER_BYTES);
      const { bytesRead } = await handle.read(headerBytes, 0, BASE_HEADER_BYTES, 0);
      if (bytesRead < BASE_HEADER_BYTES) throw new LogCorruptError(file, 0, 'corrupt base file', 'header cut short');
      const header = checkBaseHeader(headerBytes);
      if ('problem' in header) throw new LogCorruptError(file, 0, header.problem, header.detail);
      const replay = new LogReplay(
        handle,
        file,
        size,
        { start: BASE_HEADER_BYTES, format: header.version, snapshotSequence: header.sequence },
        this.position,
      );
      yield* replay.batches();
      // A base is complete by construction: nothing in it is ever a torn tail to repair.
      if (replay.tornTail) {
        throw new LogCorruptError(file, replay.tornTail.offset, 'corrupt base file', replay.tornTail.reason);
      }
      if (replay.records !== header.records) {
        throw new LogCorruptError(
          file,
          replay.validEnd,
          'corrupt base file',
          `${replay.records} records where the header announces ${header.records}`,
        );
      }
      if (header.version === 1) {
        this.position.lastSequence = header.sequence;
      } else {
        // Format 2: the revision the snapshot stands at, which no record may carry (its last write may have been a delete).
        this.position.lastRevision = Math.max(this.position.lastRevision, header.sequence);
        yield [{ revision: header.sequence, writes: [], base: true }];
      }
      this.baseBytes = size;
      this.historyBytes += size;
      this.historyRecords += replay.records;
    } finally {
      await handle.close();
    }
  }

  private async *replayIncremental(
    file: string,
    last: boolean,
    known: KnownLength,
    following: FollowingChanges | undefined,
  ): AsyncGenerator<ReplayedRecord[]> {
    const { sealed, floor } = known;
    const handle = await this.openFile(file);
    let keepOpen = false;
    try {
      const { size } = await handle.stat();
      this.checkLength(file, size, known);
      const format = await prepareFileHeader(handle, file, size, (message) =>
        this.warn('file_log_torn_header_dropped', message),
      );
      const replay = new LogReplay(
        handle,
        file,
        Math.max(size, FILE_HEADER_BYTES),
        { start: FILE_HEADER_BYTES, format },
        this.position,
        following,
      );
      yield* replay.batches();
      if (sealed !== undefined && replay.tornTail) {
        const { offset, reason } = replay.tornTail;
        throw new LogCorruptError(file, offset, 'corrupt record', `${reason}, in a file sealed at ${sealed} bytes`);
      }
      if (floor !== undefined && replay.tornTail && replay.tornTail.offset < floor) {
        // A crash tears only what was not yet durable: records below the floor were.
        const { offset, reason } = replay.tornTail;
        throw new LogCorruptError(file, offset, 'corrupt record', `${reason}, below ${durableAt(floor)}`);
      }
      const earlier = this.torn.find((torn) => torn.handle !== handle);
      if (earlier && replay.records > 0) {
        // Appends to a newer file start only once the older one is durable, so this is not a crash's doing.
        throw new LogCorruptError(
          earlier.file,
          earlier.offset,
          'corrupt record',
          `${earlier.reason}, yet a later file holds records`,
        );
      }
      if (replay.tornTail) this.torn.push({ handle, file, ...replay.tornTail });
      if (last) {
        this.appendHandle = handle;
        this.appendFormat = format;
        this.appendFileRecords = replay.records;
      } else {
        this.historyBytes += replay.tornTail ? replay.tornTail.offset : size;
        this.historyRecords += replay.records;
      }
      keepOpen = last || replay.tornTail !== undefined;
    } finally {
      if (!keepOpen) await handle.close();
    }
  }

  /**
   * A file a manifest names was created with its full header, fdatasynced, before the manifest
   * named it, so a shorter one was emptied after the fact; a sealed file has exactly the length
   * the manifest recorded, and any other at least its durable floor. (Without a manifest, a
   * short original file is a new log: see prepareFileHeader.)
   */
  private checkLength(file: string, size: number, { sealed, floor }: KnownLength): void {
    if (this.directory.hasManifest && size < FILE_HEADER_BYTES) {
      throw new LogCorruptError(
        file,
        size,
        'file cut short',
        `${size} bytes, yet the manifest names it, which it does only once its ${FILE_HEADER_BYTES}-byte header is durable`,
      );
    }
    if (sealed !== undefined && size !== sealed) {
      throw new LogCorruptError(
        file,
        Math.min(size, sealed),
        size < sealed ? 'file cut short' : 'bytes past the end of a sealed file',
        `${size} bytes where the manifest recorded ${sealed} when the next file took over`,
      );
    }
    if (floor !== undefined && size < floor) {
      throw new LogCorruptError(file, size, 'file cut short', `${size} bytes, below ${durableAt(floor)}`);
    }
  }

  /** Closes every file this replay holds open (after a failed replay). */
  async closeAll(): Promise<void> {
    const handles = new Set([...this.torn.map((torn) => torn.handle), this.appendHandle]);
    this.appendHandle = undefined;
    for (const handle of handles) await handle?.close().catch(() => undefined);
  }

  /** A torn final record must go before anything is appended, or it would become mid-file corruption. */
  private async truncateTornTails(): Promise<void> {
    for (const { handle, file, offset, reason } of this.torn.splice(0)) {
      this.warn(
        'file_log_torn_tail_dropped',
        `file log: ${file}: dropping torn final record at byte ${offset} (${reason}); truncating the file to ${offset} bytes`,
        offset,
      );
      await handle.truncate(offset);
      await handle.datasync();
      if (handle !== this.appendHandle) await handle.close();
    }
  }
}
