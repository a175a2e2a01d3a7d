import { openSync, writeSync, closeSync } from 'node:fs';
import { encodeFileHeader, encodeRecord } from '../../src/driven/file-log/record-format';

/** Puts per record when seeding: one revision per this many keys. */
const PUTS_PER_RECORD = 1000;

/**
 * Writes a file log (format 2) holding `count` keys, `keyOf(i)` = `valueOf(i)`, without a
 * running service: records of many puts each, as a transaction would log them. Far faster than
 * writing through the API, for tests that need a large store. Returns the last revision.
 */
export function seedFileLog(
  path: string,
  count: number,
  keyOf: (i: number) => string,
  valueOf: (i: number) => string = () => 'v',
): number {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, encodeFileHeader());
    let revision = 0;
    for (let first = 0; first < count; first += PUTS_PER_RECORD) {
      revision++;
      const writes = [];
      for (let i = first; i < Math.min(count, first + PUTS_PER_RECORD); i++) {
        writes.push({ type: 'put' as const, key: keyOf(i), value: valueOf(i), createRevision: revision, version: 1 });
      }
      writeSync(fd, encodeRecord({ revision, writes }));
    }
    return revision;
  } finally {
    closeSync(fd);
  }
}
