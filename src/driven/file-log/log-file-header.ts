import { dirname } from 'node:path';
import { LogCorruptError } from './file-log.errors';
import { fsyncDirectory, type LogFileHandle } from './log-file-handle';
import {
  checkFileHeader,
  encodeFileHeader,
  FILE_HEADER_BYTES,
  FORMAT_VERSION,
  type FormatVersion,
} from './record-format';

/**
 * Makes sure the open log file starts with a valid header before its records are read.
 * An empty file (new, or created just before a crash) and a header cut short by a crash get a
 * fresh header, made durable together with the file's directory entry; anything else that is
 * not our header throws LogCorruptError, so a foreign file is never overwritten. Resolves with
 * the file's format version.
 */
export async function prepareFileHeader(
  handle: LogFileHandle,
  filename: string,
  size: number,
  warn: (message: string) => void,
): Promise<FormatVersion> {
  const expected = encodeFileHeader();
  const found = Buffer.alloc(Math.min(size, FILE_HEADER_BYTES));
  if (found.length > 0) await handle.read(found, 0, found.length, 0);
  if (size >= FILE_HEADER_BYTES) {
    const version = checkFileHeader(found);
    if (typeof version !== 'number') throw new LogCorruptError(filename, 0, version.problem, version.detail);
    return version;
  }
  if (!expected.subarray(0, size).equals(found)) {
    throw new LogCorruptError(
      filename,
      0,
      'not a kvs transaction log',
      `${size} bytes that do not start with the magic`,
    );
  }
  if (size > 0) {
    warn(
      `file log: ${filename}: dropping torn file header at byte 0 (${size} of ${FILE_HEADER_BYTES} bytes); rewriting it`,
    );
    await handle.truncate(0);
  }
  await handle.writev([expected]);
  await handle.datasync();
  await fsyncDirectory(dirname(filename));
  return FORMAT_VERSION;
}
