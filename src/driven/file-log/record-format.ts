import { crc32 } from 'node:zlib';
import { writeEventBytes, type KeyWrite, type LeaseWrite, type LogRecord, type ReplayedRecord } from '../../core';
import { crc32Range } from './crc32-range';

// The on-disk layout is described in FORMAT.md beside this file; keep the two in step.

/** First bytes of every log file: identifies the format before anything else is trusted. */
export const FILE_MAGIC = Buffer.from('KVSTLOG\n', 'latin1');
/** The format version this code writes; it also reads every earlier one (FORMAT.md, "Format versions"). */
export const FORMAT_VERSION = 2;
/** A file format version this code reads. */
export type FormatVersion = 1 | 2;
/** Magic (8) + version (u32) + CRC-32 of those 12 bytes (u32). */
export const FILE_HEADER_BYTES = 16;
/** payloadLength (u32) + payloadCrc (u32) + headerCrc (u32) over the first 8 bytes. */
export const RECORD_HEADER_BYTES = 12;
/** type (u8) + revision or sequence (u64) + write count or keyLength (u32): the fixed start of every payload. */
export const PAYLOAD_FIXED_BYTES = 13;

/** Record type byte: format 1's put and delete of one key, format 2's record of one revision. */
export const RECORD_TYPE = { put: 1, delete: 2, revision: 3 } as const;
/**
 * Write kind byte within a format 2 record: a put, a delete, a put whose generation carries a
 * deadline or a lease, a lease grant, a lease revoke (kinds 3 to 5 came with TTLs and leases).
 */
const WRITE_KIND = { put: 1, delete: 2, putWithExtras: 3, grant: 4, revoke: 5 } as const;

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

/** Checks a complete file header: its format version when it is a header this build can read. */
export function checkFileHeader(header: Buffer): FormatVersion | FileHeaderProblem {
  if (!header.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
    return { problem: 'not a kvs transaction log', detail: 'bad magic' };
  }
  if (header.readUInt32LE(12) !== crc32(header.subarray(0, 12))) {
    return { problem: 'corrupt file header', detail: 'checksum mismatch' };
  }
  const version = header.readUInt32LE(8);
  if (version !== 1 && version !== 2) {
    return {
      problem: 'unsupported log format',
      detail: `version ${version}; this build reads versions 1 to ${FORMAT_VERSION}`,
    };
  }
  return version;
}

/** First bytes of a base file (a compaction's snapshot): tells it from an incremental log file. */
export const BASE_MAGIC = Buffer.from('KVSBASE\n', 'latin1');
/** Magic (8) + version (u32) + sequence (u64) + record count (u64) + CRC-32 of the first 28 bytes (u32). */
export const BASE_HEADER_BYTES = 32;

/**
 * What a base file's header says: its format, the revision its snapshot stands at (format 1:
 * the sequence every record carries) and how many records follow.
 */
export interface BaseHeader {
  readonly version: FormatVersion;
  readonly sequence: number;
  readonly records: number;
}

/** The header of a format 2 base file standing at revision `sequence` and holding `records` records. */
export function encodeBaseHeader({ sequence, records }: Omit<BaseHeader, 'version'>): Buffer {
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
  if (version !== 1 && version !== 2) {
    return {
      problem: 'unsupported base file format',
      detail: `version ${version}; this build reads versions 1 to ${FORMAT_VERSION}`,
    };
  }
  const sequence = readU64(header, 12);
  const records = readU64(header, 20);
  if (!Number.isSafeInteger(sequence) || !Number.isSafeInteger(records)) {
    return { problem: 'corrupt base file header', detail: 'sequence or record count beyond 2^53' };
  }
  return { version, sequence, records };
}

function writeU64(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value % TWO_TO_32, offset);
  buffer.writeUInt32LE(Math.floor(value / TWO_TO_32), offset + 4);
}

function readU64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * TWO_TO_32;
}

/**
 * Encodes one record (format 2: one revision's writes) as a complete record in a single buffer
 * (the only allocation an append makes). The core has already refused strings UTF-8 cannot
 * hold (lone surrogates).
 */
export function encodeRecord(record: LogRecord): Buffer {
  const leases = fileLeases(record);
  let payloadBytes = PAYLOAD_FIXED_BYTES;
  for (const lease of leases) payloadBytes += leaseBytes(lease);
  const keyBytes: number[] = [];
  const valueBytes: number[] = [];
  for (const write of record.writes) {
    const key = Buffer.byteLength(write.key, 'utf8');
    const value = write.type === 'put' ? Buffer.byteLength(write.value, 'utf8') : 0;
    keyBytes.push(key);
    valueBytes.push(value);
    payloadBytes += writeBytes(write, key, value);
  }
  const buffer = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadBytes);
  let p = RECORD_HEADER_BYTES;
  buffer[p] = RECORD_TYPE.revision;
  writeU64(buffer, p + 1, record.revision);
  buffer.writeUInt32LE(record.writes.length + leases.length, p + 9);
  p += PAYLOAD_FIXED_BYTES;
  record.writes.forEach((write, i) => {
    const extras = write.type === 'put' && hasExtras(write);
    buffer[p] = extras ? WRITE_KIND.putWithExtras : WRITE_KIND[write.type];
    buffer.writeUInt32LE(keyBytes[i], p + 1);
    p += 5;
    buffer.write(write.key, p, 'utf8');
    p += keyBytes[i];
    if (write.type === 'put') {
      writeU64(buffer, p, write.createRevision);
      writeU64(buffer, p + 8, write.version);
      p += 16;
      if (extras) {
        writeU64(buffer, p, write.expiresAt ?? 0);
        writeU64(buffer, p + 8, write.lease ?? 0);
        p += 16;
      }
      buffer.writeUInt32LE(valueBytes[i], p);
      buffer.write(write.value, p + 4, 'utf8');
      p += 4 + valueBytes[i];
    }
  });
  for (const lease of leases) {
    buffer[p] = WRITE_KIND[lease.type];
    writeU64(buffer, p + 1, lease.id);
    if (lease.type === 'grant') writeU64(buffer, p + 9, lease.ttlMs);
    p += leaseBytes(lease);
  }
  buffer.writeUInt32LE(payloadBytes, 0);
  buffer.writeUInt32LE(crc32(buffer.subarray(RECORD_HEADER_BYTES)), 4);
  buffer.writeUInt32LE(crc32(buffer.subarray(0, 8)), 8);
  return buffer;
}

/**
 * kind (u8) + keyLength (u32) + key; a put adds createRevision (u64) + version (u64) +
 * valueLength (u32) + value, and (kind 3) expiresAt (u64) + lease (u64) before the value length.
 */
function writeBytes(write: KeyWrite, keyBytes: number, valueBytes: number): number {
  if (write.type === 'delete') return 5 + keyBytes;
  return 5 + keyBytes + 20 + valueBytes + (hasExtras(write) ? 16 : 0);
}

/** Whether a put needs kind 3: its generation has a deadline or a lease. */
function hasExtras(write: KeyWrite & { type: 'put' }): boolean {
  return write.expiresAt !== undefined || write.lease !== undefined;
}

/** The lease writes a file record holds: grants and revokes. */
type FileLeaseWrite = Exclude<LeaseWrite, { type: 'keepalive' }>;

/**
 * The record's lease writes. A keepalive is a record only in a log other writers share; the
 * file log has one writer, whose keepalives renew memory only, so one here is a caller's bug.
 */
function fileLeases(record: LogRecord): readonly FileLeaseWrite[] {
  const leases = record.leases ?? [];
  if (leases.some((lease) => lease.type === 'keepalive'))
    throw new Error(`record ${record.revision} holds a lease keepalive, which the file log never records`);
  return leases as readonly FileLeaseWrite[];
}

/** kind (u8) + lease id (u64), and for a grant its TTL in ms (u64). */
function leaseBytes(lease: FileLeaseWrite): number {
  return lease.type === 'grant' ? 17 : 9;
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

/** A format 1 record: one key's put or delete with the sequence number the log gave it. */
export type LegacyEvent =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly sequence: number }
  | { readonly type: 'delete'; readonly key: string; readonly sequence: number };

/**
 * Decodes the checksummed payload of the record at `at` (whose header was checked) as the
 * file's format holds it, or returns what makes its content impossible (the caller turns that
 * into LogCorruptError with the record's offset). A revision or sequence may exceed 2^53 on a
 * bad log; the caller checks it against its predecessor.
 */
export function decodeRecord(
  buffer: Buffer,
  at: number,
  payloadBytes: number,
  format: FormatVersion,
): ReplayedRecord | LegacyEvent | string {
  return format === 1 ? decodeLegacy(buffer, at, payloadBytes) : decodeRevision(buffer, at, payloadBytes);
}

/**
 * What the watch history counts at least for the key writes of the record at `at` (whose
 * header was checked): writeEventBytes of each write's key and value lengths, read from the
 * payload without decoding it (a pre-scan of the log pays no strings). The lengths are those
 * the record states; decoding gives strings at least as long in UTF-8 (a byte that is not
 * valid UTF-8 decodes to the 3-byte U+FFFD). It stops at anything malformed, counting less:
 * replay refuses such a record anyway.
 */
export function recordChangeBytes(buffer: Buffer, at: number, payloadBytes: number, format: FormatVersion): number {
  const payload = at + RECORD_HEADER_BYTES;
  const end = payload + payloadBytes;
  const count = buffer.readUInt32LE(payload + 9);
  if (format === 1) {
    // One key write: the count field is its key's length, and a put's value fills the rest.
    if (count > payloadBytes - PAYLOAD_FIXED_BYTES) return 0;
    const put = buffer[payload] === RECORD_TYPE.put;
    return writeEventBytes(count, put ? payloadBytes - PAYLOAD_FIXED_BYTES - count : 0);
  }
  let bytes = 0;
  let p = payload + PAYLOAD_FIXED_BYTES;
  for (let i = 0; i < count && p + 5 <= end; i++) {
    const kind = buffer[p];
    // Lease writes come after the key writes and make no event.
    if (kind !== WRITE_KIND.put && kind !== WRITE_KIND.putWithExtras && kind !== WRITE_KIND.delete) break;
    const keyBytes = buffer.readUInt32LE(p + 1);
    p += 5 + keyBytes;
    if (kind === WRITE_KIND.delete) {
      if (p > end) break;
      bytes += writeEventBytes(keyBytes, 0);
      continue;
    }
    p += kind === WRITE_KIND.putWithExtras ? 36 : 20;
    if (p > end) break;
    const valueBytes = buffer.readUInt32LE(p - 4);
    p += valueBytes;
    if (p > end) break;
    bytes += writeEventBytes(keyBytes, valueBytes);
  }
  return bytes;
}

function decodeLegacy(buffer: Buffer, at: number, payloadBytes: number): LegacyEvent | string {
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
      return `unknown record type ${buffer[payload]} in a format 1 file`;
  }
}

function decodeRevision(buffer: Buffer, at: number, payloadBytes: number): ReplayedRecord | string {
  const payload = at + RECORD_HEADER_BYTES;
  const end = payload + payloadBytes;
  if (buffer[payload] !== RECORD_TYPE.revision) return `unknown record type ${buffer[payload]} in a format 2 file`;
  const revision = readU64(buffer, payload + 1);
  const count = buffer.readUInt32LE(payload + 9);
  const writes: KeyWrite[] = [];
  const leases: LeaseWrite[] = [];
  let p = payload + PAYLOAD_FIXED_BYTES;
  for (let i = 0; i < count; i++) {
    if (p + 1 > end) return `write ${i} of ${count} starts past the record`;
    const kind = buffer[p];
    if (kind === WRITE_KIND.grant || kind === WRITE_KIND.revoke) {
      const bytes = kind === WRITE_KIND.grant ? 17 : 9;
      if (p + bytes > end) return 'lease write cut short';
      const id = readU64(buffer, p + 1);
      const ttlMs = kind === WRITE_KIND.grant ? readU64(buffer, p + 9) : 0;
      if (!Number.isSafeInteger(id) || !Number.isSafeInteger(ttlMs)) return 'lease beyond 2^53';
      leases.push(kind === WRITE_KIND.grant ? { type: 'grant', id, ttlMs } : { type: 'revoke', id });
      p += bytes;
      continue;
    }
    if (leases.length > 0) return 'a key write after a lease write';
    if (p + 5 > end) return `write ${i} of ${count} starts past the record`;
    const keyBytes = buffer.readUInt32LE(p + 1);
    p += 5;
    if (keyBytes > end - p) return `key length ${keyBytes} exceeds the record`;
    const key = buffer.toString('utf8', p, p + keyBytes);
    p += keyBytes;
    if (kind === WRITE_KIND.delete) {
      writes.push({ type: 'delete', key });
      continue;
    }
    if (kind !== WRITE_KIND.put && kind !== WRITE_KIND.putWithExtras) return `unknown write kind ${kind}`;
    const extras = kind === WRITE_KIND.putWithExtras ? 16 : 0;
    if (p + 20 + extras > end) return 'put cut short';
    const createRevision = readU64(buffer, p);
    const version = readU64(buffer, p + 8);
    const expiresAt = extras ? readU64(buffer, p + 16) : 0;
    const lease = extras ? readU64(buffer, p + 24) : 0;
    const valueBytes = buffer.readUInt32LE(p + 16 + extras);
    p += 20 + extras;
    if (valueBytes > end - p) return `value length ${valueBytes} exceeds the record`;
    if (![createRevision, version, expiresAt, lease].every(Number.isSafeInteger)) return 'revision beyond 2^53';
    const value = buffer.toString('utf8', p, p + valueBytes);
    writes.push({
      type: 'put',
      key,
      value,
      createRevision,
      version,
      ...(expiresAt === 0 ? {} : { expiresAt }),
      ...(lease === 0 ? {} : { lease }),
    });
    p += valueBytes;
  }
  if (p !== end) return `${end - p} bytes after the last write`;
  return leases.length === 0 ? { revision, writes } : { revision, writes, leases };
}
