import { constants } from 'node:fs';
import { mkdir, open, stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorCode } from '../../platform/error-text/error-text';

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

/**
 * Creates the directory and any missing parents, making each new entry durable (a directory's
 * entry lives in its parent, so each parent is fsynced after its child is made). Walked by hand
 * rather than with mkdir's `recursive`, which spins forever where a parent refuses entries with
 * ENOENT (a path under /proc): here every level is tried once and its error reported.
 */
export async function ensureDirectory(directory: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(directory); !(await isDirectory(dir)); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await mkdir(dir).catch((error: unknown) => {
      if (errorCode(error) !== 'EEXIST') throw error; // made meanwhile by someone else: fine
    });
    await fsyncDirectory(dirname(dir));
  }
}

/** Whether `path` exists as a directory; false when it does not exist at all. */
async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
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
