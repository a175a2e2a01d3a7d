import type { ReplayedRecord } from '../../core';
import { ChunkWindow, onlyZerosFrom } from './chunk-window';
import { LogCorruptError } from './file-log.errors';
import type { LogFileHandle } from './log-file-handle';
import {
  checkRecordHeader,
  decodeRecord,
  payloadChecksumMatches,
  recordChangeBytes,
  RECORD_HEADER_BYTES,
  type FormatVersion,
} from './record-format';

const EVENTS_PER_BATCH = 1024;

/** A final record a crash cut short: where it starts and what was wrong with it. */
export interface TornTail {
  readonly offset: number;
  readonly reason: string;
}

/**
 * How far the replay of a log's files has come: the last format 1 sequence number and the last
 * revision. Each file's scan starts from the previous file's and moves it on.
 */
export interface ReplayPosition {
  lastSequence: number;
  lastRevision: number;
}

/** Where a scan starts and what its records must be. */
export interface ReplayRange {
  /** File offset of the first record (just past the file's header). */
  readonly start: number;
  /** The file's format version. */
  readonly format: FormatVersion;
  /**
   * Set for a base file: a format 1 base's records all carry this sequence (the one the
   * snapshot stands at); a format 2 base's records carry each key's last revision, in key
   * order, not increasing ones.
   */
  readonly snapshotSequence?: number;
}

/**
 * What the watch history counts at least for the key writes of the records not yet replayed
 * (recordChangeBytes), over every file still to be read: each record replayed takes its own
 * off and carries the rest as ReplayedRecord.changeBytesAfter, while that exceeds the
 * history's budget (after that, no record would be skipped: the hint is left out).
 */
export interface FollowingChanges {
  bytes: number;
  readonly historyBytes: number;
}

/**
 * One forward scan of a log file's records (after its file header), applying the crash rules
 * in FORMAT.md: a torn final record ends the scan and is reported in `tornTail`; anything else
 * that is not an intact record with a valid revision (or sequence) throws LogCorruptError.
 * Format 1 records get revisions in order, one above the last. The record layout itself
 * belongs to record-format.ts; this class only walks the file.
 */
export class LogReplay {
  /** File offset just past the last intact record: where the next append belongs. */
  validEnd: number;
  /** Intact records seen. */
  records = 0;
  /** Set when the scan stopped at a torn final record. */
  tornTail: TornTail | undefined;

  constructor(
    private readonly handle: LogFileHandle,
    private readonly filename: string,
    private readonly size: number,
    private readonly range: ReplayRange,
    private readonly position: ReplayPosition,
    /** Set to give each record its ReplayedRecord.changeBytesAfter. */
    private readonly following?: FollowingChanges,
  ) {
    this.validEnd = range.start;
  }

  /**
   * Yields the intact records' events in file order, a batch at a time: one await per batch
   * rather than per event keeps replay of small records fast.
   */
  async *batches(): AsyncGenerator<ReplayedRecord[]> {
    const window = new ChunkWindow(this.handle, this.size);
    const size = this.size;
    const format = this.range.format;
    let position = this.range.start;
    let batch: ReplayedRecord[] = [];
    while (position < size) {
      if (batch.length >= EVENTS_PER_BATCH) {
        yield batch;
        batch = [];
      }
      if (size - position < RECORD_HEADER_BYTES) {
        this.tornTail = { offset: position, reason: 'incomplete record header' };
        break;
      }
      if (position + RECORD_HEADER_BYTES > window.end) await window.load(position, RECORD_HEADER_BYTES);
      let at = position - window.start;
      const header = checkRecordHeader(window.buffer, at);
      if (!header.ok) {
        if (header.checksum && (await onlyZerosFrom(this.handle, position + RECORD_HEADER_BYTES, size))) {
          this.tornTail = { offset: position, reason: 'bad record header followed only by zero bytes' };
          break;
        }
        throw this.corrupt(position, header.detail);
      }
      const { payloadBytes } = header;
      const recordEnd = position + RECORD_HEADER_BYTES + payloadBytes;
      if (recordEnd > size) {
        this.tornTail = {
          offset: position,
          reason: `record of ${payloadBytes} payload bytes extends past the end of the file`,
        };
        break;
      }
      if (recordEnd > window.end) {
        await window.load(position, recordEnd - position);
        at = 0;
      }
      if (!payloadChecksumMatches(window.buffer, at, payloadBytes)) {
        if (await onlyZerosFrom(this.handle, recordEnd, size)) {
          this.tornTail = { offset: position, reason: 'checksum mismatch in the final record' };
          break;
        }
        throw this.corrupt(position, 'checksum mismatch');
      }
      const record = this.decode(window.buffer, at, payloadBytes, position);
      const following = this.following;
      if (following !== undefined && following.bytes > following.historyBytes) {
        following.bytes = Math.max(0, following.bytes - recordChangeBytes(window.buffer, at, payloadBytes, format));
        (record as { changeBytesAfter?: number }).changeBytesAfter = following.bytes;
      }
      batch.push(record);
      position = recordEnd;
      this.validEnd = position;
      this.records++;
    }
    yield batch;
  }

  private decode(buffer: Buffer, at: number, payloadBytes: number, offset: number): ReplayedRecord {
    const decoded = decodeRecord(buffer, at, payloadBytes, this.range.format);
    if (typeof decoded === 'string') throw this.corrupt(offset, decoded);
    const position = this.position;
    const snapshot = this.range.snapshotSequence;
    if ('revision' in decoded) {
      const { revision } = decoded;
      if (!Number.isSafeInteger(revision) || revision < 1) throw this.corrupt(offset, `revision ${revision}`);
      if (snapshot !== undefined) {
        if (!isSnapshotRecord(decoded)) {
          throw this.corrupt(offset, 'a snapshot holds one put or one lease grant per record');
        }
        return { ...decoded, base: true };
      }
      if (revision <= position.lastRevision) {
        throw this.corrupt(offset, `revision ${revision} does not follow ${position.lastRevision}`);
      }
      position.lastRevision = revision;
      return decoded;
    }
    const { sequence } = decoded;
    if (snapshot !== undefined) {
      if (sequence !== snapshot) throw this.corrupt(offset, `sequence ${sequence} in a snapshot at ${snapshot}`);
      if (decoded.type !== 'put') throw this.corrupt(offset, 'a snapshot holds puts only');
    } else if (sequence <= position.lastSequence || !Number.isSafeInteger(sequence)) {
      throw this.corrupt(offset, `sequence ${sequence} does not follow ${position.lastSequence}`);
    }
    position.lastSequence = sequence;
    // Format 1 knew no revisions: each of its records gets the next one.
    const revision = ++position.lastRevision;
    const write =
      decoded.type === 'put'
        ? { type: 'put' as const, key: decoded.key, value: decoded.value }
        : { type: 'delete' as const, key: decoded.key };
    return snapshot === undefined ? { revision, writes: [write] } : { revision, writes: [write], base: true };
  }

  private corrupt(offset: number, detail: string): LogCorruptError {
    return new LogCorruptError(this.filename, offset, 'corrupt record', detail);
  }
}

/**
 * What the watch history counts at least for the key writes of a file's records
 * (recordChangeBytes) but its last, which may be a torn tail that replay drops. A look ahead
 * for FollowingChanges: it walks the record headers only, and stops at the first whose checksum
 * fails or that runs past the file; it does not check payloads, because replay refuses a file
 * with a bad one anywhere but at its end.
 */
export async function changeBytesOfRecords(
  handle: LogFileHandle,
  size: number,
  { start, format }: ReplayRange,
): Promise<number> {
  const window = new ChunkWindow(handle, size);
  let bytes = 0;
  let last = 0;
  for (let position = start; size - position >= RECORD_HEADER_BYTES;) {
    if (position + RECORD_HEADER_BYTES > window.end) await window.load(position, RECORD_HEADER_BYTES);
    let at = position - window.start;
    const header = checkRecordHeader(window.buffer, at);
    if (!header.ok) break;
    const recordEnd = position + RECORD_HEADER_BYTES + header.payloadBytes;
    if (recordEnd > size) break;
    if (recordEnd > window.end) {
      await window.load(position, recordEnd - position);
      at = 0;
    }
    bytes += last;
    last = recordChangeBytes(window.buffer, at, header.payloadBytes, format);
    position = recordEnd;
  }
  return bytes;
}

/** A base file's record: one live key's put, or one lease's grant. */
function isSnapshotRecord({ writes, leases = [] }: ReplayedRecord): boolean {
  if (leases.length === 0) return writes.length === 1 && writes[0].type === 'put';
  return writes.length === 0 && leases.length === 1 && leases[0].type === 'grant';
}
