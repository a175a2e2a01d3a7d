import { describeError } from '../../platform/error-text/error-text';
import type { DurableLength, LogDirectory } from './log-directory';

/**
 * The points of a floor write at which a crash leaves a distinct state on disk, in order
 * (FORMAT.md, "The durable floor"); each is reported once reached.
 */
export const FLOOR_STEPS = ['floor-written', 'floor-renamed', 'floor-recorded'] as const;

/** One of the FLOOR_STEPS. */
export type FloorStep = (typeof FLOOR_STEPS)[number];

/**
 * How much the file taking appends grows between two floors while the service runs, by
 * default. One floor costs a manifest write (two fsyncs and a rename) per this many bytes;
 * see FORMAT.md for the measured cost.
 */
export const DEFAULT_FLOOR_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Records the durable floor of the file taking appends in the manifest (FORMAT.md, "The
 * durable floor"): at start-up, at a clean close, and in the background each time the file has
 * grown by `everyBytes` since the last one. A failed write only warns: the floor protects the
 * files against damage done later, and replay never needs it; the floor on disk stays lower,
 * which is still true.
 */
export class DurableFloorRecorder {
  private pending: Promise<void> | undefined;
  /** Where the last background write started: a failed one is retried only after as much growth again. */
  private lastTry: DurableLength | undefined;

  constructor(
    private readonly directory: LogDirectory,
    private readonly everyBytes: number,
    private readonly afterStep: (step: FloorStep) => void | Promise<void>,
    private readonly warn: (event: string, message: string) => void,
  ) {}

  /** Records the floor now, once any background write is over; resolves when it is durable (or has failed). */
  async record(): Promise<void> {
    await this.pending;
    await this.write();
  }

  /** After an acknowledged batch: starts a background write once the file has grown enough since the last floor. */
  grew(floor: DurableLength | undefined): void {
    if (this.pending || !floor) return;
    const tried = this.lastTry?.name === floor.name ? this.lastTry.bytes : 0;
    if (floor.bytes < Math.max(this.directory.floorOf(floor.name), tried) + this.everyBytes) return;
    this.lastTry = floor;
    this.pending = this.write().finally(() => (this.pending = undefined));
  }

  private async write(): Promise<void> {
    try {
      const written = await this.directory.recordFloor({
        written: () => this.afterStep('floor-written'),
        renamed: () => this.afterStep('floor-renamed'),
      });
      if (written) await this.afterStep('floor-recorded');
    } catch (error) {
      this.warn(
        'file_log_floor_not_recorded',
        `file log: ${this.directory.file(this.directory.names.manifest)}: cannot record the durable floor ` +
          `(${describeError(error)}); the floor on disk stays where it was`,
      );
    }
  }
}
