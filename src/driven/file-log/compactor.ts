import type { LiveState } from '../../core';
import type { CompactionSizes } from '../compaction/compaction-runner';
import { describeError } from '../../platform/error-text/error-text';
import { writeBaseFile, type WrittenBase } from './base-file';
import { listed, type LogDirectory } from './log-directory';

/**
 * The points of a compaction at which a crash leaves a distinct state on disk, in order
 * (FORMAT.md, "One compaction, step by step"); each is reported once reached.
 */
export const COMPACTION_STEPS = [
  'incremental-created',
  'manifest-written',
  'manifest-renamed',
  'appends-switched',
  'base-written',
  'base-renamed',
  'commit-written',
  'committed',
  'old-files-removed',
] as const;

/** One of the COMPACTION_STEPS. */
export type CompactionStep = (typeof COMPACTION_STEPS)[number];

/** Called after each step: a seam for tests that crash (throw, or kill the process) exactly there. */
export type CompactionStepHook = (step: CompactionStep) => void | Promise<void>;

/** What the compactor needs from the logger it compacts. */
export interface CompactionHost {
  /** The store's live entries, once lent. */
  live(): LiveState | undefined;
  /** Bytes of every file of the log now. */
  historyBytes(): number;
  /**
   * Step 4: sends appends to the new incremental and resolves, once every earlier append has
   * settled, with the revision of the last record the old file holds durably.
   */
  switchAppends(file: string): Promise<number>;
  /** A reason to stop (the log is closing), asked between chunks of the base. */
  abandonReason(): string | undefined;
  /** The new base is in charge: it measures `baseBytes` of live data. */
  committed(baseBytes: number): void;
  /** Reports trouble that does not fail the compaction. */
  warn(event: string, message: string): void;
}

/**
 * One online compaction of the file log: a new incremental takes the appends, the store's live
 * entries become a new base, and a new manifest naming just those two replaces the old one.
 * On failure the files the manifest names stay in charge; files it does not name are left
 * for the next start-up to remove (deleting them here could race a rename that was not yet durable).
 */
export class FileLogCompactor {
  constructor(
    private readonly directory: LogDirectory,
    private readonly host: CompactionHost,
    private readonly afterStep: CompactionStepHook = () => undefined,
  ) {}

  async compact(): Promise<CompactionSizes> {
    const live = this.host.live();
    if (!live) throw new Error('no live state to snapshot (the store has not finished its restore)');
    const directory = this.directory;
    const bytesBefore = this.host.historyBytes();
    const previous = directory.manifest;

    const incremental = await directory.createIncremental();
    await this.afterStep('incremental-created');
    await directory.replaceManifest(
      { base: previous.base, incrementals: [...previous.incrementals, incremental] },
      () => this.afterStep('manifest-written'),
    );
    await this.afterStep('manifest-renamed');
    const revision = await this.host.switchAppends(directory.file(incremental));
    await this.afterStep('appends-switched');

    const base = directory.names.base(directory.takeGeneration());
    const temp = directory.names.temp(base);
    let written: WrittenBase;
    try {
      written = await writeBaseFile(directory.file(temp), live, revision, () => this.host.abandonReason());
      await this.afterStep('base-written');
    } catch (error) {
      // A temp file is never named by a manifest, so removing it is always safe.
      await directory.remove([temp]).catch(() => undefined);
      throw error;
    }
    await directory.publish(temp, base);
    await this.afterStep('base-renamed');
    await directory.replaceManifest({ base, incrementals: [incremental] }, () => this.afterStep('commit-written'));
    this.host.committed(written.bytes);
    await this.afterStep('committed');

    try {
      await directory.remove(listed(previous));
    } catch (error) {
      // The compaction itself is done and durable; start-up removes what is left.
      this.host.warn(
        'compaction_cleanup_failed',
        `file log: cannot remove the files the compaction replaced (${describeError(error)}); the next start will`,
      );
    }
    await this.afterStep('old-files-removed');
    return { bytesBefore, bytesAfter: this.host.historyBytes(), liveBytes: written.bytes };
  }
}
