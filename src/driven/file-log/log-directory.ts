import { open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../../platform/error-text/error-text';
import { LogCorruptError } from './file-log.errors';
import { fsyncDirectory } from './log-file-handle';
import { encodeManifest, LogFileNames, parseManifest, type Manifest } from './manifest';
import { encodeFileHeader } from './record-format';

/**
 * The files of one log in its directory (FORMAT.md, "Compaction"): which ones the manifest
 * names, the atomic replacement of the manifest, new incrementals, and the removal of files
 * no manifest names. Every step that a later step relies on is made durable first.
 */
export class LogDirectory {
  /** The directory holding the log. */
  readonly path: string;
  readonly names: LogFileNames;
  /** The files in charge; without a manifest on disk, the original log file alone. */
  manifest: Manifest;
  private nextGeneration = 1;

  constructor(
    /** Absolute path of the original log file (TLOG_FILENAME). */
    filename: string,
    private readonly warn: (event: string, message: string) => void,
  ) {
    this.path = dirname(filename);
    this.names = new LogFileNames(basename(filename));
    this.manifest = { base: undefined, incrementals: [this.names.log] };
  }

  /** Absolute path of a file of the log. */
  file(name: string): string {
    return join(this.path, name);
  }

  /** Reads the manifest, if there is one; refuses a damaged one or one naming missing files. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file(this.names.manifest), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    const manifest = parseManifest(text, this.names);
    if (typeof manifest === 'string') {
      throw new LogCorruptError(this.file(this.names.manifest), 0, 'corrupt manifest', manifest);
    }
    for (const name of listed(manifest)) {
      await stat(this.file(name)).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
        throw new LogCorruptError(this.file(name), 0, 'missing log file', 'named by the manifest');
      });
    }
    this.manifest = manifest;
    this.nextGeneration = this.names.highestGeneration(manifest) + 1;
  }

  /**
   * Deletes what a crash or a failed compaction left behind: every file of this log's naming
   * scheme the manifest does not name (temp files, unlisted bases and incrementals, the
   * original file once a manifest has replaced it). Never touches any other name.
   */
  async removeLeftovers(): Promise<void> {
    const keep = new Set(listed(this.manifest));
    const leftovers = (await readdir(this.path)).filter((name) => this.names.isOwned(name) && !keep.has(name));
    for (const name of leftovers) {
      const generation = this.names.parse(name)?.generation ?? 0;
      this.nextGeneration = Math.max(this.nextGeneration, generation + 1);
      this.warn(
        'file_log_leftover_removed',
        `file log: removing ${this.file(name)}, left over by an unfinished compaction`,
      );
    }
    await this.remove(leftovers);
  }

  /** A generation number no file of this log has used since start-up. */
  takeGeneration(): number {
    return this.nextGeneration++;
  }

  /** Creates an empty incremental (file header only), durable with its directory entry; returns its name. */
  async createIncremental(): Promise<string> {
    const name = this.names.incremental(this.takeGeneration());
    const handle = await open(this.file(name), 'wx', 0o644);
    try {
      await handle.writeFile(encodeFileHeader());
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fsyncDirectory(this.path);
    return name;
  }

  /**
   * Makes `manifest` the one in charge: written to a temp file and fdatasynced, then renamed
   * over the manifest (atomic) and the directory fsynced. `afterWrite` runs between the two
   * (a test seam for a crash at that point).
   */
  async replaceManifest(manifest: Manifest, afterWrite: () => void | Promise<void>): Promise<void> {
    const temp = this.file(this.names.manifestTemp);
    await writeFile(temp, encodeManifest(manifest), { flush: true });
    await afterWrite();
    await rename(temp, this.file(this.names.manifest));
    // Renamed means in charge for this process, even if the directory fsync below fails.
    this.manifest = manifest;
    await fsyncDirectory(this.path);
  }

  /** Renames a complete, fdatasynced temp file into place and makes the rename durable. */
  async publish(temp: string, name: string): Promise<void> {
    await rename(this.file(temp), this.file(name));
    await fsyncDirectory(this.path);
  }

  /** Deletes files of the log (absent ones are fine), then makes the deletions durable. */
  async remove(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    for (const name of names) {
      await unlink(this.file(name)).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
    }
    await fsyncDirectory(this.path);
  }
}

/** Every file a manifest names, base first. */
export function listed(manifest: Manifest): string[] {
  return manifest.base === undefined ? [...manifest.incrementals] : [manifest.base, ...manifest.incrementals];
}
