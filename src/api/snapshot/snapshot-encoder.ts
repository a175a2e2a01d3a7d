import { createHash } from 'node:crypto';
import {
  encodeEndSection,
  encodeKeyRecord,
  encodeLeaseRecord,
  LEASE_RECORD_BYTES,
  sealSection,
  SECTION_HEADER_BYTES,
  encodeSnapshotHeader,
  keyRecordBytes,
  SECTION_KIND,
  type EncodableEntry,
  type SnapshotLease,
} from './snapshot-format';

/** A section is closed once its payload reaches this size: the unit of checksumming and of one synchronous stretch of encoding. */
export const SECTION_TARGET_BYTES = 256 * 1024;

/** What a snapshot is made of: the revision it stands at, its leases and its entries, in key order. */
export interface SnapshotSource {
  readonly revision: number;
  /** The leases the entries may name; none when missing. */
  readonly leases?: readonly SnapshotLease[];
  readonly entries: Iterable<EncodableEntry>;
}

/**
 * Encodes a snapshot as a sequence of buffers (header, lease sections, key sections of about
 * SECTION_TARGET_BYTES, end section), computing them lazily: a consumer that pulls one at a
 * time, and waits for its sink between pulls, holds one section in memory however big the store.
 */
export function* encodeSnapshot(source: SnapshotSource, createdAtMs: number): Generator<Buffer> {
  const hash = createHash('sha256');
  let bytes = 0;
  let sections = 0;
  let keys = 0;
  const emit = (buffer: Buffer): Buffer => {
    hash.update(buffer);
    bytes += buffer.length;
    return buffer;
  };
  yield emit(encodeSnapshotHeader(source.revision, createdAtMs));
  // In id order, so that equal states give equal snapshots and a reader can refuse an id given twice.
  const leases = [...(source.leases ?? [])].sort((a, b) => a.id - b.id);
  const perSection = Math.floor(SECTION_TARGET_BYTES / LEASE_RECORD_BYTES);
  for (let first = 0; first < leases.length; first += perSection) {
    const part = leases.slice(first, first + perSection);
    const buffer = Buffer.allocUnsafe(SECTION_HEADER_BYTES + part.length * LEASE_RECORD_BYTES);
    let end = SECTION_HEADER_BYTES;
    for (const lease of part) end = encodeLeaseRecord(buffer, end, lease);
    sections++;
    yield emit(sealSection(buffer, SECTION_KIND.leases, part.length, end));
  }
  // Each section is encoded in place in a buffer of its own (the sink may hold it until sent).
  const fresh = (): Buffer => Buffer.allocUnsafe(SECTION_HEADER_BYTES + SECTION_TARGET_BYTES * 2);
  let section = fresh();
  let used = SECTION_HEADER_BYTES;
  let records = 0;
  for (const entry of source.entries) {
    const keyBytes = Buffer.byteLength(entry.key, 'utf8');
    const valueBytes = Buffer.byteLength(entry.value, 'utf8');
    const size = keyRecordBytes(keyBytes, valueBytes);
    if (used + size > section.length) {
      // One record larger than the room left: this section grows to hold it.
      const larger = Buffer.allocUnsafe(used + size);
      section.copy(larger, 0, 0, used);
      section = larger;
    }
    used = encodeKeyRecord(section, used, entry, keyBytes, valueBytes);
    records++;
    keys++;
    if (used < SECTION_HEADER_BYTES + SECTION_TARGET_BYTES) continue;
    sections++;
    yield emit(sealSection(section, SECTION_KIND.keys, records, used));
    section = fresh();
    used = SECTION_HEADER_BYTES;
    records = 0;
  }
  if (records > 0) {
    sections++;
    yield emit(sealSection(section, SECTION_KIND.keys, records, used));
  }
  yield encodeEndSection(keys, sections, bytes, hash.digest());
}
