import type { Event } from '../../core';
import { ChunkWindow, onlyZerosFrom } from './chunk-window';
import { crc32Range } from './crc32-range';
import { LogCorruptError } from './file-log.errors';
import type { LogFileHandle } from './log-file-handle';
import {
  FILE_HEADER_BYTES,
  PAYLOAD_FIXED_BYTES,
  RECORD_HEADER_BYTES,
  RECORD_TYPE,
  readSequence,
} from './record-format';

const EVENTS_PER_BATCH = 1024;

/** A final record a crash cut short: where it starts and what was wrong with it. */
export interface TornTail {
  readonly offset: number;
  readonly reason: string;
}

/**
 * One forward scan of a log file's records (after its file header), applying the crash rules
 * in FORMAT.md: a torn final record ends the scan and is reported in `tornTail`; anything else
 * that is not an intact record with a higher sequence number throws LogCorruptError.
 */
export class LogReplay {
  /** Sequence number of the last intact record (0 when there is none). */
  lastSequence = 0;
  /** File offset just past the last intact record: where the next append belongs. */
  validEnd = FILE_HEADER_BYTES;
  /** Set when the scan stopped at a torn final record. */
  tornTail: TornTail | undefined;

  constructor(
    private readonly handle: LogFileHandle,
    private readonly filename: string,
    private readonly size: number,
  ) {}

  /**
   * Yields the intact records' events in file order, a batch at a time: one await per batch
   * rather than per event keeps replay of small records fast.
   */
  async *batches(): AsyncGenerator<Event[]> {
    const window = new ChunkWindow(this.handle, this.size);
    const size = this.size;
    let position = FILE_HEADER_BYTES;
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
      let buffer = window.buffer;
      if (crc32Range(buffer, at, at + 8) !== buffer.readUInt32LE(at + 8)) {
        if (await onlyZerosFrom(this.handle, position + RECORD_HEADER_BYTES, size)) {
          this.tornTail = { offset: position, reason: 'bad record header followed only by zero bytes' };
          break;
        }
        throw this.corrupt(position, 'record header checksum mismatch');
      }
      const payloadBytes = buffer.readUInt32LE(at);
      if (payloadBytes < PAYLOAD_FIXED_BYTES)
        throw this.corrupt(position, `payload length ${payloadBytes} is too short`);
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
        buffer = window.buffer;
      }
      const payload = at + RECORD_HEADER_BYTES;
      if (crc32Range(buffer, payload, payload + payloadBytes) !== buffer.readUInt32LE(at + 4)) {
        if (await onlyZerosFrom(this.handle, recordEnd, size)) {
          this.tornTail = { offset: position, reason: 'checksum mismatch in the final record' };
          break;
        }
        throw this.corrupt(position, 'checksum mismatch');
      }
      batch.push(this.decode(buffer, payload, payloadBytes, position));
      position = recordEnd;
      this.validEnd = position;
    }
    yield batch;
  }

  private decode(buffer: Buffer, payload: number, payloadBytes: number, position: number): Event {
    const sequence = readSequence(buffer, payload + 1);
    if (sequence <= this.lastSequence || !Number.isSafeInteger(sequence)) {
      throw this.corrupt(position, `sequence ${sequence} does not follow ${this.lastSequence}`);
    }
    this.lastSequence = sequence;
    const keyBytes = buffer.readUInt32LE(payload + 9);
    const keyStart = payload + PAYLOAD_FIXED_BYTES;
    const keyEnd = keyStart + keyBytes;
    const payloadEnd = payload + payloadBytes;
    if (keyBytes > payloadBytes - PAYLOAD_FIXED_BYTES)
      throw this.corrupt(position, `key length ${keyBytes} exceeds the record`);
    const key = buffer.toString('utf8', keyStart, keyEnd);
    switch (buffer[payload]) {
      case RECORD_TYPE.put:
        return { type: 'put', key, value: buffer.toString('utf8', keyEnd, payloadEnd), sequence };
      case RECORD_TYPE.delete:
        if (keyEnd !== payloadEnd) throw this.corrupt(position, 'delete record carries a value');
        return { type: 'delete', key, sequence };
      default:
        throw this.corrupt(position, `unknown record type ${buffer[payload]}`);
    }
  }

  private corrupt(offset: number, detail: string): LogCorruptError {
    return new LogCorruptError(this.filename, offset, 'corrupt record', detail);
  }
}
