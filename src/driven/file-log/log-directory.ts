import { open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../../platform/error-text/error-text';
import { LogCorruptError } from './file-log.errors';
import { ensureDirectory, fsyncDirectory } from './log-file-handle';
import { encodeManifest, LogFileNames, parseManifest, type Manifest } from './manifest';
import { encodeFileHeader, FILE_HEADER_BYTES } from './record-format';

/**
 * The files of one log in its directory (FORMAT.md, "Compaction"): which ones the manifest
 * names, the atomic replacement of the manifest, new incrementals, and the quarantine of files
 * no manifest names. Every step that a later step relies on is made durable first.
 */
export class LogDirectory {
  /** The directory holding the log. */
  readonly path: string;
  readonly names: LogFileNames;
  /** The files in charge; without a manifest on disk, the original log file alone. */
  manifest: Manifest;
  /** Whether a manifest is on disk (found at start-up, or written since): every file it names had its full header. */
  hasManifest = false;
  private nextGeneration = 1;
  /** The manifest write in progress: writes are one at a time, as they share the temp file. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    /** Absolute path of the original log file (TLOG_FILENAME). */
    filename: string,
    private readonly warn: (event: string, message: string) => void,
    /** The file taking appends (a name of this log) and its length known fdatasynced; none before appends start. */
    private readonly durableFloor: () => DurableLength | undefined = () => undefined,
  ) {
    this.path = dirname(filename);
    this.names = new LogFileNames(basename(filename));
    this.manifest = { base: undefined, incrementals: [this.names.log] };
  }

  /** Absolute path of a file of the log. */
  file(name: string): string {
    return join(this.path, name);
  }

  /**
   * Reads the manifest, if there is one; refuses a damaged one, one naming missing files, and
   * files that only a manifest names when there is none.
   */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file(this.names.manifest), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return this.refuseOrphans();
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
    this.hasManifest = true;
    this.nextGeneration = this.names.highestGeneration(manifest) + 1;
  }

  /**
   * Without a manifest the log is the original file alone. But a base, or an incremental that
   * holds a record, exists only after a manifest has named it (FORMAT.md, steps 3 and 6), so
   * finding one means the manifest was lost: replaying the original file alone would drop their
   * data. (An incremental holding no record is what a crash after step 1 or 2 of the first
   * compaction leaves: a leftover.)
   */
  private async refuseOrphans(): Promise<void> {
    const orphans: string[] = [];
    for (const name of await readdir(this.path)) {
      const parsed = this.names.parse(name);
      if (parsed?.kind === 'base' || (parsed && (await sizeOf(this.file(name))) > FILE_HEADER_BYTES)) {
        orphans.push(name);
      }
    }
    if (orphans.length === 0) return;
    throw new LogCorruptError(
      this.file(this.names.manifest),
      undefined,
      'manifest missing',
      `yet ${orphans.sort().join(', ')} exist, which only a manifest names; restore the manifest, ` +
        'or move those files out of the directory to start from the original log alone',
    );
  }

  /**
   * Moves what a crash or a failed compaction left behind into a quarantine folder (one per
   * start, under `<log>.quarantine/`), removed after the next successful compaction: every file
   * of this log's naming scheme the manifest does not name (temp files, unlisted bases and
   * incrementals, the original file once a manifest has replaced it). Never touches any other
   * name, and deletes nothing: start-up cannot prove what an operator might still need.
   */
  async quarantineLeftovers(): Promise<void> {
    const keep = new Set(listed(this.manifest));
    const leftovers = (await readdir(this.path)).filter((name) => this.names.isOwned(name) && !keep.has(name));
    if (leftovers.length === 0) return;
    const folder = join(this.file(this.names.quarantine), new Date().toISOString().replace(/:/g, '-'));
    await ensureDirectory(folder);
    for (const name of leftovers) {
      const generation = this.names.parse(name)?.generation ?? 0;
      this.nextGeneration = Math.max(this.nextGeneration, generation + 1);
      this.warn(
        'file_log_leftover_quarantined',
        `file log: moving ${this.file(name)}, left over by an unfinished compaction, to ${folder}`,
      );
      await rename(this.file(name), join(folder, name));
    }
    await fsyncDirectory(folder);
    await fsyncDirectory(this.path);
  }

  /** Deletes the quarantine folder and what it holds (after a successful compaction); true if there was one. */
  async removeQuarantine(): Promise<boolean> {
    const folder = this.file(this.names.quarantine);
    if ((await sizeOf(folder)) < 0) return false;
    await rm(folder, { recursive: true, force: true });
    await fsyncDirectory(this.path);
    return true;
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
      try {
        await handle.writeFile(encodeFileHeader());
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await fsyncDirectory(this.path);
    } catch (error) {
      // No manifest names it yet, so it is garbage for sure (a full disk would otherwise leave one per attempt).
      await this.remove([name]).catch(() => undefined);
      throw error;
    }
    return name;
  }

  /**
   * Makes `manifest` the one in charge: written to a temp file and fdatasynced, then renamed
   * over the manifest (atomic) and the directory fsynced; `hooks` run between the steps (a test
   * seam for a crash there). Every manifest written carries the durable floors (FORMAT.md,
   * "Replay", rule 3) of its unsealed incrementals: those already known, and the current one of
   * the file taking appends.
   */
  replaceManifest(manifest: Manifest, hooks: ManifestWriteHooks = {}): Promise<void> {
    return this.oneAtATime(() => this.write(manifest, hooks));
  }

  /**
   * Records the durable floor of the file taking appends, if it has grown since the manifest
   * last recorded one (or no manifest is on disk yet: a log never compacted gets its first here);
   * resolves with whether a manifest was written.
   */
  recordFloor(hooks: ManifestWriteHooks = {}): Promise<boolean> {
    return this.oneAtATime(async () => {
      const floor = this.durableFloor();
      if (!floor || (this.hasManifest && floor.bytes <= this.floorOf(floor.name))) return false;
      await this.write(this.manifest, hooks);
      return true;
    });
  }

  /** The durable floor the manifest in charge records for a file (the header's length when none). */
  floorOf(name: string): number {
    return this.manifest.floors?.[name] ?? FILE_HEADER_BYTES;
  }

  private async write(manifest: Manifest, hooks: ManifestWriteHooks): Promise<void> {
    const stamped = this.withFloors(manifest);
    const temp = this.file(this.names.manifestTemp);
    await writeFile(temp, encodeManifest(stamped), { flush: true });
    await hooks.written?.();
    await rename(temp, this.file(this.names.manifest));
    // Renamed means in charge for this process, even if the directory fsync below fails.
    this.manifest = stamped;
    this.hasManifest = true;
    await hooks.renamed?.();
    await fsyncDirectory(this.path);
  }

  /**
   * `manifest` with the highest floor known for each incremental it names unsealed. A floor
   * stays true for as long as the file is listed: a listed file only grows, and is cut back
   * only past what was durable (a torn tail, a refused write).
   */
  private withFloors(manifest: Manifest): Manifest {
    const current = this.durableFloor();
    const floors: Record<string, number> = {};
    for (const name of manifest.incrementals) {
      if (manifest.sealed?.[name] !== undefined) continue;
      const known = [manifest.floors?.[name], this.manifest.floors?.[name], current?.name === name ? current.bytes : 0];
      const highest = Math.max(...known.map((bytes) => bytes ?? 0));
      // A header's length is what every named file holds anyway (rule 3): no floor needed.
      if (highest > FILE_HEADER_BYTES) floors[name] = highest;
    }
    const { base, incrementals, sealed } = manifest;
    return {
      base,
      incrementals,
      ...(sealed && { sealed }),
      ...(Object.keys(floors).length > 0 && { floors }),
    };
  }

  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writing.then(task);
    this.writing = run.catch(() => undefined);
    return run;
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

/** A file of the log (its name) and the length up to which it is known to hold fdatasynced records. */
export interface DurableLength {
  readonly name: string;
  readonly bytes: number;
}

/** Seams called between the steps of a manifest write (tests crash there); production passes none. */
export interface ManifestWriteHooks {
  /** The temp manifest is written and fdatasynced, not yet renamed. */
  readonly written?: () => void | Promise<void>;
  /** Renamed into place; the directory is not yet fsynced. */
  readonly renamed?: () => void | Promise<void>;
}

/** Every file a manifest names, base first. */
export function listed(manifest: Manifest): string[] {
  return manifest.base === undefined ? [...manifest.incrementals] : [manifest.base, ...manifest.incrementals];
}

/** Size of a file or directory in bytes; -1 if it does not exist. */
export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return -1;
    throw error;
  }
}
