import { closeSync, openSync, readSync } from 'node:fs';
import type { SnapshotEntry, SnapshotLease } from './snapshot-format';
import { SnapshotParser, type SnapshotSummary } from './snapshot-parser';

/** A verified snapshot file: its summary and its leases (few: they are held in memory). */
export interface VerifiedSnapshot {
  readonly summary: SnapshotSummary;
  readonly leases: readonly SnapshotLease[];
}

/** Bytes read per call. */
const READ_BYTES = 1024 * 1024;

/**
 * Reads the snapshot file at `path`, verifying it as it goes (SnapshotParser): yields the
 * entries of each section once its checksum holds, and returns the summary and leases once the end
 * section and the whole-file SHA-256 hold; throws SnapshotDamagedError where the file is
 * damaged. Synchronous reads: for offline tools (status, restore), which have nothing else to do.
 */
export function* readSnapshotFile(path: string): Generator<SnapshotEntry[], VerifiedSnapshot> {
  const parser = new SnapshotParser();
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      // A fresh buffer per read: the parser may keep a part of it until its section completes.
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      const bytesRead = readSync(fd, buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) return { summary: parser.end(), leases: parser.leases };
      const entries = parser.push(buffer.subarray(0, bytesRead));
      if (entries.length > 0) yield entries;
    }
  } finally {
    closeSync(fd);
  }
}

/** Verifies the whole file at `path` (every checksum) and returns what it holds, reading nothing into memory but a section. */
export function verifySnapshotFile(path: string): SnapshotSummary {
  const reader = readSnapshotFile(path);
  for (;;) {
    const next = reader.next();
    if (next.done) return next.value.summary;
  }
}
