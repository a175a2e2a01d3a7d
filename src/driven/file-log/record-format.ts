import { crc32 } from 'node:zlib';
import type { Event } from '../../core';
import { crc32Range } from './crc32-range';

// The on-disk layout is described in FORMAT.md beside this file; keep the two in step.

/** First bytes of every log file: identifies the format before anything else is trusted. */
export const FILE_MAGIC = Buffer.from('KVSTLOG\n', 'latin1');
/** The format version this code writes and reads. */
export const FORMAT_VERSION = 1;
/** Magic (8) + version (u32) + CRC-32 of those 12 bytes (u32). */
export const FILE_HEADER_BYTES = 16;
/** payloadLength (u32) + payloadCrc (u32) + headerCrc (u32) over the first 8 bytes. */
export const RECORD_HEADER_BYTES = 12;
/** type (u8) + sequence (u64) + keyLength (u32); key and value bytes follow. */
export const PAYLOAD_FIXED_BYTES = 13;

/** Record type byte: a put carries a value, a delete carries none. */
export const RECORD_TYPE = { put: 1, delete: 2 } as const;

const TWO_TO_32 = 0x1_0000_0000;

/** The file header a new log starts with. */
export function encodeFileHeader(): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  return header;
}

/** What is wrong with a file's first 16 bytes, if anything. */
export interface FileHeaderProblem {
  readonly problem: string;
  readonly detail: string;
}

/** Checks a complete file header; undefined when it is a header this build can read. */
export function checkFileHeader(header: Buffer): FileHeaderProblem | undefined {
  if (!header.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
    return { problem: 'not a kvs transaction log', detail: 'bad magic' };
  }
  if (header.readUInt32LE(12) !== crc32(header.subarray(0, 12))) {
    return { problem: 'corrupt file header', detail: 'checksum mismatch' };
  }
  const version = header.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    return {
      problem: 'unsupported log format',
      detail: `version ${version}; this build reads version ${FORMAT_VERSION}`,
    };
  }
  return undefined;
}

/** First bytes of a base file (a compaction's snapshot): tells it from an incremental log file. */
export const BASE_MAGIC = Buffer.from('KVSBASE\n', 'latin1');
/** Magic (8) + version (u32) + sequence (u64) + record count (u64) + CRC-32 of the first 28 bytes (u32). */
export const BASE_HEADER_BYTES = 32;

/** What a base file's header says: the sequence its snapshot stands at and how many records follow. */
export interface BaseHeader {
  readonly sequence: number;
  readonly records: number;
}

/** The header of a base file holding `records` put records, all at `sequence`. */
export function encodeBaseHeader({ sequence, records }: BaseHeader): Buffer {
  const header = Buffer.alloc(BASE_HEADER_BYTES);
  BASE_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  writeU64(header, 12, sequence);
  writeU64(header, 20, records);
  header.writeUInt32LE(crc32(header.subarray(0, 28)), 28);
  return header;
}

/** Decodes a complete base file header, or says what is wrong with it. */
export function checkBaseHeader(header: Buffer): BaseHeader | FileHeaderProblem {
  if (!header.subarray(0, BASE_MAGIC.length).equals(BASE_MAGIC)) {
    return { problem: 'not a kvs base file', detail: 'bad magic' };
  }
  if (header.readUInt32LE(28) !== crc32(header.subarray(0, 28))) {
    return { problem: 'corrupt base file header', detail: 'checksum mismatch' };
  }
  const version = header.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    return {
      problem: 'unsupported base file format',
      detail: `version ${version}; this build reads ${FORMAT_VERSION}`,
    };
  }
  const sequence = readU64(header, 12);
  const records = readU64(header, 20);
  if (!Number.isSafeInteger(sequence) || !Number.isSafeInteger(records)) {
    return { problem: 'corrupt base file header', detail: 'sequence or record count beyond 2^53' };
  }
  return { sequence, records };
}

function writeU64(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value % TWO_TO_32, offset);
  buffer.writeUInt32LE(Math.floor(value / TWO_TO_32), offset + 4);
}

function readU64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * TWO_TO_32;
}

/**
 * Encodes one event as a complete record in a single buffer (the only allocation an append
 * makes). The core has already refused strings UTF-8 cannot hold (lone surrogates).
 */
export function encodeRecord(event: Event): Buffer {
  const value = event.type === 'put' ? event.value : '';
  const keyBytes = Buffer.byteLength(event.key, 'utf8');
  const payloadBytes = PAYLOAD_FIXED_BYTES + keyBytes + Buffer.byteLength(value, 'utf8');
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadBytes);
  const p = RECORD_HEADER_BYTES;
  record[p] = RECORD_TYPE[event.type];
  writeU64(record, p + 1, event.sequence);
  record.writeUInt32LE(keyBytes, p + 9);
  const keyStart = p + PAYLOAD_FIXED_BYTES;
  record.write(event.key, keyStart, 'utf8');
  record.write(value, keyStart + keyBytes, 'utf8');
  record.writeUInt32LE(payloadBytes, 0);
  record.writeUInt32LE(crc32(record.subarray(p)), 4);
  record.writeUInt32LE(crc32(record.subarray(0, 8)), 8);
  return record;
}

/** Outcome of checking a record header: its payload length, or why it cannot be trusted. */
export type RecordHeaderCheck =
  | { readonly ok: true; readonly payloadBytes: number }
  | { readonly ok: false; readonly checksum: boolean; readonly detail: string };

/**
 * Checks the 12-byte record header at `at`: its own checksum first (so the length can be
 * trusted), then that the length holds at least a payload's fixed part. `checksum` tells a
 * checksum mismatch (which may be a torn tail) from an impossible length (always corruption).
 */
export function checkRecordHeader(buffer: Buffer, at: number): RecordHeaderCheck {
  if (crc32Range(buffer, at, at + 8) !== buffer.readUInt32LE(at + 8)) {
    return { ok: false, checksum: true, detail: 'record header checksum mismatch' };
  }
  const payloadBytes = buffer.readUInt32LE(at);
  if (payloadBytes < PAYLOAD_FIXED_BYTES) {
    return { ok: false, checksum: false, detail: `payload length ${payloadBytes} is too short` };
  }
  return { ok: true, payloadBytes };
}

/** True when the payload of the record at `at` (whose header was checked) matches its checksum. */
export function payloadChecksumMatches(buffer: Buffer, at: number, payloadBytes: number): boolean {
  const payload = at + RECORD_HEADER_BYTES;
  return crc32Range(buffer, payload, payload + payloadBytes) === buffer.readUInt32LE(at + 4);
}

/**
 * Decodes the checksummed payload of the record at `at` into its event, or returns what makes
 * its content impossible (the caller turns that into LogCorruptError with the record's offset).
 * The sequence may exceed 2^53 on a bad log; the caller checks it against its predecessor.
 */
export function decodeRecord(buffer: Buffer, at: number, payloadBytes: number): Event | string {
  const payload = at + RECORD_HEADER_BYTES;
  const sequence = readU64(buffer, payload + 1);
  const keyBytes = buffer.readUInt32LE(payload + 9);
  if (keyBytes > payloadBytes - PAYLOAD_FIXED_BYTES) return `key length ${keyBytes} exceeds the record`;
  const keyStart = payload + PAYLOAD_FIXED_BYTES;
  const keyEnd = keyStart + keyBytes;
  const payloadEnd = payload + payloadBytes;
  const key = buffer.toString('utf8', keyStart, keyEnd);
  switch (buffer[payload]) {
    case RECORD_TYPE.put:
      return { type: 'put', key, value: buffer.toString('utf8', keyEnd, payloadEnd), sequence };
    case RECORD_TYPE.delete:
      if (keyEnd !== payloadEnd) return 'delete record carries a value';
      return { type: 'delete', key, sequence };
    default:
      return `unknown record type ${buffer[payload]}`;
  }
}
