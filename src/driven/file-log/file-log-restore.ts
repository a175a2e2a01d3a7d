import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { StoreView } from '../../core';
import { writeBaseFile, type WrittenBase } from './base-file';
import { listed, LogDirectory, sizeOf } from './log-directory';
import { ensureDirectory, fsyncDirectory } from './log-file-handle';
import { PidLockFile } from './pid-lock-file';
import { encodeFileHeader, FILE_HEADER_BYTES } from './record-format';

/** The restore found a log that holds data and was not told to replace it. */
export class RestoreTargetNotEmptyError extends Error {
  constructor(what: string) {
    super(`${what} already holds data; restore replaces it only with --force`);
    this.name = 'RestoreTargetNotEmptyError';
  }
}

/** The points of a restore at which a crash leaves a distinct state on disk, in order; each is reported once reached. */
export const RESTORE_STEPS = [
  'manifest-described',
  'incremental-created',
  'base-written',
  'base-renamed',
  'committed',
  'old-files-removed',
] as const;

/** What the restore should do besides writing. */
export interface FileLogRestoreOptions {
  /** Replace a log that holds data. */
  readonly force: boolean;
  readonly warn: (message: string) => void;
  /** Called after each of RESTORE_STEPS: a seam for tests that kill the process exactly there. */
  readonly afterStep?: (step: (typeof RESTORE_STEPS)[number]) => void | Promise<void>;
}

/**
 * Writes `view` as the whole log at `filename` the way a compaction leaves it (FORMAT.md,
 * "Compaction"): a base at the view's revision and an empty incremental, named by a new
 * manifest. The steps are the compaction's, so a crash at any point leaves either the log as it
 * was or the restored one in charge (leftovers are quarantined by the next start):
 * 1. the log's current files are described by a manifest (without one, a crash after step 3
 *    would leave a base no manifest names, which start-up refuses);
 * 2. a new incremental (header only) and the base, written beside under a temp name, fdatasynced,
 *    renamed; 3. the manifest naming just those two replaces the old one (the commit point);
 * 4. the files it replaced are removed. The log's lock file is held throughout, so a running
 * service (or a second restore) makes it fail before anything is written.
 */
export async function restoreFileLog(
  filename: string,
  view: StoreView,
  { force, warn, afterStep = () => undefined }: FileLogRestoreOptions,
): Promise<WrittenBase> {
  const path = resolve(filename);
  const directory = new LogDirectory(path, (_event, message) => warn(message));
  await ensureDirectory(directory.path);
  const lock = new PidLockFile(`${path}.lock`, path, warn);
  await lock.acquire();
  try {
    await directory.load();
    const originalBytes = await sizeOf(directory.file(directory.names.log));
    if ((await holdsData(directory)) && !force) throw new RestoreTargetNotEmptyError(`file log ${path}`);
    await directory.quarantineLeftovers();
    if (!directory.hasManifest) {
      // A log cut inside its header (or missing) holds no record: a fresh header is what start-up would write.
      if (originalBytes < FILE_HEADER_BYTES) {
        await writeFile(directory.file(directory.names.log), encodeFileHeader(), { flush: true });
        await fsyncDirectory(directory.path);
      }
      await directory.replaceManifest({ base: undefined, incrementals: [directory.names.log] });
    }
    await afterStep('manifest-described');
    const retired = listed(directory.manifest);
    const incremental = await directory.createIncremental();
    await afterStep('incremental-created');
    const base = directory.names.base(directory.takeGeneration());
    const temp = directory.names.temp(base);
    let written: WrittenBase;
    try {
      written = await writeBaseFile(directory.file(temp), view, view.revision, () => undefined);
    } catch (error) {
      await directory.remove([temp, incremental]).catch(() => undefined);
      throw error;
    }
    await afterStep('base-written');
    await directory.publish(temp, base);
    await afterStep('base-renamed');
    await directory.replaceManifest({ base, incrementals: [incremental] });
    await afterStep('committed');
    await directory.remove(retired);
    await directory.removeQuarantine();
    await afterStep('old-files-removed');
    return written;
  } finally {
    await lock.release();
  }
}

/** Whether the log holds anything: a base, or a record in a file it names (a started, never written log has a header alone). */
async function holdsData(directory: LogDirectory): Promise<boolean> {
  if (directory.manifest.base !== undefined) return true;
  for (const name of directory.manifest.incrementals) {
    if ((await sizeOf(directory.file(name))) > FILE_HEADER_BYTES) return true;
  }
  return false;
}
