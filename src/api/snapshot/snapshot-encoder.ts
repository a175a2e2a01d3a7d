import { createHash } from 'node:crypto';
import {
  encodeEndSection,
  encodeKeyRecord,
  encodeSection,
  encodeSnapshotHeader,
  keyRecordBytes,
  SECTION_KIND,
  type SnapshotEntry,
} from './snapshot-format';

/** A section is closed once its payload reaches this size: the unit of checksumming and of one synchronous stretch of encoding. */
export const SECTION_TARGET_BYTES = 256 * 1024;

/** What a snapshot is made of: the revision it stands at and its entries, in key order. */
export interface SnapshotSource {
  readonly revision: number;
  readonly entries: Iterable<SnapshotEntry>;
}

/**
 * Encodes a snapshot as a sequence of buffers (header, key sections of about
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
  let payload = Buffer.allocUnsafe(SECTION_TARGET_BYTES * 2);
  let used = 0;
  let records = 0;
  for (const entry of source.entries) {
    const keyBytes = Buffer.byteLength(entry.key, 'utf8');
    const valueBytes = Buffer.byteLength(entry.value, 'utf8');
    const size = keyRecordBytes(keyBytes, valueBytes);
    if (used + size > payload.length) {
      const larger = Buffer.allocUnsafe(Math.max(payload.length * 2, used + size));
      payload.copy(larger, 0, 0, used);
      payload = larger;
    }
    used = encodeKeyRecord(payload, used, entry, keyBytes, valueBytes);
    records++;
    keys++;
    if (used < SECTION_TARGET_BYTES) continue;
    sections++;
    yield emit(encodeSection(SECTION_KIND.keys, records, payload.subarray(0, used)));
    used = 0;
    records = 0;
    // A section that grew for one large record does not keep its large buffer for the rest.
    if (payload.length > SECTION_TARGET_BYTES * 2) payload = Buffer.allocUnsafe(SECTION_TARGET_BYTES * 2);
  }
  if (records > 0) {
    sections++;
    yield emit(encodeSection(SECTION_KIND.keys, records, payload.subarray(0, used)));
  }
  yield encodeEndSection(keys, sections, bytes, hash.digest());
}
