import { crc32 } from 'node:zlib';

// The layout is described in docs/snapshot-format.md; keep the two in step.

/** First bytes of every snapshot: identifies the format before anything else is trusted. */
export const SNAPSHOT_MAGIC = Buffer.from('KVSSNAP\n', 'latin1');
/** The format version this build writes; it reads version 1 (no leases) too. */
export const SNAPSHOT_VERSION = 2;
/** The versions this build reads. */
export const READABLE_SNAPSHOT_VERSIONS: readonly number[] = [1, 2];
/** magic (8) + version u32 + revision u64 + created-at ms u64 + CRC-32 of bytes 0..27 u32. */
export const SNAPSHOT_HEADER_BYTES = 32;
/** kind u32 + payloadLength u32 + records u32 + payload CRC-32 u32 + CRC-32 of the first 16 bytes u32. */
export const SECTION_HEADER_BYTES = 20;
/** keys (u64) + sections (u64) + bytes before the end section (u64) + SHA-256 of those bytes (32). */
export const END_PAYLOAD_BYTES = 56;
/**
 * The fixed part of a key record, by format version: keyLength u32 + valueLength u32 +
 * createRevision, modRevision, version, deadline u64 each; from version 2, + lease u64.
 */
export function keyRecordFixedBytes(version: number): number {
  return version === 1 ? 40 : 48;
}
/** The fixed part of a key record as this build writes it. */
export const KEY_RECORD_FIXED_BYTES = keyRecordFixedBytes(SNAPSHOT_VERSION);
/** A lease record (version 2): id, ttlMs and the revision of its grant, u64 each. */
export const LEASE_RECORD_BYTES = 24;
/**
 * The largest section payload a reader accepts: room for one record of the largest key and
 * value the service allows (64 KiB, 64 MiB), so a damaged length can never make it buffer more.
 */
export const MAX_SECTION_PAYLOAD_BYTES = 64 * 1024 * 1024 + 64 * 1024 + KEY_RECORD_FIXED_BYTES;

/**
 * Section kinds. `keys`: key records; `leases` (version 2, before every key section): lease
 * records; `end`: the trailer.
 */
export const SECTION_KIND = { keys: 1, leases: 2, end: 255 } as const;

/** One live key as a snapshot holds it: value, revisions, and its deadline or its lease. */
export interface SnapshotEntry {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  /** When the key expires, absolute Unix milliseconds; 0: never (or when it is leased). */
  readonly deadlineMs: number;
  /** The lease the key is attached to (one of the snapshot's leases); 0: none. */
  readonly lease: number;
}

/** An entry as the encoder takes it: a missing deadline or lease is none (0). */
export type EncodableEntry = Omit<SnapshotEntry, 'deadlineMs' | 'lease'> & {
  readonly deadlineMs?: number;
  readonly lease?: number;
};

/** A lease as a snapshot holds it: its TTL (a restore gives it in full again) and its grant's revision. */
export interface SnapshotLease {
  readonly id: number;
  readonly ttlMs: number;
  readonly revision: number;
}

const TWO_TO_32 = 0x1_0000_0000;

/** Writes a safe integer as u64 little-endian, without BigInt. */
export function writeU64(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value % TWO_TO_32, offset);
  buffer.writeUInt32LE(Math.floor(value / TWO_TO_32), offset + 4);
}

/** Reads a u64 little-endian as a number (exact up to 2^53; callers check Number.isSafeInteger). */
export function readU64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * TWO_TO_32;
}

/** The snapshot header of a store at `revision`, taken at `createdAtMs` (Unix ms): magic, then the fields, then their CRC-32. */
export function encodeSnapshotHeader(revision: number, createdAtMs: number): Buffer {
  const fields = Buffer.alloc(20);
  fields.writeUInt32LE(SNAPSHOT_VERSION, 0);
  writeU64(fields, 4, revision);
  writeU64(fields, 12, createdAtMs);
  const checked = Buffer.concat([SNAPSHOT_MAGIC, fields]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(checked));
  return Buffer.concat([checked, crc], SNAPSHOT_HEADER_BYTES);
}

/**
 * Fills in the header of the section whose payload was written at `buffer[SECTION_HEADER_BYTES,
 * end)`, both checksums included; returns the whole section.
 */
export function sealSection(buffer: Buffer, kind: number, records: number, end: number): Buffer {
  buffer.writeUInt32LE(kind, 0);
  buffer.writeUInt32LE(end - SECTION_HEADER_BYTES, 4);
  buffer.writeUInt32LE(records, 8);
  buffer.writeUInt32LE(crc32(buffer.subarray(SECTION_HEADER_BYTES, end)), 12);
  buffer.writeUInt32LE(crc32(buffer.subarray(0, 16)), 16);
  return buffer.subarray(0, end);
}

/** Bytes a key record takes. */
export function keyRecordBytes(keyBytes: number, valueBytes: number): number {
  return KEY_RECORD_FIXED_BYTES + keyBytes + valueBytes;
}

/** Encodes one key record at `at` (room already reserved); returns the offset after it. */
export function encodeKeyRecord(
  buffer: Buffer,
  at: number,
  entry: EncodableEntry,
  keyBytes: number,
  valueBytes: number,
): number {
  buffer.writeUInt32LE(keyBytes, at);
  buffer.writeUInt32LE(valueBytes, at + 4);
  writeU64(buffer, at + 8, entry.createRevision);
  writeU64(buffer, at + 16, entry.modRevision);
  writeU64(buffer, at + 24, entry.version);
  writeU64(buffer, at + 32, entry.deadlineMs ?? 0);
  writeU64(buffer, at + 40, entry.lease ?? 0);
  let p = at + KEY_RECORD_FIXED_BYTES;
  p += buffer.write(entry.key, p, keyBytes, 'utf8');
  p += buffer.write(entry.value, p, valueBytes, 'utf8');
  return p;
}

/** Encodes one lease record at `at` (room already reserved); returns the offset after it. */
export function encodeLeaseRecord(buffer: Buffer, at: number, lease: SnapshotLease): number {
  writeU64(buffer, at, lease.id);
  writeU64(buffer, at + 8, lease.ttlMs);
  writeU64(buffer, at + 16, lease.revision);
  return at + LEASE_RECORD_BYTES;
}

/** The end section: the counts and the SHA-256 of every byte before it. */
export function encodeEndSection(keys: number, sections: number, bytesBefore: number, sha256: Buffer): Buffer {
  const section = Buffer.alloc(SECTION_HEADER_BYTES + END_PAYLOAD_BYTES);
  writeU64(section, SECTION_HEADER_BYTES, keys);
  writeU64(section, SECTION_HEADER_BYTES + 8, sections);
  writeU64(section, SECTION_HEADER_BYTES + 16, bytesBefore);
  sha256.copy(section, SECTION_HEADER_BYTES + 24);
  return sealSection(section, SECTION_KIND.end, 0, section.length);
}
