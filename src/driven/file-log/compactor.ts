import type { LiveState } from '../../core';
import type { CompactionSizes } from '../compaction/compaction-runner';
import { describeError } from '../../platform/error-text/error-text';
import { writeBaseFile, type WrittenBase } from './base-file';
import { listed, type LogDirectory } from './log-directory';
import type { Manifest } from './manifest';

/**
 * The points of a compaction at which a crash leaves a distinct state on disk, in order
 * (FORMAT.md, "One compaction, step by step"); each is reported once reached.
 */
export const COMPACTION_STEPS = [
  'incremental-created',
  'manifest-written',
  'manifest-renamed',
  'appends-switched',
  'seal-written',
  'sealed',
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
  /** Bytes of every file of the log now (acknowledged records only). */
  historyBytes(): number;
  /** Records in every file of the log now (acknowledged ones only). */
  historyRecords(): number;
  /**
   * Step 4: sends appends to the new incremental and resolves, once every earlier append has
   * settled, with the revision of the last record the old file holds durably and its final size.
   */
  switchAppends(file: string): Promise<{ revision: number; previousBytes: number }>;
  /** A reason to stop (the log is closing), asked between chunks of the base. */
  abandonReason(): string | undefined;
  /** The new base is in charge. */
  committed(base: WrittenBase): void;
  /** No compaction was needed: the whole history is live data. */
  skipped(): void;
  /** Reports trouble that does not fail the compaction. */
  warn(event: string, message: string): void;
}

/** The incremental that took the appends at step 4, and the last revision durable in the file before it. */
interface Switched {
  readonly incremental: string;
  readonly revision: number;
}

/**
 * One online compaction of the file log: a new incremental takes the appends, the store's live
 * entries become a new base, and a new manifest naming just those two replaces the old one.
 * On failure the files the manifest names stay in charge; files it does not name are left
 * for the next start-up to quarantine (deleting them here could race a rename that was not yet
 * durable). A compaction that fails after the switch leaves its incremental taking the appends:
 * the next one goes on from there instead of adding another, so failures do not grow the manifest.
 */
export class FileLogCompactor {
  private switched: Switched | undefined;

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
    // Every live key has at least one record; with no other record there is nothing to drop.
    if (this.host.historyRecords() <= live.size) {
      this.host.skipped();
      return { bytesBefore, bytesAfter: bytesBefore, liveBytes: bytesBefore, skipped: 'no record to drop' };
    }
    const { incremental, revision } = await this.switchIncremental(directory.manifest);

    const base = directory.names.base(directory.takeGeneration());
    const temp = directory.names.temp(base);
    let written: WrittenBase;
    try {
      // A base written later than `revision` is still right: every record after it follows in the incremental.
      written = await writeBaseFile(directory.file(temp), live, revision, () => this.host.abandonReason());
      await this.afterStep('base-written');
    } catch (error) {
      // A temp file is never named by a manifest, so removing it is always safe.
      await directory.remove([temp]).catch(() => undefined);
      throw error;
    }
    await directory.publish(temp, base);
    await this.afterStep('base-renamed');
    const retired = listed(directory.manifest).filter((name) => name !== incremental);
    await directory.replaceManifest(
      { base, incrementals: [incremental] },
      { written: () => this.afterStep('commit-written') },
    );
    this.switched = undefined;
    this.host.committed(written);
    await this.afterStep('committed');

    try {
      await directory.remove(retired);
      await directory.removeQuarantine();
    } catch (error) {
      // The compaction itself is done and durable; start-up quarantines what is left.
      this.host.warn(
        'compaction_cleanup_failed',
        `file log: cannot remove the files the compaction replaced (${describeError(error)}); the next start will move them aside`,
      );
    }
    await this.afterStep('old-files-removed');
    return { bytesBefore, bytesAfter: this.host.historyBytes(), liveBytes: written.bytes };
  }

  /**
   * Steps 1 to 4 and the seal: a new incremental named by the manifest takes the appends, and
   * the old one's final length is recorded. Skipped when a failed compaction already switched.
   */
  private async switchIncremental(previous: Manifest): Promise<Switched> {
    const directory = this.directory;
    if (this.switched && previous.incrementals.at(-1) === this.switched.incremental) return this.switched;
    const incremental = await directory.createIncremental();
    await this.afterStep('incremental-created');
    const incrementals = [...previous.incrementals, incremental];
    await directory.replaceManifest(
      { ...previous, incrementals },
      { written: () => this.afterStep('manifest-written') },
    );
    await this.afterStep('manifest-renamed');
    const { revision, previousBytes } = await this.host.switchAppends(directory.file(incremental));
    this.switched = { incremental, revision };
    await this.afterStep('appends-switched');
    const sealed = { ...previous.sealed, [previous.incrementals[previous.incrementals.length - 1]]: previousBytes };
    await directory.replaceManifest(
      { base: previous.base, incrementals, sealed },
      { written: () => this.afterStep('seal-written') },
    );
    await this.afterStep('sealed');
    return this.switched;
  }
}
