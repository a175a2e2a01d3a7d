import { constants } from 'node:fs';
import { mkdir, open, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The file operations the logger performs on its log file: the subset of fs.promises'
 * FileHandle it needs, so a test can wrap a real handle to make one operation fail.
 */
export interface LogFileHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /** Appends (the file is opened with O_APPEND); may write fewer bytes than given. */
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Opens (creating if missing) the log file for reading and appending. */
export type OpenLogFile = (filename: string) => Promise<LogFileHandle>;

/** The real opener; the logger fsyncs the directory itself whenever it finds the file empty. */
export const openLogFile: OpenLogFile = (filename) =>
  open(filename, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);

/** Creates the directory and any missing parents, making each new entry durable. */
export async function ensureDirectory(directory: string): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true });
  if (firstCreated === undefined) return;
  // Each created directory's entry lives in its parent: sync from the new leaf up to the old ancestor.
  for (let dir = directory; ; dir = dirname(dir)) {
    await fsyncDirectory(dir);
    if (dir === dirname(firstCreated) || dir === dirname(dir)) return;
  }
}

/** fsyncs a directory so the names created in it survive a crash. */
export async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Bytes an unprivileged writer may still use on the filesystem holding `directory`. */
export async function freeBytesOn(directory: string): Promise<number> {
  const { bavail, bsize } = await statfs(directory);
  return bavail * bsize;
}
