import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeFileHeader, encodeRecord } from '../../src/driven/file-log/record-format';
import { benchKey, benchValue } from './workload';

/** Records are written in batches of about this many bytes. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Writes a file log of `events` puts of distinct 16-byte keys with 100-byte values, encoded by
 * the file-log adapter's own record encoder, so the file is exactly what the service would
 * have written had every put come through the API (and replaying it loads `events` keys).
 */
export function writeReplayLog(filename: string, events: number): void {
  const fd = openSync(filename, 'w');
  try {
    writeSync(fd, encodeFileHeader());
    let batch: Buffer[] = [];
    let bytes = 0;
    for (let i = 0; i < events; i++) {
      const put = { type: 'put' as const, key: benchKey(i), value: benchValue(i), createRevision: i + 1, version: 1 };
      const record = encodeRecord({ revision: i + 1, writes: [put] });
      batch.push(record);
      bytes += record.length;
      if (bytes >= WRITE_BATCH_BYTES) {
        writeSync(fd, Buffer.concat(batch, bytes));
        batch = [];
        bytes = 0;
      }
    }
    if (bytes > 0) writeSync(fd, Buffer.concat(batch, bytes));
  } finally {
    closeSync(fd);
  }
}
