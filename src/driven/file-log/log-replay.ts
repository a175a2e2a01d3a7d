import type { Event } from '../../core';
import { ChunkWindow, onlyZerosFrom } from './chunk-window';
import { LogCorruptError } from './file-log.errors';
import type { LogFileHandle } from './log-file-handle';
import { checkRecordHeader, decodeRecord, payloadChecksumMatches, RECORD_HEADER_BYTES } from './record-format';

const EVENTS_PER_BATCH = 1024;

/** A final record a crash cut short: where it starts and what was wrong with it. */
export interface TornTail {
  readonly offset: number;
  readonly reason: string;
}

/** Where a scan starts and which sequence numbers its records must carry. */
export interface ReplayRange {
  /** File offset of the first record (just past the file's header). */
  readonly start: number;
  /** Sequence number the first record must exceed (the previous file's last; 0 for none). */
  readonly after: number;
  /**
   * Set for a base file: every record carries exactly this sequence (the one the snapshot
   * stands at) instead of strictly increasing ones.
   */
  readonly snapshotSequence?: number;
}

/**
 * One forward scan of a log file's records (after its file header), applying the crash rules
 * in FORMAT.md: a torn final record ends the scan and is reported in `tornTail`; anything else
 * that is not an intact record with a valid sequence number throws LogCorruptError. The record
 * layout itself belongs to record-format.ts; this class only walks the file.
 */
export class LogReplay {
  /** Sequence number of the last intact record (`range.after` when there is none). */
  lastSequence: number;
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
  ) {
    this.lastSequence = range.after;
    this.validEnd = range.start;
  }

  /**
   * Yields the intact records' events in file order, a batch at a time: one await per batch
   * rather than per event keeps replay of small records fast.
   */
  async *batches(): AsyncGenerator<Event[]> {
    const window = new ChunkWindow(this.handle, this.size);
    const size = this.size;
    let position = this.range.start;
    let batch: Event[] = [];
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
      batch.push(this.decode(window.buffer, at, payloadBytes, position));
      position = recordEnd;
      this.validEnd = position;
      this.records++;
    }
    yield batch;
  }

  private decode(buffer: Buffer, at: number, payloadBytes: number, position: number): Event {
    const event = decodeRecord(buffer, at, payloadBytes);
    if (typeof event === 'string') throw this.corrupt(position, event);
    const { sequence } = event;
    const expected = this.range.snapshotSequence;
    if (expected !== undefined) {
      if (sequence !== expected) throw this.corrupt(position, `sequence ${sequence} in a snapshot at ${expected}`);
      if (event.type !== 'put') throw this.corrupt(position, 'a snapshot holds puts only');
    } else if (sequence <= this.lastSequence || !Number.isSafeInteger(sequence)) {
      throw this.corrupt(position, `sequence ${sequence} does not follow ${this.lastSequence}`);
    }
    this.lastSequence = sequence;
    return event;
  }

  private corrupt(offset: number, detail: string): LogCorruptError {
    return new LogCorruptError(this.filename, offset, 'corrupt record', detail);
  }
}
